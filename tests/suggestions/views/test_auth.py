"""Staff login with hashed passwords; roles land on their own page."""

import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import StaffUser
from tests import factories


@pytest.mark.parametrize(
    ("role", "landing"),
    [("operator", "/hotline/new"), ("dispatcher", "/work/triage"), ("officer", "/queue"), ("admin", "/admin/")],
)
def test_each_role_lands_on_its_page(client, auth, staff, role, landing):
    response = auth.login(staff[role])
    assert response.headers["Location"] == landing


def test_wrong_password_is_refused_in_chinese(client, staff):
    response = client.post("/login", data={"username": staff["admin"].username, "password": "wrong"})
    assert response.status_code == 401
    assert "账号或密码不正确" in response.get_data(as_text=True)


def test_unknown_user_gets_the_same_answer(client, staff):
    response = client.post("/login", data={"username": "nobody", "password": "wrong"})
    assert response.status_code == 401
    assert "账号或密码不正确" in response.get_data(as_text=True)


def test_inactive_account_cannot_log_in(client, staff):
    staff["admin"].is_active = False
    db.session.commit()
    response = client.post("/login", data={"username": staff["admin"].username, "password": factories.STAFF_PASSWORD})
    assert response.status_code == 401


def test_passwords_are_stored_hashed(staff):
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.id == staff["admin"].id))
    assert factories.STAFF_PASSWORD not in user.password_hash
    assert user.check_password(factories.STAFF_PASSWORD)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_never_redirects_off_site(client, staff, target):
    response = client.post(
        f"/login?next={target}",
        data={"username": staff["dispatcher"].username, "password": factories.STAFF_PASSWORD},
    )
    assert response.headers["Location"] == "/work/triage"


def test_login_follows_a_local_next(client, staff):
    response = client.post(
        "/login?next=/queue", data={"username": staff["dispatcher"].username, "password": factories.STAFF_PASSWORD}
    )
    assert response.headers["Location"] == "/queue"


def test_logout(client, auth, staff):
    auth.login(staff["officer"])
    assert client.post("/logout").status_code == 303
    assert client.get("/queue").status_code == 302
