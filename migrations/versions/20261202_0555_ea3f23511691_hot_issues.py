"""Hot issues: the campaign's suggestions grouped by problem and place, staff decisions on them, and supports.

* ``hot_issues`` (label, heat, places, keywords, time span; 非热点, project link, proposal for next year),
  ``hot_issue_members`` (a suggestion in at most one issue) and the append-only ``hot_issue_events``.
* ``suggestions.supports_id``: 「我也有同样的建议」, the earlier idea a resident supports instead of repeating it.

Revision ID: ea3f23511691
Revises: b4385bff8ca4
Create Date: 2026-12-02 05:55:53.437345

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'ea3f23511691'
down_revision = 'b4385bff8ca4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hot_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False, comment="the grouping's id: 't' and the oldest member's code"),
    sa.Column('label', sa.String(length=200), nullable=False, comment='place and problem, in Chinese'),
    sa.Column('heat', sa.Double(), nullable=False, comment='see classifier.topics.heat'),
    sa.Column('residents', sa.Integer(), nullable=False, comment='distinct residents'),
    sa.Column('messages', sa.Integer(), nullable=False, comment='member suggestions'),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('places', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False, comment='false: no longer a group, kept for its staff decisions'),
    sa.Column('not_hot', sa.Boolean(), server_default=sa.false(), nullable=False, comment='staff marked 非热点'),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('proposed_year', sa.Integer(), nullable=True, comment="proposed for this programme year's projects"),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_hot_issues_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_hot_issues_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hot_issues'))
    )
    with op.batch_alter_table('hot_issues', schema=None) as batch_op:
        batch_op.create_index('ix_hot_issues_campaign_active_heat', ['campaign_id', 'active', 'heat'], unique=False)
        batch_op.create_index(batch_op.f('ix_hot_issues_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hot_issues_project_id'), ['project_id'], unique=False)

    op.create_table('hot_issue_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.CheckConstraint("action IN ('not_hot', 'hot_again', 'link_project', 'propose', 'merge_all')", name=op.f('ck_hot_issue_events_known_action')),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_users.id'], name=op.f('fk_hot_issue_events_actor_id_staff_users')),
    sa.ForeignKeyConstraint(['issue_id'], ['hot_issues.id'], name=op.f('fk_hot_issue_events_issue_id_hot_issues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hot_issue_events'))
    )
    with op.batch_alter_table('hot_issue_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hot_issue_events_issue_id'), ['issue_id'], unique=False)

    op.create_table('hot_issue_members',
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['hot_issues.id'], name=op.f('fk_hot_issue_members_issue_id_hot_issues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_hot_issue_members_suggestion_id_suggestions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('suggestion_id', name=op.f('pk_hot_issue_members'))
    )
    with op.batch_alter_table('hot_issue_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hot_issue_members_issue_id'), ['issue_id'], unique=False)

    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supports_id', sa.Integer(), nullable=True, comment='「我也有同样的建议」: the earlier idea this one supports'))
        batch_op.create_index(batch_op.f('ix_suggestions_supports_id'), ['supports_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_suggestions_supports_id_suggestions'), 'suggestions', ['supports_id'], ['id'])
        batch_op.create_check_constraint(
            op.f('ck_suggestions_not_supporting_itself'), 'supports_id IS NULL OR supports_id != id'
        )

    if op.get_context().dialect.name == 'postgresql':
        # forbid_event_change() was created with the audit log (revision 49cd6e5ee9a9).
        op.execute(
            "CREATE TRIGGER hot_issue_events_append_only BEFORE UPDATE OR DELETE ON hot_issue_events "
            "FOR EACH ROW EXECUTE FUNCTION forbid_event_change()"
        )
    else:
        # Batch mode rebuilt the suggestions table; its triggers (if any) live on suggestion_events, untouched.
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER hot_issue_events_no_{verb.lower()} BEFORE {verb} ON hot_issue_events "
                "BEGIN SELECT RAISE(ABORT, 'hot_issue_events is append-only'); END"
            )


def downgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_suggestions_not_supporting_itself'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_suggestions_supports_id_suggestions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_suggestions_supports_id'))
        batch_op.drop_column('supports_id')

    with op.batch_alter_table('hot_issue_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hot_issue_members_issue_id'))

    op.drop_table('hot_issue_members')
    with op.batch_alter_table('hot_issue_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hot_issue_events_issue_id'))

    op.drop_table('hot_issue_events')
    with op.batch_alter_table('hot_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hot_issues_project_id'))
        batch_op.drop_index(batch_op.f('ix_hot_issues_campaign_id'))
        batch_op.drop_index('ix_hot_issues_campaign_active_heat')

    op.drop_table('hot_issues')
