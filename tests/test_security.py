"""HTTP hardening: headers, cookies, rate limits and login lockout."""

import re

import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import Suggestion
from tests import factories
from tests.conftest import ROOT


def test_security_headers_on_every_page(client, seeded):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_staff_and_tracking_pages_are_not_cached(client, auth, staff):
    auth.login(staff["dispatcher"])
    assert client.get("/queue").headers["Cache-Control"] == "no-store"
    assert client.get("/track").headers["Cache-Control"] == "no-store"


def test_hsts_only_over_https(client, seeded):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert "max-age" in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


@pytest.mark.parametrize("template", sorted(p.relative_to(ROOT) for p in (ROOT / "templates").rglob("*.html")), ids=str)
def test_templates_have_no_inline_script_or_style(template):
    """The CSP forbids inline code, so none may exist: scripts and styles are files the app serves."""
    text = (ROOT / template).read_text("utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"\sstyle\s*=", text), "inline style attribute"
    assert "<style" not in text
    assert not re.search(r"https?://", text.replace("http://www.w3.org", "")), "external asset or link"


def test_no_cdn_links_in_static_assets():
    for asset in (ROOT / "suggestions" / "static").rglob("*"):
        if asset.is_file():
            assert "//cdn" not in asset.read_text("utf-8", errors="ignore")


def test_production_cookies_are_secure_httponly_samesite(tiny_model_path, database_uri):
    from app import create_app
    from tests.conftest import make_config

    config = make_config(database_uri, tiny_model_path)
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "WTF_CSRF_ENABLED"):
        config.pop(key)
    production = create_app(config)
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["SESSION_COOKIE_HTTPONLY"]
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with production.app_context():
        response = production.test_client().get("/login", base_url="https://localhost")
        cookie = response.headers["Set-Cookie"]  # the CSRF token lives in the session
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        db.session.remove()
        db.engine.dispose()


class TestRateLimits:
    @pytest.mark.app_config(RATELIMIT_ENABLED=True, PUBLIC_SUBMIT_LIMIT="2 per day", PHONE_SUBMIT_LIMIT="100 per hour")
    def test_public_form_per_address_limit_answers_429_and_keeps_the_text(self, client, seeded):
        from suggestions.extensions import limiter

        limiter.reset()
        data = {
            "body": "建议增加公交班次，方便老人出行。",
            "district": factories.district_named("河西区").id,
            "consent": "y",
        }
        client.get("/")  # as a browser does: the form page gives this visitor its id (the limit's key)
        assert [client.post("/", data=data).status_code for _ in range(2)] == [201, 201]
        blocked = client.post("/", data=data)
        assert blocked.status_code == 429
        html = blocked.get_data(as_text=True)
        assert "提交过于频繁" in html and "建议增加公交班次" in html
        assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 2
        assert client.get("/").status_code == 200  # reading the form is never limited

    @pytest.mark.app_config(RATELIMIT_ENABLED=True, PUBLIC_SUBMIT_LIMIT="100 per day", PHONE_SUBMIT_LIMIT="1 per hour")
    def test_public_form_per_phone_limit(self, app, seeded):
        from suggestions.extensions import limiter

        limiter.reset()
        data = {
            "body": "建议增加公交班次，方便老人出行。",
            "district": factories.district_named("河西区").id,
            "consent": "y",
            "phone": "13812345678",
        }
        assert app.test_client().post("/", data=data).status_code == 201
        # Another address, same phone: still limited.
        other = app.test_client()
        assert other.post("/", data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 429
        assert other.post("/", data={**data, "phone": ""}, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 201

    @pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_LIMIT="3 per day")
    def test_login_is_rate_limited_in_chinese(self, client, seeded):
        from suggestions.extensions import limiter

        limiter.reset()
        for _ in range(3):
            client.post("/login", data={"username": "nobody", "password": "x"})
        response = client.post("/login", data={"username": "nobody", "password": "x"})
        assert response.status_code == 429 and "操作过于频繁" in response.get_data(as_text=True)


def test_error_pages_do_not_leak_details(client, seeded):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_unexpected_errors_roll_back_and_answer_in_chinese(app, client, seeded):
    def explode(_connection, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO suggestion_events"):
            raise RuntimeError("database went away")

    # Fails after the suggestion row is written, on its event: the half-done submission must not be stored.
    district = factories.district_named("河西区").id
    sa.event.listen(db.engine, "before_cursor_execute", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.post(
            "/", data={"body": "建议增加公交班次，方便老人出行。", "district": district, "consent": "y"}
        )
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", explode)
    assert response.status_code == 500 and "系统繁忙" in response.get_data(as_text=True)
    assert "database went away" not in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 0
