"""催办: the campaign office's reminder to a department, an overlay on the item and a new event action.

Revision ID: f83452abda8b
Revises: 45d5d1efbb93
Create Date: 2026-12-01 21:37:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f83452abda8b'
down_revision = '45d5d1efbb93'
branch_labels = None
depends_on = None

PREVIOUS_ACTIONS = (
    'submit', 'auto_dispatch', 'route_at_intake', 'flag_for_triage', 'dispatch', 'redispatch', 'reject', 'sign',
    'return', 'start', 'request_extension', 'approve_extension', 'deny_extension', 'reply', 'approve_reply',
    'send_back', 'callback_satisfied', 'callback_dissatisfied', 'callback_unreachable', 'close_unreachable', 'merge',
    'close_without_callback', 'assign', 'note', 'interim_reply', 'correct_route', 'reveal_contact', 'rate',
    'merged_callback', 'evaluate', 'adopt', 'partially_adopt', 'not_adopt', 'reveal_text', 'anonymise',
)
ACTIONS = PREVIOUS_ACTIONS + ('urge',)
APPEND_ONLY = "is append-only"


def _set_actions(actions):
    with op.batch_alter_table('suggestion_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_suggestion_events_event_action'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_suggestion_events_event_action'), f"action IN ({', '.join(repr(a) for a in actions)})"
        )
    if op.get_context().dialect.name == 'sqlite':
        # Batch mode rebuilt the table, which dropped its triggers; keep the log append-only.
        for verb in ('UPDATE', 'DELETE'):
            op.execute(f"DROP TRIGGER IF EXISTS suggestion_events_no_{verb.lower()}")
            op.execute(
                f"CREATE TRIGGER suggestion_events_no_{verb.lower()} BEFORE {verb} ON suggestion_events "
                f"BEGIN SELECT RAISE(ABORT, 'suggestion_events {APPEND_ONLY}'); END"
            )


def upgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urge_count', sa.Integer(), server_default='0', nullable=False, comment='催办 so far (an overlay)'))
        batch_op.add_column(sa.Column('urged_at', sa.DateTime(timezone=True), nullable=True, comment='the latest 催办'))
    _set_actions(ACTIONS)


def downgrade():
    # The event log is append-only, so 催办 events stay and the action stays allowed.
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_column('urged_at')
        batch_op.drop_column('urge_count')
