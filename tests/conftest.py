"""Shared fixtures: an app on a real database built by the migrations, clients, a tiny model.

SQLite (default): the migrations run once into a template file, which every test
copies.  PostgreSQL (``TEST_DATABASE_URL`` set, as ``make test`` does in its
second pass): the migrations run once, and every test ends by truncating the tables; under pytest-xdist
(``make test`` runs two workers) each worker has its own database.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from app import create_app
from classifier.config import REPLIES_FILE, TRAIN_FILE
from classifier.train import train
from suggestions.extensions import db
from suggestions.seed import reference_data as seeding
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
TINY_TRAIN = ROOT / "tests" / "data" / "tiny_train.csv"
TINY_DEPT = ROOT / "tests" / "data" / "tiny_dept.csv"
PG_URL = os.environ.get("TEST_DATABASE_URL")


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (the tests truncate tables after each
    test, which must not hit another worker's rows); created here once per run."""
    name = f"{url.rsplit('/', 1)[1]}_{worker}"
    admin = sa.create_engine(os.environ["TEST_DATABASE_ADMIN_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


if PG_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    PG_URL = _worker_database(PG_URL, os.environ["PYTEST_XDIST_WORKER"])

TEST_SECRETS = {
    "SECRET_KEY": "test-secret-key",
    "PHONE_ENCRYPTION_KEYS": "7Ub8a1bQy3Vh5mCgZQ0jEYl4mYf1qXb5rO7cS2wq0Xk=",
    "PHONE_HASH_KEY": "test-phone-hash-key",
}


def make_config(database_uri: str, model_path: Path, **overrides) -> dict:
    return {
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "CLASSIFIER_MODEL_PATH": str(model_path),
        "CLASSIFIER_RELOAD_SECONDS": 0,
        "CONFIDENCE_THRESHOLD": 0.5,
        # The test client speaks plain http; tests of these settings turn them back on.
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        **TEST_SECRETS,
        **overrides,
    }


def pytest_configure(config):
    config.addinivalue_line("markers", "app_config(**settings): override settings of the `app` fixture")


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory) -> Path:
    """A throwaway model trained on the hand-written unit-test fixture (category model only)."""
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    train(path, data_path=TINY_TRAIN, progress=lambda message: None)
    return path


@pytest.fixture(scope="session")
def tiny_data_dir(tmp_path_factory) -> Path:
    """A data directory laid out like ../shared/data with the hand-written fixtures: labelled set and replies."""
    directory = tmp_path_factory.mktemp("tiny-data")
    shutil.copy(TINY_TRAIN, directory / TRAIN_FILE)
    shutil.copy(TINY_DEPT, directory / REPLIES_FILE)
    return directory


@pytest.fixture(scope="session")
def tiny_full_model_path(tmp_path_factory, tiny_data_dir) -> Path:
    """An artifact with both models (category and handler type), trained on the fixtures with 2x5 CV."""
    path = tmp_path_factory.mktemp("full-model") / "full.joblib"
    train(path, data_dir=tiny_data_dir, cv_repeats=2, progress=lambda message: None)
    return path


def _migrate(database_uri: str, model_path: Path) -> None:
    application = create_app(make_config(database_uri, model_path))
    with application.app_context():
        if database_uri.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        if database_uri.startswith("sqlite"):
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory, tiny_model_path) -> str:
    """Run the migrations once; return the URI (PostgreSQL) or template file path (SQLite)."""
    if PG_URL:
        _migrate(PG_URL, tiny_model_path)
        return PG_URL
    template = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{template}", tiny_model_path)
    return str(template)


def fresh_database_uri(tmp_path: Path) -> str:
    """An empty database of the kind under test: a new SQLite file, or a new PostgreSQL database."""
    if not PG_URL:
        return f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:8]}.db'}"
    name = f"jdz_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(os.environ["TEST_DATABASE_ADMIN_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _truncate_all() -> None:
    tables = [table.name for table in db.metadata.sorted_tables]
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_uri(migrated_database, tmp_path) -> str:
    if PG_URL:
        return PG_URL
    copy = tmp_path / "test.db"
    shutil.copy(migrated_database, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def model_path(tiny_model_path) -> Path:
    """The model the `app` fixture serves; a test module may override this fixture."""
    return tiny_model_path


@pytest.fixture
def app_settings() -> dict:
    """Settings computed by fixtures (paths); a test module may override this fixture."""
    return {}


@pytest.fixture
def app(database_uri, model_path, app_settings, request):
    marker = request.node.get_closest_marker("app_config")
    overrides = {**app_settings, **(marker.kwargs if marker else {})}
    application = create_app(make_config(database_uri, model_path, **overrides))
    with application.app_context():
        yield application
        db.session.remove()
        if PG_URL:
            _truncate_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(app):
    """The default taxonomy, departments, districts and campaign from the seed file."""
    report = seeding.seed_reference_data()
    db.session.commit()
    return report


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user, password: str = factories.STAFF_PASSWORD):
        response = self._client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)
        return response

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def staff(seeded):
    """One account per role; the officer works for the housing commission."""
    housing = factories.department_named("市住房和城乡建设委员会")
    return {
        "operator": factories.StaffUserFactory(role="operator"),
        "dispatcher": factories.StaffUserFactory(role="dispatcher"),
        "officer": factories.StaffUserFactory(role="officer", department=housing),
        "admin": factories.StaffUserFactory(role="admin"),
    }
