"""Lifecycle: deadlines, assignment, extensions, callbacks, merging, adoption, notes, corrections.

Revision ID: 27d583ffbcc4
Revises: ac09702b239c
Create Date: 2026-11-21 18:16:16.097759

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '27d583ffbcc4'
down_revision = 'ac09702b239c'
branch_labels = None
depends_on = None

OLD_ACTIONS = (
    'submit', 'auto_dispatch', 'route_at_intake', 'flag_for_triage', 'dispatch', 'redispatch', 'reject', 'sign',
    'return', 'start', 'request_extension', 'approve_extension', 'deny_extension', 'reply', 'approve_reply',
    'send_back', 'callback_satisfied', 'callback_dissatisfied', 'callback_unreachable', 'close_unreachable', 'merge',
)
ACTIONS = OLD_ACTIONS + (
    'close_without_callback', 'assign', 'note', 'interim_reply', 'correct_route', 'reveal_contact', 'rate',
    'merged_callback', 'evaluate', 'adopt', 'partially_adopt', 'not_adopt',
)
SUGGESTION_CHECKS = {
    'merged_has_master': "(status = 'merged') = (merged_into_id IS NOT NULL)",
    'not_merged_into_itself': "merged_into_id IS NULL OR merged_into_id != id",
    'assignee_has_department': "assignee_id IS NULL OR department_id IS NOT NULL",
    'project_only_if_adopted': "project_id IS NULL OR adoption IN ('adopted', 'partially_adopted')",
    'counts_not_negative': "return_count >= 0 AND callback_attempts >= 0",
}

ENUM_CHECKS = ('suggestion_urgency', 'callback_result', 'resident_rating', 'suggestion_adoption')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False, comment='1..20 within the year'),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('lead_department_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['lead_department_id'], ['departments.id'], name=op.f('fk_projects_lead_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('year', 'number', name='uq_projects_year_number')
    )
    op.create_table('reply_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('accepted', 'needs_triage', 'dispatched', 'signed', 'in_progress', 'extension_pending', 'replied', 'callback_pending', 'closed', 'returned', 'redo', 'not_accepted', 'merged', name='reply_template_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_reply_templates_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_templates'))
    )
    op.create_table('time_limits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Enum('sign', 'return', 'first_reply', 'reply', 'callback', name='time_limit_step', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('urgency', sa.Enum('life_safety', 'utilities', 'general', 'complex', name='time_limit_urgency', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('unit', sa.Enum('minutes', 'hours', 'working_days', name='time_limit_unit', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_time_limits_positive_amount')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_time_limits_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_limits')),
    sa.UniqueConstraint('step', 'category_id', 'urgency', name='uq_time_limits_scope')
    )
    op.create_table('extension_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=True, comment='null while pending'),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('previous_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('new_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('working_days > 0', name=op.f('ck_extension_requests_positive_days')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_users.id'], name=op.f('fk_extension_requests_decided_by_id_staff_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['staff_users.id'], name=op.f('fk_extension_requests_requested_by_id_staff_users')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_extension_requests_suggestion_id_suggestions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_requests'))
    )
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_requests_suggestion_id'), ['suggestion_id'], unique=False)

    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff_users.id'], name=op.f('fk_notes_author_id_staff_users')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_notes_suggestion_id_suggestions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_suggestion_id'), ['suggestion_id'], unique=False)

    op.create_table('route_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False, comment='text as the model saw it'),
    sa.Column('model_version', sa.String(length=64), nullable=True),
    sa.Column('predicted_category', sa.String(length=32), nullable=True),
    sa.Column('predicted_department_id', sa.Integer(), nullable=True),
    sa.Column('corrected_category', sa.String(length=32), nullable=True),
    sa.Column('corrected_department_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_users.id'], name=op.f('fk_route_corrections_actor_id_staff_users')),
    sa.ForeignKeyConstraint(['corrected_department_id'], ['departments.id'], name=op.f('fk_route_corrections_corrected_department_id_departments')),
    sa.ForeignKeyConstraint(['predicted_department_id'], ['departments.id'], name=op.f('fk_route_corrections_predicted_department_id_departments')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_route_corrections_suggestion_id_suggestions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_route_corrections'))
    )
    with op.batch_alter_table('route_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_route_corrections_suggestion_id'), ['suggestion_id'], unique=False)

    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_final', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('urgency', sa.Enum('life_safety', 'utilities', 'general', 'complex', name='suggestion_urgency', native_enum=False, create_constraint=True, length=32), nullable=False, server_default='general'))
        batch_op.add_column(sa.Column('return_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('designated', sa.Boolean(), nullable=False, server_default=sa.false(), comment='指定承办: may no longer be returned'))
        batch_op.add_column(sa.Column('sign_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_reply_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reply_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('callback_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_replied_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('extension_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('callback_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('callback_result', sa.Enum('satisfied', 'basically_satisfied', 'dissatisfied', 'unreachable', name='callback_result', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('callback_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resident_rating', sa.Enum('satisfied', 'basically_satisfied', 'dissatisfied', 'unreachable', name='resident_rating', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('resident_comment', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('resident_rated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('adoption', sa.Enum('evaluating', 'adopted', 'partially_adopted', 'not_adopted', name='suggestion_adoption', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('adoption_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('adoption_decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_suggestions_adoption', ['adoption'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_suggestions_department_due', ['department_id', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index('ix_suggestions_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_suggestions_merged_into_id_suggestions'), 'suggestions', ['merged_into_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_suggestions_assignee_id_staff_users'), 'staff_users', ['assignee_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_suggestions_project_id_projects'), 'projects', ['project_id'], ['id'])
        for name, condition in SUGGESTION_CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_suggestions_{name}"), condition)

    # The event log records the new actions; widen its CHECK constraint.
    with op.batch_alter_table('suggestion_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_suggestion_events_event_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_suggestion_events_event_action'), _in("action", ACTIONS))



def downgrade():
    op.execute(sa.text(f"DELETE FROM suggestion_events WHERE action NOT IN ({', '.join(repr(a) for a in OLD_ACTIONS)})"))
    with op.batch_alter_table('suggestion_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_suggestion_events_event_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_suggestion_events_event_action'), _in("action", OLD_ACTIONS))

    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        # SQLite rebuilds the table from its reflected CHECKs, so the ones on dropped columns go first.
        for name in [*SUGGESTION_CHECKS, *ENUM_CHECKS]:
            batch_op.drop_constraint(op.f(f"ck_suggestions_{name}"), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_suggestions_project_id_projects'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_suggestions_assignee_id_staff_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_suggestions_merged_into_id_suggestions'), type_='foreignkey')
        batch_op.drop_index('ix_suggestions_status_due')
        batch_op.drop_index(batch_op.f('ix_suggestions_merged_into_id'))
        batch_op.drop_index('ix_suggestions_department_due')
        batch_op.drop_index(batch_op.f('ix_suggestions_assignee_id'))
        batch_op.drop_index('ix_suggestions_adoption')
        batch_op.drop_column('project_id')
        batch_op.drop_column('adoption_decided_at')
        batch_op.drop_column('adoption_reason')
        batch_op.drop_column('adoption')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('resident_rated_at')
        batch_op.drop_column('resident_comment')
        batch_op.drop_column('resident_rating')
        batch_op.drop_column('callback_at')
        batch_op.drop_column('callback_result')
        batch_op.drop_column('callback_attempts')
        batch_op.drop_column('extension_count')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('replied_at')
        batch_op.drop_column('first_replied_at')
        batch_op.drop_column('due_at')
        batch_op.drop_column('callback_due_at')
        batch_op.drop_column('reply_due_at')
        batch_op.drop_column('first_reply_due_at')
        batch_op.drop_column('return_due_at')
        batch_op.drop_column('sign_due_at')
        batch_op.drop_column('designated')
        batch_op.drop_column('return_count')
        batch_op.drop_column('urgency')
        batch_op.drop_column('assignee_id')

    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_column('is_final')

    with op.batch_alter_table('route_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_route_corrections_suggestion_id'))

    op.drop_table('route_corrections')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_suggestion_id'))

    op.drop_table('notes')
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extension_requests_suggestion_id'))

    op.drop_table('extension_requests')
    op.drop_table('time_limits')
    op.drop_table('reply_templates')
    op.drop_table('projects')
    op.drop_table('calendar_days')
