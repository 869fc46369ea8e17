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
