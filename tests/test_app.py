import pytest

from app import create_app
from tests.conftest import TEST_SECRETS


def test_factory_applies_overrides(app):
    assert app.testing
    assert app.config["CONFIDENCE_THRESHOLD"] == 0.5


def test_blueprints_and_commands_are_registered(app):
    assert {"public", "auth", "hotline", "triage", "admin", "api"} <= set(app.blueprints)
    assert "suggestions" in app.cli.commands


@pytest.mark.parametrize("missing", sorted(TEST_SECRETS))
def test_refuses_to_start_without_secrets(missing, tmp_path):
    config = {**TEST_SECRETS, missing: "", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}
    with pytest.raises(RuntimeError, match=missing):
        create_app(config)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from suggestions.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_health_reports_model_version(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["model_version"]
