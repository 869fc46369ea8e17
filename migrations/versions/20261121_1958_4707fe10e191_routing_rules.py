"""Routing rules (admin-editable keywords that refine the department) and the stored reason for a route.

Revision ID: 4707fe10e191
Revises: 49cd6e5ee9a9
Create Date: 2026-11-21 19:58:31.017473

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4707fe10e191'
down_revision = '49cd6e5ee9a9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('keywords', sa.String(length=500), nullable=False, comment='words or phrases separated by 、 or commas'),
    sa.Column('excludes', sa.String(length=500), nullable=False, comment='words that cancel a match'),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True, comment='null: any category'),
    sa.Column('priority', sa.Integer(), nullable=False, comment='lower wins when several rules match equally'),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_routing_rules_category_id_categories')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_routing_rules_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rules'))
    )
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route_reason', sa.String(length=300), nullable=True, comment='why routing chose the department'))



def downgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_column('route_reason')

    op.drop_table('routing_rules')
