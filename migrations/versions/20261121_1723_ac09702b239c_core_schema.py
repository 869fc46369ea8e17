"""Core schema: departments, categories, districts, campaigns, staff, suggestions, events, replies.

Revision ID: ac09702b239c
Revises:
Create Date: 2026-11-21 17:23:10.682957

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "ac09702b239c"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("opens_on <= closes_on", name=op.f("ck_campaigns_window_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
    )
    op.create_table(
        "districts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_citywide", sa.Boolean(), nullable=False, comment="全市: no single district"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
        sa.UniqueConstraint("name", name=op.f("uq_districts_name")),
    )
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False, comment="label used by the classifier"),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_categories_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("code", name=op.f("uq_categories_code")),
    )
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "operator",
                "dispatcher",
                "officer",
                "admin",
                name="staff_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role != 'officer' OR department_id IS NOT NULL", name=op.f("ck_staff_users_officer_has_department")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_staff_users_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_year", sa.Integer(), nullable=False, comment="year part of the public tracking code"),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "web", "qr", "hotline", name="suggestion_channel", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "accepted",
                "needs_triage",
                "dispatched",
                "signed",
                "in_progress",
                "extension_pending",
                "replied",
                "callback_pending",
                "closed",
                "returned",
                "redo",
                "not_accepted",
                "merged",
                name="suggestion_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("topic_hint", sa.String(length=32), nullable=True, comment="领域 chosen by the resident"),
        sa.Column("contact_name", sa.String(length=64), nullable=True),
        sa.Column("phone_ciphertext", sa.Text(), nullable=True, comment="Fernet token of the mobile number"),
        sa.Column("phone_hash", sa.String(length=64), nullable=True, comment="HMAC for repeat callers"),
        sa.Column("phone_masked", sa.String(length=16), nullable=True),
        sa.Column(
            "access_hash", sa.String(length=64), nullable=False, comment="HMAC of phone last four or one-time secret"
        ),
        sa.Column("consent_version", sa.String(length=16), nullable=True),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, comment="submission or call time"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("predicted_category", sa.String(length=32), nullable=True),
        sa.Column("prediction_confidence", sa.Double(), nullable=True),
        sa.Column("prediction_candidates", sa.JSON(), nullable=True),
        sa.Column("prediction_explanation", sa.JSON(), nullable=True),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "channel != 'hotline' OR phone_ciphertext IS NOT NULL", name=op.f("ck_suggestions_hotline_has_phone")
        ),
        sa.CheckConstraint(
            "status NOT IN ('callback_pending', 'dispatched', 'extension_pending', 'in_progress', 'redo', 'replied', 'signed') OR department_id IS NOT NULL",
            name=op.f("ck_suggestions_routed_has_department"),
        ),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_suggestions_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], name=op.f("fk_suggestions_category_id_categories")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_suggestions_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["district_id"], ["districts.id"], name=op.f("fk_suggestions_district_id_districts")),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["staff_users.id"], name=op.f("fk_suggestions_operator_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestions")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_suggestions_idempotency_key")),
    )
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_suggestions_department_status_received", ["department_id", "status", "received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_suggestions_phone_hash"), ["phone_hash"], unique=False)
        batch_op.create_index("ix_suggestions_status_received", ["status", "received_at"], unique=False)

    op.create_table(
        "replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["staff_users.id"], name=op.f("fk_replies_author_id_staff_users")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_replies_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"], ["suggestions.id"], name=op.f("fk_replies_suggestion_id_suggestions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replies")),
    )
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replies_suggestion_id"), ["suggestion_id"], unique=False)

    op.create_table(
        "suggestion_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True, comment="null: resident or system"),
        sa.Column("actor_kind", sa.String(length=16), nullable=False, comment="role, 'resident' or 'system'"),
        sa.Column(
            "action",
            sa.Enum(
                "submit",
                "auto_dispatch",
                "route_at_intake",
                "flag_for_triage",
                "dispatch",
                "redispatch",
                "reject",
                "sign",
                "return",
                "start",
                "request_extension",
                "approve_extension",
                "deny_extension",
                "reply",
                "approve_reply",
                "send_back",
                "callback_satisfied",
                "callback_dissatisfied",
                "callback_unreachable",
                "close_unreachable",
                "merge",
                name="event_action",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_status",
            sa.Enum(
                "accepted",
                "needs_triage",
                "dispatched",
                "signed",
                "in_progress",
                "extension_pending",
                "replied",
                "callback_pending",
                "closed",
                "returned",
                "redo",
                "not_accepted",
                "merged",
                name="event_from_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "accepted",
                "needs_triage",
                "dispatched",
                "signed",
                "in_progress",
                "extension_pending",
                "replied",
                "callback_pending",
                "closed",
                "returned",
                "redo",
                "not_accepted",
                "merged",
                name="event_to_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("from_department_id", sa.Integer(), nullable=True),
        sa.Column("to_department_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_users.id"], name=op.f("fk_suggestion_events_actor_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["from_department_id"], ["departments.id"], name=op.f("fk_suggestion_events_from_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"], ["suggestions.id"], name=op.f("fk_suggestion_events_suggestion_id_suggestions")
        ),
        sa.ForeignKeyConstraint(
            ["to_department_id"], ["departments.id"], name=op.f("fk_suggestion_events_to_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_events")),
    )
    with op.batch_alter_table("suggestion_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_suggestion_events_suggestion_id"), ["suggestion_id"], unique=False)


def downgrade():
    with op.batch_alter_table("suggestion_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestion_events_suggestion_id"))

    op.drop_table("suggestion_events")
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replies_suggestion_id"))

    op.drop_table("replies")
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_suggestions_status_received")
        batch_op.drop_index(batch_op.f("ix_suggestions_phone_hash"))
        batch_op.drop_index("ix_suggestions_department_status_received")

    op.drop_table("suggestions")
    op.drop_table("staff_users")
    op.drop_table("categories")
    op.drop_table("districts")
    op.drop_table("departments")
    op.drop_table("campaigns")
