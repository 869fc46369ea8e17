"""Limits, throttles and sessions against a real gunicorn with two workers (issues 16.12, 17.1, 17.3, 17.4, 17.12).

Every request opens its own connection; half of each test's requests are served while one worker is held busy and
half while the other is, so both workers serve (the access log, which records the serving worker's pid, proves
it).  Each test is bounded: a few
dozen requests, well under a minute.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from tests import factories
from tests.browser.conftest import BIN, serve

PUBLIC_LIMIT = 3
CODE_FAILURES = 5
LOGIN_FAILURES = 4
# Whole-day windows: a sliding-window counter weighs the previous window in, so a burst that straddles a window's
# end may get one more through; these tests count exactly.
SETTINGS = {
    "FLASK_PUBLIC_SUBMIT_LIMIT": f"{PUBLIC_LIMIT} per day",
    "FLASK_TRACK_CODE_FAILURE_LIMITS": f"{CODE_FAILURES} per day",
    "FLASK_LOGIN_FAILURE_LIMITS": f"{LOGIN_FAILURES} per day",
    # The pid of the worker that served each request, to show that both workers served.
    "GUNICORN_CMD_ARGS": "--access-logformat '%(p)s \"%(m)s %(U)s\" %(s)s'",
}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
BODY = "建议在小区门口增设公交站点，方便老人出行，早高峰公交车班次也应加密。"


@dataclass
class Answer:
    status: int
    headers: dict
    text: str


@dataclass
class Visitor:
    """One browser: its own cookies (sent by hand: the session cookie is Secure, and this is plain http on
    loopback), its own source address, a fresh connection for every request."""

    base_url: str
    address: str = "127.0.0.1"
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, data: dict | None = None) -> Answer:
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=30, source_address=(self.address, 0)
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return Answer(response.status, dict(response.getheaders()), text)
        finally:
            connection.close()

    def token(self, path: str) -> str:
        return CSRF.search(self.request("GET", path).text).group(1)

    def post_form(self, path: str, data: dict) -> Answer:
        return self.request("POST", path, {"csrf_token": self.token(path), **data})


def at_once(calls) -> list[Answer]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda call: call(), calls))


def hold_a_worker(base_url: str) -> socket.socket:
    """Open a connection and send nothing: the sync worker that accepts it waits on it, so the others serve."""
    parts = urlsplit(base_url)
    held = socket.create_connection((parts.hostname, parts.port))
    time.sleep(0.5)  # let a worker accept it before anything else arrives
    return held


def on_both_workers(base_url: str, calls: list) -> list[Answer]:
    """Run the first half of ``calls`` while one worker is held and the second half while the other is: each
    worker serves one half, whatever the kernel's choice of worker would have been."""
    half = len(calls) // 2
    first_held = hold_a_worker(base_url)
    answers = at_once(calls[:half])
    second_held = hold_a_worker(base_url)  # the only free worker takes it: the one that served the first half
    first_held.close()
    answers += at_once(calls[half:])
    second_held.close()
    return answers


def serving_pids(log_path, method: str, path: str) -> set[str]:
    pattern = re.compile(rf'^<(\d+)> "{method} {re.escape(path)}"', re.M)
    return set(pattern.findall(log_path.read_text()))


@pytest.fixture(scope="module")
def site(tmp_path_factory, tiny_model_path):
    with serve(tmp_path_factory.mktemp("limits"), tiny_model_path, **SETTINGS) as (server, env):
        yield server, env


def count_suggestions(env) -> int:
    engine = sa.create_engine(env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM suggestions")).scalar_one()
    finally:
        engine.dispose()


def suggestion_form(visitor: Visitor, **extra) -> Answer:
    page = visitor.request("GET", "/").text
    data = {
        "csrf_token": CSRF.search(page).group(1),
        "idempotency_key": re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]{32})"', page).group(1),
        "body": BODY,
        "district": re.search(r'<option value="(\d+)">河西区</option>', page).group(1),
        "consent": "y",
        **extra,
    }
    return visitor.request("POST", "/", data)


def test_the_public_limit_holds_across_workers_and_says_what_to_do(site):
    """Issue 16.12: with memory:// each worker counted alone (the 10-an-hour caller limit let 29 through)."""
    server, env = site
    started, before = time.monotonic(), count_suggestions(env)
    visitor = Visitor(server.url)
    visitor.request("GET", "/")  # the browser's session (its visitor token) exists before the burst
    answers = on_both_workers(server.url, [lambda: suggestion_form(visitor) for _ in range(12)])
    statuses = sorted(a.status for a in answers)
    assert statuses == [201] * PUBLIC_LIMIT + [429] * (12 - PUBLIC_LIMIT)
    assert count_suggestions(env) - before == PUBLIC_LIMIT
    limited = next(a for a in answers if a.status == 429).text
    assert "提交过于频繁" in limited and "12345" in limited and BODY in limited  # a page, the text kept
    assert len(serving_pids(server.log_path, "POST", "/")) == 2
    # A neighbour on the same address (a community centre's Wi-Fi) still gets through.
    assert suggestion_form(Visitor(server.url)).status == 201
    assert time.monotonic() - started < 60


