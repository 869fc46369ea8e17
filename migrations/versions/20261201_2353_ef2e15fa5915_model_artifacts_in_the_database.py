"""Model artifacts in the database beside their version row, so that every app server serves the same version;
domain corrections counted per version.

Existing rows get the bytes of the file they named, when that file is still there (an older artifact format will
refuse to load and be reported on /admin/models; `make run` retrains and registers a new one).

Revision ID: ef2e15fa5915
Revises: 3147c4d8b5c9
Create Date: 2026-12-01 23:53:00

"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "ef2e15fa5915"
down_revision = "3147c4d8b5c9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "artifact",
                sa.LargeBinary(),
                nullable=True,
                comment="classifier.dumps of the model: every app server loads it from here",
            )
        )
        batch_op.add_column(sa.Column("domain_corrections", sa.Integer(), server_default="0", nullable=False))
    versions = sa.table(
        "model_versions",
        sa.column("id", sa.Integer),
        sa.column("path", sa.String),
        sa.column("artifact", sa.LargeBinary),
    )
    connection = op.get_bind()
    for row_id, path in connection.execute(sa.select(versions.c.id, versions.c.path)).all():
        try:
            data = Path(path).read_bytes()
        except OSError:
            data = b""
        connection.execute(versions.update().where(versions.c.id == row_id).values(artifact=data))
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.alter_column("artifact", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("path")


def downgrade():
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("path", sa.VARCHAR(length=500), nullable=False, server_default=""))
        batch_op.drop_column("domain_corrections")
        batch_op.drop_column("artifact")
