"""The schema changes only through migrations, and they match the models."""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from suggestions.extensions import db
from tests.conftest import ROOT, fresh_database_uri, make_config

MIGRATIONS = str(ROOT / "migrations")


@pytest.fixture
def empty_app(tmp_path, tiny_model_path):
    application = create_app(make_config(fresh_database_uri(tmp_path), tiny_model_path))
    with application.app_context():
        yield application
        db.engine.dispose()


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_match_models(empty_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert schema_differences() == []
    result = empty_app.test_cli_runner().invoke(args=["db", "check", "--directory", MIGRATIONS])
    assert result.exit_code == 0, result.output


def test_db_check_fails_when_models_drift(empty_app):
    """Guard the guard: `flask db check` must notice a schema that lags the models."""
    flask_migrate.upgrade(directory=MIGRATIONS)
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP INDEX ix_suggestions_phone_hash"))
    assert schema_differences() != []
    result = empty_app.test_cli_runner().invoke(args=["db", "check", "--directory", MIGRATIONS])
    assert result.exit_code != 0


def test_downgrade_to_base_and_upgrade_again(empty_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert {"suggestions", "suggestion_events", "departments"} <= set(sa.inspect(db.engine).get_table_names())


def test_round_trip_on_current_database(app):
    """On either database: downgrade to base, upgrade again, and the models still match."""
    flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert schema_differences() == []


def test_the_campaign_taxonomy_migration_carries_topics_and_chosen_domains(empty_app):
    """Campaign.topics becomes ordered domain rows (with default departments); topic_hint becomes the domain."""
    flask_migrate.upgrade(directory=MIGRATIONS, revision="45d5d1efbb93")
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO departments (name, is_active, created_at, handler_type) "
                "VALUES ('市民政局', true, '2026-01-01', '民政')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO campaigns (year, name, opens_on, closes_on, topics, created_at) "
                "VALUES (2026, '征集', '2026-09-01', '2026-09-30', :topics, '2026-01-01')"
            ),
            {"topics": '["就业", "养老"]'},
        )
        connection.execute(sa.text("INSERT INTO projects (year, number, title) VALUES (2027, 1, '老年助餐')"))
        connection.execute(
            sa.text(
                "INSERT INTO suggestions (tracking_code, code_year, campaign_id, channel, status, title, body, "
                "topic_hint, access_hash, received_at, created_at, urgency, return_count, callback_attempts, "
                "extension_count, confidential, designated) VALUES ('JDZ-2026-00000-00000', 2026, 1, 'web', "
                "'accepted', '', '建议开设老年食堂', '养老', 'x', '2026-09-02', '2026-09-02', 'general', 0, 0, 0, "
                "false, false)"
            )
        )
    flask_migrate.upgrade(directory=MIGRATIONS)
    with db.engine.connect() as connection:
        domains = connection.execute(
            sa.text("SELECT name, position, default_department_id FROM campaign_domains ORDER BY position")
        ).all()
        assert [tuple(row) for row in domains] == [("就业", 0, None), ("养老", 1, 1)]
        suggestion = connection.execute(
            sa.text("SELECT d.name, s.domain_source FROM suggestions s JOIN campaign_domains d ON d.id = s.domain_id")
        ).one()
        assert tuple(suggestion) == ("养老", "resident")
        assert connection.execute(sa.text("SELECT campaign_id FROM projects")).scalar() == 1
    flask_migrate.downgrade(directory=MIGRATIONS, revision="45d5d1efbb93")
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT topic_hint FROM suggestions")).scalar() == "养老"
