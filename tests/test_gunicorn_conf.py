"""gunicorn.conf.py: the background router starts with gunicorn, routes what the form records, is
replaced when it dies, and does not outlive a master that was killed."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bench import load_submit
from tests.conftest import PG_URL

pytestmark = [pytest.mark.slow]


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "\nState:\tZ" not in status.read_text()  # a zombie has stopped; only its entry is left
    except FileNotFoundError:
        return False


def _child_pid(parent: int, *, command: str | None = None, other_than: int | None = None, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pattern = ["-f", command] if command else []
        found = subprocess.run(["pgrep", "-P", str(parent), *pattern], capture_output=True, text=True)
        pids = [int(pid) for pid in found.stdout.split() if int(pid) != other_than and _alive(int(pid))]
        if pids:
            return pids[0]
        time.sleep(0.1)
    return None


def _router_pids(master: int) -> tuple[int, int]:
    """The supervisor gunicorn started, and the router process it forked."""
    supervisor = _child_pid(master, command="suggestions route")
    assert supervisor is not None, "gunicorn did not start the background router"
    router = _child_pid(supervisor)
    assert router is not None, "the supervisor did not start a router"
    return supervisor, router


@pytest.fixture
def server(tmp_path, tiny_model_path):
    url = load_submit.prepare_database("postgres" if PG_URL else "sqlite", tmp_path)
    env = {
        **os.environ,
        **load_submit.SECRETS,
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(tmp_path),
        "CLASSIFIER_MODEL_PATH": str(tiny_model_path),
        "FLASK_SESSION_COOKIE_SECURE": "false",
        "FLASK_RATELIMIT_ENABLED": "false",
    }
    server = load_submit.Server("app:create_app()", env, workers=1)
    server.start()
    yield server, url
    server.stop()


def test_suggestions_from_the_form_are_routed_by_the_router_gunicorn_started(server):
    server, url = server
    _router_pids(server.process.pid)
    outcome, _seconds = load_submit.drive(
        lambda: server.port, 8, 2, load_submit.SuggestionForm(load_submit.district_ids(url))
    )
    assert len(outcome.acknowledged) == 8
    routed_after = load_submit.seconds_until_routed(url, timeout=30)
    assert routed_after is not None, "acknowledged suggestions were still waiting after 30 s"


def test_a_router_that_dies_is_replaced_and_routing_goes_on(server):
    server, url = server
    supervisor, router = _router_pids(server.process.pid)
    os.kill(router, signal.SIGKILL)  # as an out-of-memory kill would
    replacement = _child_pid(supervisor, other_than=router)
    assert replacement is not None, "no new router was started after the first one died"
    outcome, _seconds = load_submit.drive(
        lambda: server.port, 6, 2, load_submit.SuggestionForm(load_submit.district_ids(url))
    )
    assert len(outcome.acknowledged) == 6
    assert load_submit.seconds_until_routed(url, timeout=30) is not None, "nothing routed after the restart"


def test_the_router_stops_when_the_master_is_killed(server):
    server, _url = server
    supervisor, router = _router_pids(server.process.pid)
    os.kill(server.process.pid, signal.SIGKILL)  # the master alone, as an OOM kill would
    server.process.wait()
    deadline = time.monotonic() + 15
    while (_alive(supervisor) or _alive(router)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(router), "the background router outlived gunicorn's master"
    assert not _alive(supervisor), "the router's supervisor outlived gunicorn's master"
