"""Rate counters shared by every worker and server, revocable staff sessions.

* ``rate_counters``: the counters of every rate limit and failure throttle (web/ratelimit.py), in the application's
  own database so they hold across gunicorn workers and app servers.
* ``staff_users.session_version``: part of each session's id; logout, a new password and deactivation raise it,
  which ends every session of the account.
* ``staff_users.failed_logins`` / ``locked_until`` go: failed logins are counted per (account, address) in
  ``rate_counters`` instead, so nobody can lock an account for everyone.

Revision ID: b4385bff8ca4
Revises: 1780e257efe1
Create Date: 2026-12-02 06:00:37.210737

"""

import sqlalchemy as sa
from alembic import op

revision = "b4385bff8ca4"
down_revision = "1780e257efe1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_counters",
        sa.Column("bucket", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_rate_counters")),
    )
    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_counters_expires_at"), ["expires_at"], unique=False)

    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column("session_version")

    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_counters_expires_at"))

    op.drop_table("rate_counters")
