"""Privacy and abuse resistance: 保密, sealed originals, login lockout, audit log, new audited actions.

Revision ID: 49cd6e5ee9a9
Revises: 2a1f2d847a38
Create Date: 2026-11-21 19:11:50.889928

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '49cd6e5ee9a9'
down_revision = '2a1f2d847a38'
branch_labels = None
depends_on = None

PREVIOUS_ACTIONS = (
    'submit', 'auto_dispatch', 'route_at_intake', 'flag_for_triage', 'dispatch', 'redispatch', 'reject', 'sign',
    'return', 'start', 'request_extension', 'approve_extension', 'deny_extension', 'reply', 'approve_reply',
    'send_back', 'callback_satisfied', 'callback_dissatisfied', 'callback_unreachable', 'close_unreachable', 'merge',
    'close_without_callback', 'assign', 'note', 'interim_reply', 'correct_route', 'reveal_contact', 'rate',
    'merged_callback', 'evaluate', 'adopt', 'partially_adopt', 'not_adopt',
)
ACTIONS = PREVIOUS_ACTIONS + ('reveal_text', 'anonymise')
APPEND_ONLY = "is append-only"


def _set_actions(actions):
    with op.batch_alter_table('suggestion_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_suggestion_events_event_action'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_suggestion_events_event_action'), f"action IN ({', '.join(repr(a) for a in actions)})"
        )
    if op.get_context().dialect.name == 'sqlite':
        # Batch mode rebuilt the table, which dropped its triggers; keep the log append-only.
        _sqlite_append_only('suggestion_events')


def _sqlite_append_only(table):
    for verb in ('UPDATE', 'DELETE'):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb.lower()}")
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} {APPEND_ONLY}'); END"
        )


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_users.id'], name=op.f('fk_audit_log_actor_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False, comment="保密: departments never see the resident's identity"))
        batch_op.add_column(sa.Column('body_sealed', sa.Text(), nullable=True, comment='Fernet token of title and body as typed, when personal data was masked out of them'))

    _set_actions(ACTIONS)
    if op.get_context().dialect.name == 'postgresql':
        op.execute(
            """
            CREATE OR REPLACE FUNCTION forbid_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION forbid_event_change()"
        )
    else:
        _sqlite_append_only('audit_log')


def downgrade():
    # The log is append-only: recorded reveals or anonymisations make this downgrade fail rather than vanish.
    _set_actions(PREVIOUS_ACTIONS)
    if op.get_context().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_column('body_sealed')
        batch_op.drop_column('confidential')

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')

    op.drop_table('audit_log')
