"""The administrators' page for partner keys: the key shown once, revocation after a confirmation."""

from __future__ import annotations

import re

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import ApiKey
from suggestions.partners import keys
from suggestions.workflow import Channel


def test_an_admin_creates_a_key_that_is_shown_once_and_works(client, auth, staff):
    auth.login(staff["admin"])
    response = client.post("/admin/api-keys", data={"channel": "enorth", "name": "北方网专题页", "per_minute": "30"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    [key] = re.findall(r'id="issued-key">([^<]+)<', page)
    row = keys.active_key(key)
    assert (
        row.channel == Channel.ENORTH and row.rate_limit == "30 per minute" and row.created_by_id == staff["admin"].id
    )
    assert "每分钟 30 次" in page and "离开本页后无法再次查看" in page
    listing = client.get("/admin/api-keys").get_data(as_text=True)
    assert key not in listing and row.key_prefix in listing and "北方网专题页" in listing


def test_bad_input_is_refused_with_a_message(client, auth, staff):
    auth.login(staff["admin"])
    response = client.post("/admin/api-keys", data={"channel": "web", "name": "", "per_minute": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请填写密钥用途" in page and "1–10000" in page
    assert db.session.scalar(sa.select(sa.func.count(ApiKey.id))) == 0


def test_revoking_asks_for_confirmation_first(client, auth, staff):
    issued = keys.issue_key(Channel.TJGOV, "天津政务网专题页")
    db.session.commit()
    auth.login(staff["admin"])
    confirm = client.get(f"/admin/api-keys/{issued.row.id}/revoke")
    assert confirm.status_code == 200 and "确认停用" in confirm.get_data(as_text=True)
    assert keys.active_key(issued.key) is not None  # looking at the question changes nothing
    done = client.post(f"/admin/api-keys/{issued.row.id}/revoke")
    assert done.status_code == 303
    assert keys.active_key(issued.key) is None
    db.session.refresh(issued.row)
    assert issued.row.revoked_by_id == staff["admin"].id
    assert "已停用" in client.get("/admin/api-keys").get_data(as_text=True)


def test_an_unknown_key_is_404(client, auth, staff):
    auth.login(staff["admin"])
    assert client.get("/admin/api-keys/999/revoke").status_code == 404
