"""Import jobs: one row per run of the 12345 work-order import, with its progress and its error report.

Revision ID: 8defe81add75
Revises: 8f503beccc89
Create Date: 2026-12-02 06:07:08.477843

"""
from alembic import op
import sqlalchemy as sa


revision = '8defe81add75'
down_revision = '8f503beccc89'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True, comment='last progress written'),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True, comment='null: the command line'),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False, comment='the channel the work orders are filed under'),
    sa.Column('dry_run', sa.Boolean(), nullable=False, comment='check only: no suggestion is written'),
    sa.Column('state', sa.String(length=16), nullable=False, comment='one of IMPORT_STATES'),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False, comment='new suggestions (or, in a dry run, that would be)'),
    sa.Column('duplicates', sa.Integer(), nullable=False, comment='work orders already imported, or repeated in the file'),
    sa.Column('invalid', sa.Integer(), nullable=False, comment='rows refused; see error_report'),
    sa.Column('error_report', sa.Text(), nullable=False, comment='CSV: row, work-order number, reason'),
    sa.Column('message', sa.Text(), nullable=False),
    sa.CheckConstraint("state IN ('running', 'done', 'failed')", name=op.f('ck_import_jobs_known_state')),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_users.id'], name=op.f('fk_import_jobs_actor_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs'))
    )


def downgrade():
    op.drop_table('import_jobs')
