"""Append-only event log: the database refuses UPDATE and DELETE on suggestion_events.

A later migration that rebuilds suggestion_events in SQLite batch mode drops
these triggers and must create them again.

Revision ID: 7302ffa3df75
Revises: 27d583ffbcc4
Create Date: 2026-11-21 18:30:00
"""

from alembic import op

revision = "7302ffa3df75"
down_revision = "27d583ffbcc4"
branch_labels = None
depends_on = None

MESSAGE = "suggestion_events is append-only"


def upgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION forbid_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}';
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER suggestion_events_append_only BEFORE UPDATE OR DELETE ON suggestion_events "
            "FOR EACH ROW EXECUTE FUNCTION forbid_event_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER suggestion_events_no_{verb.lower()} BEFORE {verb} ON suggestion_events "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER suggestion_events_append_only ON suggestion_events")
        op.execute("DROP FUNCTION forbid_event_change()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER suggestion_events_no_{verb}")