def test_guessing_a_tracking_credential_is_stopped_across_workers(site):
    """Issue 17.1: 1,235 guesses in 21.9 s; now a code takes CODE_FAILURES wrong credentials, from anywhere."""
    server, _env = site
    receipt = suggestion_form(Visitor(server.url), phone="13812345678").text
    code = re.search(r"JDZ-\d{4}-\d{5}-\d{5}", receipt).group(0)
    started = time.monotonic()
    guessers = [Visitor(server.url, address=f"127.0.0.{2 + n % 4}") for n in range(20)]
    answers = on_both_workers(
        server.url,
        [
            lambda v=v, n=n: v.post_form("/track", {"code": code, "credential": f"1381234{n:04d}"})
            for n, v in enumerate(guessers)
        ],
    )
    statuses = sorted(a.status for a in answers)
    assert statuses == [404] * CODE_FAILURES + [429] * (20 - CODE_FAILURES)
    right = Visitor(server.url, address="127.0.0.9").post_form("/track", {"code": code, "credential": "13812345678"})
    assert right.status == 429 and "验证失败次数过多" in right.text
    assert len(serving_pids(server.log_path, "POST", "/track")) == 2
    assert time.monotonic() - started < 60


def test_login_lockout_is_per_account_and_address_across_workers(site):
    """Issue 17.4: 5 requests locked any account for everyone; unknown accounts answered differently."""
    server, _env = site
    started = time.monotonic()
    username = server.users["dispatcher"]

    def attempts(name: str, address: str) -> list[Answer]:
        guesser = Visitor(server.url, address=address)
        guesser.request("GET", "/login")
        return on_both_workers(
            server.url, [lambda: guesser.post_form("/login", {"username": name, "password": "wrong"}) for _ in range(8)]
        )

    known, unknown = attempts(username, "127.0.0.1"), attempts("no-such-user", "127.0.0.3")
    for answers in (known, unknown):
        assert sorted(a.status for a in answers) == [401] * LOGIN_FAILURES + [429] * (8 - LOGIN_FAILURES)
    # The same two messages for both accounts (the minutes to wait aside, which tick on).
    messages = {
        re.sub(r"\d+", "N", re.search(r'class="field__error"[^>]*>([^<]*)', a.text).group(1)) for a in known + unknown
    }
    assert messages == {"账号或密码不正确。"} | {m for m in messages if m.startswith("登录失败次数过多")}
    assert len(messages) == 2  # one for wrong, one for locked: the same for both accounts
    locked_out = Visitor(server.url).post_form("/login", {"username": username, "password": factories.STAFF_PASSWORD})
    assert locked_out.status == 429
    colleague = Visitor(server.url, address="127.0.0.4")
    assert colleague.post_form("/login", {"username": username, "password": factories.STAFF_PASSWORD}).status == 303
    assert len(serving_pids(server.log_path, "POST", "/login")) == 2
    assert time.monotonic() - started < 60


def test_a_copied_session_cookie_dies_with_logout_on_every_worker(site):
    """Issue 17.3: a copied session cookie still worked after logout for up to 8 hours."""
    server, _env = site
    staff = Visitor(server.url, address="127.0.0.5")
    login = staff.post_form("/login", {"username": server.users["officer"], "password": factories.STAFF_PASSWORD})
    assert login.status == 303
    thief = Visitor(server.url, address="127.0.0.6", cookies=dict(staff.cookies))
    assert {a.status for a in on_both_workers(server.url, [lambda: thief.request("GET", "/queue")] * 4)} == {200}
    queue_page = staff.request("GET", "/queue").text
    logout_token = re.search(r'action="/logout"[^>]*>\s*<input[^>]*value="([^"]+)"', queue_page)
    token = logout_token.group(1) if logout_token else CSRF.search(queue_page).group(1)
    assert staff.request("POST", "/logout", {"csrf_token": token}).status == 303
    after = on_both_workers(server.url, [lambda: thief.request("GET", "/queue")] * 6)
    assert {a.status for a in after} == {302}
    assert all("/login" in a.headers["Location"] for a in after)
    assert len(serving_pids(server.log_path, "GET", "/queue")) == 2


def test_each_instance_has_its_own_control_socket(site, tmp_path, tiny_model_path):
    """Issue 17.12: every gunicorn of one user shared ~/.gunicorn/gunicorn.ctl, and a second one deleted it."""
    first, _env = site

    def socket_of(server) -> str:
        port = urlsplit(server.url).port
        deadline = time.monotonic() + 15  # the master opens the socket in a thread, after it starts serving
        while not (paths := list(server.log_path.parent.glob(f"gunicorn-127.0.0.1-{port}.ctl"))):
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(paths) == 1, "the control socket is not in the instance folder"
        return str(paths[0])

    def workers(socket_path: str) -> list:
        done = subprocess.run(
            [str(BIN / "gunicornc"), "-s", socket_path, "-j", "-c", "show workers"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout)["workers"]

    first_socket = socket_of(first)
    # A short folder: a socket path over 100 bytes is left off by design, and pytest-xdist's tmp paths come close.
    short = Path(tempfile.mkdtemp(prefix="jdz-ctl-"))
    with serve(short, tiny_model_path) as (second, _second_env):
        second_socket = socket_of(second)
        assert first_socket != second_socket
        assert len(workers(second_socket)) == 2
    # The second instance stopped: the first one's socket is still there and still answers.
    assert len(workers(first_socket)) == 2
