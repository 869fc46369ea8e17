"""A real gunicorn serving a real database, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import pytest

from app import create_app
from suggestions.extensions import db
from suggestions.seed import reference_data as seeding
from tests import factories
from tests.conftest import ROOT, TEST_SECRETS, fresh_database_uri, make_config

BIN = Path(sys.executable).parent
DEMO_DATA = ROOT.parent / "shared" / "data" / "tipdm2020c_attachment3_unlabelled_messages.csv"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    users: dict[str, str]  # role -> username
    log_path: Path

    def __iter__(self):
        return iter((self.url, self.users))


@contextlib.contextmanager
def serve(tmp_path: Path, model_path: Path, **settings: str):
    """Migrate a fresh database, seed it with one account per role, and serve it with gunicorn on loopback."""
    database = fresh_database_uri(tmp_path)
    setup = create_app(make_config(database, model_path))
    with setup.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        seeding.seed_reference_data()
        db.session.commit()
        housing = factories.department_named("市住房和城乡建设委员会")
        transport = factories.department_named("市交通运输委员会")
        staff = {
            "operator": factories.StaffUserFactory(role="operator"),
            "dispatcher": factories.StaffUserFactory(role="dispatcher"),
            "officer": factories.StaffUserFactory(role="officer", department=housing),
            "transport_officer": factories.StaffUserFactory(role="officer", department=transport),
            "admin": factories.StaffUserFactory(role="admin"),
        }
        usernames = {role: user.username for role, user in staff.items()}
        db.session.remove()
        db.engine.dispose()
    env = {
        **os.environ,
        **TEST_SECRETS,
        "DATABASE_URL": database,
        "CLASSIFIER_MODEL_PATH": str(model_path),
        "CONFIDENCE_THRESHOLD": "0.5",
        "INSTANCE_PATH": str(tmp_path),
        **settings,
    }
    with gunicorn(env, tmp_path / "gunicorn.log") as base_url:
        yield LiveServer(base_url, usernames, tmp_path / "gunicorn.log"), env


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log_path: Path, workers: int = 2):
    """Run gunicorn on a free loopback port with ``env`` (access log into ``log_path``); yield its base URL."""
    port = _free_port()
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base_url, server)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, tiny_model_path):
    """Serve the app with gunicorn on loopback (access log on); yield a LiveServer (unpacks to url, users)."""
    with serve(tmp_path_factory.mktemp("live"), tiny_model_path) as (server, _env):
        yield server


def _wait_until_serving(base_url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before serving; see gunicorn.log in the test's tmp dir")
        try:
            with urllib.request.urlopen(base_url + "/api/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start in time")


def _flask(env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory, tiny_model_path):
    """`make run` on a fresh database, shared by the tests that need demo data: yield (base url, {role: password}).

    As `make run` does it: `flask db upgrade`, `flask suggestions setup --demo` (demo accounts with the passwords
    it prints, 300 real messages moved along the workflow), then gunicorn in the project folder (so gunicorn.conf.py
    applies) with FLASK_CLASSIFIER_PRELOAD and an access log.  Only the model (the tiny test model) and the
    workers (2, not 3) differ.
    """
    if not DEMO_DATA.is_file():
        pytest.fail(f"{DEMO_DATA} is missing: the crawl runs on make run's demo data (../shared/data)")
    tmp = tmp_path_factory.mktemp("crawl")
    env = {
        **os.environ,
        **TEST_SECRETS,
        "DATABASE_URL": fresh_database_uri(tmp),
        "CLASSIFIER_MODEL_PATH": str(tiny_model_path),
        "CLASSIFIER_DATA_DIR": str(DEMO_DATA.parent),
        "CONFIDENCE_THRESHOLD": "0.5",
        "INSTANCE_PATH": str(tmp),
    }
    started = time.monotonic()
    _flask(env, "db", "upgrade")
    printed = _flask(env, "suggestions", "setup", "--demo")
    print(f"\ndemo site set up in {time.monotonic() - started:.1f} s")
    assert "loaded 300 demo suggestions" in printed
    accounts = {username: password for username, password in re.findall(r"login: (\S+)\s+password: (\S+)", printed)}
    port = _free_port()
    log = (tmp / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "app:create_app()",
        ],
        cwd=ROOT,
        env={**env, "FLASK_CLASSIFIER_PRELOAD": "true"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base_url, server)
        yield base_url, accounts
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desk_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def login(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.fill("#username", username)
    page.fill("#password", factories.STAFF_PASSWORD)
    page.click("main button[type=submit]")  # not the header's 长辈版 switch
    page.wait_for_load_state()
