"""Queue indexes: walk a department's items, or all items, in arrival order.

Revision ID: 2a1f2d847a38
Revises: 7302ffa3df75
Create Date: 2026-11-21 19:03:07.769463

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '2a1f2d847a38'
down_revision = '7302ffa3df75'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_suggestions_department_received', ['department_id', 'received_at', 'id'], unique=False)
        batch_op.create_index('ix_suggestions_received', ['received_at', 'id'], unique=False)
        batch_op.create_index(
            'ix_suggestions_department_status_due', ['department_id', 'status', 'due_at'], unique=False
        )



def downgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_index('ix_suggestions_department_status_due')
        batch_op.drop_index('ix_suggestions_received')
        batch_op.drop_index('ix_suggestions_department_received')

