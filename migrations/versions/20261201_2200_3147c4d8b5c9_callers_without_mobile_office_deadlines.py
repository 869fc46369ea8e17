"""Callers without a mobile number, the campaign office's own deadlines, and two new workflow actions.

* ``phone_withheld`` (不愿留号) and landline numbers: the rule ``hotline_has_phone`` goes (12345 takes calls from
  landlines and from callers who give no number); ``withheld_has_no_phone`` keeps the flag honest.
* ``triage_due_at`` (人工分拨, 1 working day, as the receipt promises) and ``review_due_at`` (审核答复): queues show
  them as the current step's due date.  Waiting items get them now: 1 working day after they arrived (manual
  dispatch) or were answered (review), by the calendar package and the admin's calendar days.
* The idempotency key's column comment, which revision 45d5d1efbb93 left out on PostgreSQL.
* Workflow actions ``resident_dissatisfied`` (an online 不满意 reopens a closed item for a callback) and ``unmerge``
  (撤销并单); time-limit steps ``triage`` and ``review``.

Revision ID: 3147c4d8b5c9
Revises: 9b1da5be40c7
Create Date: 2026-12-01 22:00:00

"""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import sqlalchemy as sa
from alembic import op

revision = '3147c4d8b5c9'
down_revision = '9b1da5be40c7'
branch_labels = None
depends_on = None

PREVIOUS_ACTIONS = (
    'submit', 'auto_dispatch', 'route_at_intake', 'flag_for_triage', 'dispatch', 'redispatch', 'reject', 'sign',
    'return', 'start', 'request_extension', 'approve_extension', 'deny_extension', 'reply', 'approve_reply',
    'send_back', 'callback_satisfied', 'callback_dissatisfied', 'callback_unreachable', 'close_unreachable', 'merge',
    'close_without_callback', 'assign', 'note', 'interim_reply', 'correct_route', 'reveal_contact', 'rate',
    'merged_callback', 'evaluate', 'adopt', 'partially_adopt', 'not_adopt', 'reveal_text', 'anonymise', 'urge',
    'already_planned',
)
ACTIONS = PREVIOUS_ACTIONS + ('resident_dissatisfied', 'unmerge')
PREVIOUS_STEPS = ('sign', 'return', 'first_reply', 'reply', 'callback')
STEPS = PREVIOUS_STEPS + ('triage', 'review')
APPEND_ONLY = "is append-only"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _set_checks(actions, steps):
    with op.batch_alter_table('suggestion_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_suggestion_events_event_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_suggestion_events_event_action'), _in('action', actions))
    if op.get_context().dialect.name == 'sqlite':
        # Batch mode rebuilt the table, which dropped its triggers; keep the log append-only.
        for verb in ('UPDATE', 'DELETE'):
            op.execute(f"DROP TRIGGER IF EXISTS suggestion_events_no_{verb.lower()}")
            op.execute(
                f"CREATE TRIGGER suggestion_events_no_{verb.lower()} BEFORE {verb} ON suggestion_events "
                f"BEGIN SELECT RAISE(ABORT, 'suggestion_events {APPEND_ONLY}'); END"
            )
    with op.batch_alter_table('time_limits', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_time_limits_time_limit_step'), type_='check')
        batch_op.create_check_constraint(op.f('ck_time_limits_time_limit_step'), _in('step', steps))


def _aware(value):
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _next_working_day_end(start, overrides):
    # The application's rule (workflow.deadlines): due at the end of the first working day after the start day.
    day = start.astimezone(LOCAL_TZ).date()
    for _ in range(400):
        day += timedelta(days=1)
        if day in overrides:
            working = overrides[day]
        else:
            try:
                working = chinese_calendar.is_workday(day)
            except NotImplementedError:
                working = day.weekday() < 5
        if working:
            return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ).astimezone(UTC)
    raise RuntimeError(f"no working day found after {day}")


def _backfill():
    connection = op.get_bind()
    calendar_days = sa.table('calendar_days', sa.column('day', sa.Date), sa.column('is_workday', sa.Boolean))
    overrides = dict(connection.execute(sa.select(calendar_days.c.day, calendar_days.c.is_workday)).all())
    suggestions = sa.table(
        'suggestions',
        sa.column('id', sa.Integer),
        sa.column('status', sa.String),
        sa.column('received_at', sa.DateTime(timezone=True)),
        sa.column('replied_at', sa.DateTime(timezone=True)),
        sa.column('triage_due_at', sa.DateTime(timezone=True)),
        sa.column('review_due_at', sa.DateTime(timezone=True)),
        sa.column('due_at', sa.DateTime(timezone=True)),
    )
    waiting = connection.execute(
        sa.select(suggestions.c.id, suggestions.c.status, suggestions.c.received_at, suggestions.c.replied_at).where(
            suggestions.c.status.in_(['needs_triage', 'returned', 'replied'])
        )
    ).all()
    sqlite = connection.dialect.name == 'sqlite'
    for row_id, status, received_at, replied_at in waiting:
        column = 'review_due_at' if status == 'replied' else 'triage_due_at'
        start = _aware(replied_at if status == 'replied' else received_at) or _aware(received_at)
        due = _next_working_day_end(start, overrides)
        if sqlite:  # the application stores naive UTC on SQLite (models.base.UTCDateTime)
            due = due.replace(tzinfo=None)
        connection.execute(suggestions.update().where(suggestions.c.id == row_id).values({column: due, 'due_at': due}))


def upgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_withheld', sa.Boolean(), server_default=sa.false(), nullable=False, comment='不愿留号: the caller declined to give a number'))
        batch_op.add_column(sa.Column('triage_due_at', sa.DateTime(timezone=True), nullable=True, comment='manual dispatch (人工分拨) due'))
        batch_op.add_column(sa.Column('review_due_at', sa.DateTime(timezone=True), nullable=True, comment='review of the reply (审核) due'))
        batch_op.drop_constraint(op.f('ck_suggestions_hotline_has_phone'), type_='check')
        batch_op.create_check_constraint(op.f('ck_suggestions_withheld_has_no_phone'), 'NOT (phone_withheld AND phone_ciphertext IS NOT NULL)')
        batch_op.alter_column('phone_ciphertext', existing_type=sa.Text(), existing_nullable=True, comment='Fernet token of the phone number', existing_comment='Fernet token of the mobile number')
        # Revision 45d5d1efbb93 gave the model this comment but not the database (PostgreSQL keeps comments).
        batch_op.alter_column('idempotency_key', existing_type=sa.String(length=64), existing_nullable=True, comment="unique per channel: the form's key, a partner's own id, a 12345 work-order number")
    _set_checks(ACTIONS, STEPS)
    _backfill()


def downgrade():
    # Events of the new actions and limits of the new steps make this fail rather than vanish (the log is append-only).
    _set_checks(PREVIOUS_ACTIONS, PREVIOUS_STEPS)
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_suggestions_withheld_has_no_phone'), type_='check')
        batch_op.create_check_constraint(op.f('ck_suggestions_hotline_has_phone'), "channel != 'hotline' OR phone_ciphertext IS NOT NULL")
        batch_op.alter_column('phone_ciphertext', existing_type=sa.Text(), existing_nullable=True, comment='Fernet token of the mobile number', existing_comment='Fernet token of the phone number')
        batch_op.alter_column('idempotency_key', existing_type=sa.String(length=64), existing_nullable=True, comment=None, existing_comment="unique per channel: the form's key, a partner's own id, a 12345 work-order number")
        batch_op.drop_column('review_due_at')
        batch_op.drop_column('triage_due_at')
        batch_op.drop_column('phone_withheld')
