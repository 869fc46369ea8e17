"""Campaign taxonomy and adoption loop: per-year domains, projects with milestones, QR posters, the outbox.

* ``campaigns.topics`` (a JSON list) becomes rows of ``campaign_domains``, in order, each with the default
  department of the seed file when that department exists.
* ``suggestions.topic_hint`` (the resident's chosen domain, as text) becomes ``domain_id`` with
  ``domain_source = 'resident'`` where the suggestion's campaign has a domain of that name.
* Projects get their campaign (the call of the year before), domain, co-departments, status and milestones.
* Adoption gains 已有安排 (``already_planned``), which links a project too; the event log gains its action.

Revision ID: 9b1da5be40c7
Revises: f83452abda8b
Create Date: 2026-12-01 21:54:02.054081

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9b1da5be40c7'
down_revision = 'f83452abda8b'
branch_labels = None
depends_on = None

PREVIOUS_ACTIONS = (
    'submit', 'auto_dispatch', 'route_at_intake', 'flag_for_triage', 'dispatch', 'redispatch', 'reject', 'sign',
    'return', 'start', 'request_extension', 'approve_extension', 'deny_extension', 'reply', 'approve_reply',
    'send_back', 'callback_satisfied', 'callback_dissatisfied', 'callback_unreachable', 'close_unreachable', 'merge',
    'close_without_callback', 'assign', 'note', 'interim_reply', 'correct_route', 'reveal_contact', 'rate',
    'merged_callback', 'evaluate', 'adopt', 'partially_adopt', 'not_adopt', 'reveal_text', 'anonymise', 'urge',
)
ACTIONS = PREVIOUS_ACTIONS + ('already_planned',)
PREVIOUS_ADOPTIONS = ('evaluating', 'adopted', 'partially_adopted', 'not_adopted')
ADOPTIONS = ('evaluating', 'adopted', 'partially_adopted', 'already_planned', 'not_adopted')
PREVIOUS_LINKED = "project_id IS NULL OR adoption IN ('adopted', 'partially_adopted')"
LINKED = "project_id IS NULL OR adoption IN ('adopted', 'already_planned', 'partially_adopted')"
NEW_CHECKS = {
    'published_only_if_linked': "public_excerpt IS NULL OR project_id IS NOT NULL",
    'known_domain_source': "domain_source IS NULL OR domain_source IN ('resident', 'operator', 'predicted', 'corrected')",
    'domain_has_source': "(domain_id IS NULL) = (domain_source IS NULL)",
}
# The seed file's default departments (suggestions/seed/taxonomy.toml), copied: a migration must not import the app.
DEFAULT_DEPARTMENTS = {
    '就业': '市人力资源和社会保障局',
    '教育': '市教育委员会',
    '社保': '市人力资源和社会保障局',
    '医疗': '市卫生健康委员会',
    '住房': '市住房和城乡建设委员会',
    '养老': '市民政局',
    '食品安全': '市市场监督管理委员会',
    '城乡建设': '市住房和城乡建设委员会',
    '生态环境': '市生态环境局',
    '文化体育': '市文化和旅游局',
}
APPEND_ONLY = "is append-only"

campaigns = sa.table('campaigns', sa.column('id', sa.Integer), sa.column('year', sa.Integer), sa.column('topics', sa.JSON))
domains = sa.table(
    'campaign_domains', sa.column('id', sa.Integer), sa.column('campaign_id', sa.Integer),
    sa.column('position', sa.Integer), sa.column('name', sa.String), sa.column('default_department_id', sa.Integer),
)
departments = sa.table('departments', sa.column('id', sa.Integer), sa.column('name', sa.String))
projects = sa.table('projects', sa.column('id', sa.Integer), sa.column('year', sa.Integer), sa.column('campaign_id', sa.Integer))
suggestions = sa.table(
    'suggestions', sa.column('id', sa.Integer), sa.column('campaign_id', sa.Integer),
    sa.column('topic_hint', sa.String), sa.column('domain_id', sa.Integer), sa.column('domain_source', sa.String),
)


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _set_actions(actions):
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


def _copy_topics_to_domains(connection):
    by_name = dict(connection.execute(sa.select(departments.c.name, departments.c.id)).all())
    for campaign_id, topics in connection.execute(sa.select(campaigns.c.id, campaigns.c.topics)).all():
        seen = set()
        for position, name in enumerate(topics or []):
            name = str(name).strip()[:32]
            if not name or name in seen:
                continue
            seen.add(name)
            connection.execute(domains.insert().values(
                campaign_id=campaign_id, position=position, name=name,
                default_department_id=by_name.get(DEFAULT_DEPARTMENTS.get(name)),
            ))


def _carry_topic_hints(connection):
    rows = connection.execute(
        sa.select(suggestions.c.id, domains.c.id)
        .join(domains, sa.and_(domains.c.campaign_id == suggestions.c.campaign_id, domains.c.name == suggestions.c.topic_hint))
    ).all()
    for suggestion_id, domain_id in rows:
        connection.execute(
            suggestions.update().where(suggestions.c.id == suggestion_id).values(domain_id=domain_id, domain_source='resident')
        )


def _link_projects_to_campaigns(connection):
    # A year's projects are picked by the call of the year before.
    for campaign_id, year in connection.execute(sa.select(campaigns.c.id, campaigns.c.year)).all():
        connection.execute(projects.update().where(projects.c.year == year + 1, projects.c.campaign_id.is_(None)).values(campaign_id=campaign_id))


def upgrade():
    op.create_table('campaign_domains',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('default_department_id', sa.Integer(), nullable=True, comment='who usually handles this domain; routing may use it'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_domains_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['default_department_id'], ['departments.id'], name=op.f('fk_campaign_domains_default_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_domains')),
    sa.UniqueConstraint('campaign_id', 'name', name='uq_campaign_domains_campaign_name')
    )
    with op.batch_alter_table('campaign_domains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_domains_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('qr_posters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False, comment='where it hangs, e.g. 南开区某社区服务中心'),
    sa.Column('district_id', sa.Integer(), nullable=True, comment='preselected on the form it opens'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_qr_posters_created_by_id_staff_users')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_qr_posters_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qr_posters'))
    )
    op.create_table('project_co_departments',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_project_co_departments_department_id_departments')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_co_departments_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'department_id', name=op.f('pk_project_co_departments'))
    )
    op.create_table('project_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False, comment='planned date'),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('progress_note', sa.Text(), server_default='', nullable=False, comment='public'),
    sa.Column('done_on', sa.Date(), nullable=True, comment='null while not reached'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_milestones_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_milestones'))
    )
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_milestones_project_id'), ['project_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False, comment='adoption or project_update'),
    sa.Column('medium', sa.String(length=8), nullable=False, comment='one of NOTIFICATION_MEDIA'),
    sa.Column('body', sa.Text(), nullable=False, comment='the message as sent; never holds a phone number'),
    sa.Column('status', sa.String(length=8), nullable=False, comment='one of NOTIFICATION_STATES'),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("medium IN ('sms', 'page')", name=op.f('ck_notifications_known_medium')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_notifications_known_status')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_notifications_project_id_projects')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_notifications_suggestion_id_suggestions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_status_id', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_suggestion_id'), ['suggestion_id'], unique=False)

    connection = op.get_bind()
    _copy_topics_to_domains(connection)
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('topics')

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.alter_column('year', existing_type=sa.Integer(), existing_nullable=False, comment="the programme year (民心工程 year), usually the campaign's year + 1")
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True, comment="the call whose ideas it draws on; its domain is one of that call's"))
        batch_op.add_column(sa.Column('domain_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.Enum('planned', 'underway', 'completed', name='project_status', native_enum=False, create_constraint=True, length=32), server_default='planned', nullable=False))
        batch_op.add_column(sa.Column('summary', sa.Text(), server_default='', nullable=False, comment='public description'))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_projects_campaign_id_campaigns'), 'campaigns', ['campaign_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_projects_domain_id_campaign_domains'), 'campaign_domains', ['domain_id'], ['id'])
    _link_projects_to_campaigns(connection)

    with op.batch_alter_table('route_corrections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('predicted_domain', sa.String(length=32), nullable=True, comment='the domain predicted from the text'))
        batch_op.add_column(sa.Column('corrected_domain', sa.String(length=32), nullable=True, comment='the domain a person set'))

    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        # The comment the model has carried since the one-intake revision (PostgreSQL compares comments).
        batch_op.alter_column('idempotency_key', existing_type=sa.String(length=64), existing_nullable=True, comment="unique per channel: the form's key, a partner's own id, a 12345 work-order number")
        batch_op.add_column(sa.Column('poster_id', sa.Integer(), nullable=True, comment='the QR poster scanned'))
        batch_op.add_column(sa.Column('domain_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('domain_source', sa.String(length=16), nullable=True, comment='one of DomainSource: who set domain_id'))
        batch_op.add_column(sa.Column('predicted_domain_id', sa.Integer(), nullable=True, comment='the domain predicted from the text'))
        batch_op.add_column(sa.Column('domain_confidence', sa.Double(), nullable=True, comment='of the prediction'))
        batch_op.add_column(sa.Column('domain_reason', sa.String(length=300), nullable=True, comment='why the prediction chose it, in Chinese'))
        batch_op.add_column(sa.Column('public_title', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('public_excerpt', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('publication_approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('publication_approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_suggestions_domain_id'), ['domain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_project_id'), ['project_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_suggestions_domain_id_campaign_domains'), 'campaign_domains', ['domain_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_suggestions_publication_approved_by_id_staff_users'), 'staff_users', ['publication_approved_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_suggestions_poster_id_qr_posters'), 'qr_posters', ['poster_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_suggestions_predicted_domain_id_campaign_domains'), 'campaign_domains', ['predicted_domain_id'], ['id'])
    _carry_topic_hints(connection)
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_column('topic_hint')
        batch_op.drop_constraint(op.f('ck_suggestions_project_only_if_adopted'), type_='check')
        batch_op.create_check_constraint(op.f('ck_suggestions_project_only_if_adopted'), LINKED)
        batch_op.drop_constraint(op.f('ck_suggestions_suggestion_adoption'), type_='check')
        batch_op.create_check_constraint(op.f('ck_suggestions_suggestion_adoption'), _in('adoption', ADOPTIONS))
        for name, condition in NEW_CHECKS.items():
            batch_op.create_check_constraint(op.f(f'ck_suggestions_{name}'), condition)
    _set_actions(ACTIONS)


def downgrade():
    # The log is append-only: recorded 已有安排 decisions make this fail rather than vanish (and so do the rows).
    _set_actions(PREVIOUS_ACTIONS)
    connection = op.get_bind()
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        for name in NEW_CHECKS:
            batch_op.drop_constraint(op.f(f'ck_suggestions_{name}'), type_='check')
        batch_op.drop_constraint(op.f('ck_suggestions_suggestion_adoption'), type_='check')
        batch_op.create_check_constraint(op.f('ck_suggestions_suggestion_adoption'), _in('adoption', PREVIOUS_ADOPTIONS))
        batch_op.drop_constraint(op.f('ck_suggestions_project_only_if_adopted'), type_='check')
        batch_op.create_check_constraint(op.f('ck_suggestions_project_only_if_adopted'), PREVIOUS_LINKED)
        batch_op.add_column(sa.Column('topic_hint', sa.VARCHAR(length=32), nullable=True, comment='领域 chosen by the resident'))
    names = sa.select(domains.c.name).where(domains.c.id == suggestions.c.domain_id).scalar_subquery()
    connection.execute(suggestions.update().where(suggestions.c.domain_source == 'resident').values(topic_hint=names))
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_suggestions_predicted_domain_id_campaign_domains'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_suggestions_poster_id_qr_posters'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_suggestions_publication_approved_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_suggestions_domain_id_campaign_domains'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_suggestions_project_id'))
        batch_op.drop_index(batch_op.f('ix_suggestions_domain_id'))
        batch_op.drop_column('publication_approved_at')
        batch_op.drop_column('publication_approved_by_id')
        batch_op.drop_column('public_excerpt')
        batch_op.drop_column('public_title')
        batch_op.drop_column('domain_reason')
        batch_op.drop_column('domain_confidence')
        batch_op.drop_column('predicted_domain_id')
        batch_op.drop_column('domain_source')
        batch_op.drop_column('domain_id')
        batch_op.drop_column('poster_id')

    with op.batch_alter_table('route_corrections', schema=None) as batch_op:
        batch_op.drop_column('corrected_domain')
        batch_op.drop_column('predicted_domain')

    with op.batch_alter_table('projects', schema=None) as batch_op:
        # SQLite rebuilds the table from its reflected CHECKs, so the one on the dropped column goes first.
        batch_op.drop_constraint(op.f('ck_projects_project_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_projects_domain_id_campaign_domains'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_projects_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('summary')
        batch_op.drop_column('status')
        batch_op.drop_column('domain_id')
        batch_op.drop_column('campaign_id')

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topics', sa.JSON(), nullable=True))
    for (campaign_id,) in connection.execute(sa.select(campaigns.c.id)).all():
        names = connection.execute(
            sa.select(domains.c.name).where(domains.c.campaign_id == campaign_id).order_by(domains.c.position, domains.c.id)
        ).scalars().all()
        connection.execute(campaigns.update().where(campaigns.c.id == campaign_id).values(topics=list(names)))
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.alter_column('topics', existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_suggestion_id'))
        batch_op.drop_index('ix_notifications_status_id')

    op.drop_table('notifications')
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_milestones_project_id'))

    op.drop_table('project_milestones')
    op.drop_table('project_co_departments')
    op.drop_table('qr_posters')
    with op.batch_alter_table('campaign_domains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_domains_campaign_id'))

    op.drop_table('campaign_domains')
