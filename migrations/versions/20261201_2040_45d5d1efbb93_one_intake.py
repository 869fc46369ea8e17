"""One intake: random tracking codes with a check digit, and the idempotency key unique per channel.

Existing suggestions get a new random code (the old sequential codes could be guessed).

Revision ID: 45d5d1efbb93
Revises: 979c4af6ac88
Create Date: 2026-12-01 20:40:00.349172

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '45d5d1efbb93'
down_revision = '979c4af6ac88'
branch_labels = None
depends_on = None


def _luhn(digits: str) -> str:
    # The same check digit as suggestions.intake.tracking (a migration must not import the application).
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            value = value - 9 if value > 9 else value
        total += value
    return str((10 - total % 10) % 10)


def _code(year: int, taken: set) -> str:
    while True:
        digits = "".join(secrets.choice("0123456789") for _ in range(9))
        digits += _luhn(digits)
        code = f"JDZ-{year:04d}-{digits[:5]}-{digits[5:]}"
        if code not in taken:
            taken.add(code)
            return code


def upgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracking_code', sa.String(length=24), nullable=True, comment='public code: year, nine random digits and a check digit'))
    connection = op.get_bind()
    suggestions = sa.table('suggestions', sa.column('id', sa.Integer), sa.column('code_year', sa.Integer), sa.column('tracking_code', sa.String))
    taken: set = set()
    for row_id, year in connection.execute(sa.select(suggestions.c.id, suggestions.c.code_year)).all():
        connection.execute(suggestions.update().where(suggestions.c.id == row_id).values(tracking_code=_code(year, taken)))
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.alter_column('tracking_code', existing_type=sa.String(length=24), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_suggestions_idempotency_key'), type_='unique')
        batch_op.create_unique_constraint('uq_suggestions_channel_idempotency_key', ['channel', 'idempotency_key'])
        batch_op.create_unique_constraint(batch_op.f('uq_suggestions_tracking_code'), ['tracking_code'])


def downgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_suggestions_tracking_code'), type_='unique')
        batch_op.drop_constraint('uq_suggestions_channel_idempotency_key', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_suggestions_idempotency_key'), ['idempotency_key'])
        batch_op.drop_column('tracking_code')
