"""Partner channels and their API keys.

* Channels ``tjgov`` (天津政务网) and ``enorth`` (北方网): the campaign's topic pages post through the Open311 API;
  the 12345 system posts as ``hotline``.  The check constraint on ``suggestions.channel`` lists them.
* ``api_keys``: one row per partner key, the key stored as its SHA-256 only, with its own rate limit.
* ``suggestions.email_ciphertext``: an e-mail address a partner passes on, encrypted like the phone.

Revision ID: 1780e257efe1
Revises: 8defe81add75
Create Date: 2026-12-02 06:03:52

"""
import sqlalchemy as sa
from alembic import op

revision = '1780e257efe1'
down_revision = '8defe81add75'
branch_labels = None
depends_on = None

PREVIOUS_CHANNELS = ('web', 'qr', 'hotline')
CHANNELS = PREVIOUS_CHANNELS + ('tjgov', 'enorth')
PARTNER_CHANNELS = ('tjgov', 'enorth', 'hotline')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _set_channels(channels):
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_suggestions_suggestion_channel'), type_='check')
        batch_op.create_check_constraint(op.f('ck_suggestions_suggestion_channel'), _in('channel', channels))


def upgrade():
    op.create_table(
        'api_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False, comment='who uses it, e.g. 天津政务网专题页'),
        sa.Column('channel', sa.Enum(*CHANNELS, name='api_key_channel', native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False, comment='SHA-256 hex of the key'),
        sa.Column('key_prefix', sa.String(length=16), nullable=False, comment="the key's first characters, to recognise it"),
        sa.Column('rate_limit', sa.String(length=64), nullable=False, comment='Flask-Limiter string, e.g. 60 per minute'),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True, comment='null: the CLI'),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(_in('channel', PARTNER_CHANNELS), name=op.f('ck_api_keys_partner_channel')),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_api_keys_created_by_id_staff_users')),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['staff_users.id'], name=op.f('fk_api_keys_revoked_by_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash')),
    )
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_ciphertext', sa.Text(), nullable=True, comment='Fernet token of an e-mail address a partner system passed on'))
    _set_channels(CHANNELS)


def downgrade():
    # Suggestions that came in through a partner channel make this fail rather than vanish.
    _set_channels(PREVIOUS_CHANNELS)
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_column('email_ciphertext')
    op.drop_table('api_keys')
