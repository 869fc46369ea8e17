"""Handler types on departments (属地 governments tied to their district), the route's proposed department and
handler type on suggestions and corrections, and the model versions table for retraining.

Revision ID: 979c4af6ac88
Revises: 4707fe10e191
Create Date: 2026-11-21 20:12:38.005950

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '979c4af6ac88'
down_revision = '4707fe10e191'
branch_labels = None
depends_on = None


# The types of the departments earlier revisions seeded; anything else starts as 其他 until an admin sets it.
KNOWN_TYPES = {
    "市住房和城乡建设委员会": "住建",
    "市生态环境局": "生态环境",
    "市交通运输委员会": "交通运输",
    "市教育委员会": "教育",
    "市人力资源和社会保障局": "人社",
    "市商务局": "商务",
    "市卫生健康委员会": "卫健",
    "市民政局": "民政",
    "市医疗保障局": "医保",
    "市市场监督管理委员会": "市场监管",
    "市城市管理委员会": "城管",
    "市规划和自然资源局": "自然资源规划",
    "市文化和旅游局": "文旅",
    "市体育局": "体育",
    "市水务局": "水务",
    "市公安局": "公安",
}


def upgrade():
    op.create_table('model_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False, comment='one of MODEL_STATES'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('promoted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('trigger', sa.String(length=32), nullable=False, comment='initial training or retrain'),
    sa.Column('category_corrections', sa.Integer(), nullable=False),
    sa.Column('handler_corrections', sa.Integer(), nullable=False),
    sa.Column('macro_f1', sa.Double(), nullable=True, comment='cross-validated, from the card'),
    sa.Column('threshold', sa.Double(), nullable=True),
    sa.Column('coverage', sa.Double(), nullable=True, comment='share routed automatically at the threshold'),
    sa.Column('card', sa.JSON(), nullable=False),
    sa.Column('comparison', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_versions')),
    sa.UniqueConstraint('version', name=op.f('uq_model_versions_version'))
    )
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handler_type', sa.String(length=16), server_default='其他', nullable=False, comment='one of HANDLER_TYPES'))
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True, comment='the district a 属地 government answers for'))
        batch_op.create_unique_constraint(batch_op.f('uq_departments_district_id'), ['district_id'])
        batch_op.create_foreign_key(batch_op.f('fk_departments_district_id_districts'), 'districts', ['district_id'], ['id'])
    departments = sa.table("departments", sa.column("name", sa.String), sa.column("handler_type", sa.String))
    for name, handler_type in KNOWN_TYPES.items():
        op.execute(departments.update().where(departments.c.name == name).values(handler_type=handler_type))

    with op.batch_alter_table('route_corrections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('predicted_handler_type', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('corrected_handler_type', sa.String(length=16), nullable=True))

    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('predicted_department_id', sa.Integer(), nullable=True, comment="the department routing proposed, before any person's choice"))
        batch_op.add_column(sa.Column('predicted_handler_type', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('handler_confidence', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('department_candidates', sa.JSON(), nullable=True, comment='[[department_id, probability, basis], ...] best first'))
        batch_op.create_foreign_key(batch_op.f('fk_suggestions_predicted_department_id_departments'), 'departments', ['predicted_department_id'], ['id'])



def downgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_suggestions_predicted_department_id_departments'), type_='foreignkey')
        batch_op.drop_column('department_candidates')
        batch_op.drop_column('handler_confidence')
        batch_op.drop_column('predicted_handler_type')
        batch_op.drop_column('predicted_department_id')

    with op.batch_alter_table('route_corrections', schema=None) as batch_op:
        batch_op.drop_column('corrected_handler_type')
        batch_op.drop_column('predicted_handler_type')

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_departments_district_id_districts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_departments_district_id'), type_='unique')
        batch_op.drop_column('district_id')
        batch_op.drop_column('handler_type')

    op.drop_table('model_versions')
