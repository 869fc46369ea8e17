"""Admins edit the category -> department table in the UI."""

import pytest

from suggestions.extensions import db
from tests import factories


def test_admin_sees_the_routing_table(client, auth, staff):
    auth.login(staff["admin"])
    html = client.get("/admin/routing").get_data(as_text=True)
    assert "交通运输" in html and "市交通运输委员会" in html


@pytest.mark.parametrize("role", ["operator", "dispatcher", "officer"])
def test_only_admins_edit_routing(client, auth, staff, role):
    auth.login(staff[role])
    transport = factories.category_coded("交通运输")
    assert client.get("/admin/routing").status_code == 403
    assert client.post(f"/admin/routing/{transport.id}", data={"department": 1}).status_code == 403


def test_changing_a_route_sends_new_suggestions_to_the_new_department(client, auth, staff, app):
    auth.login(staff["admin"])
    transport, police = factories.category_coded("交通运输"), factories.department_named("市公安局")
    response = client.post(f"/admin/routing/{transport.id}", data={"department": police.id}, follow_redirects=True)
    assert "现在派往「市公安局」" in response.get_data(as_text=True)
    db.session.refresh(transport)
    assert transport.department == police
    suggestion = factories.submit(app.extensions["phone_vault"], category=transport).suggestion
    assert suggestion.department == police


def test_clearing_a_route_sends_the_category_to_manual_dispatch(client, auth, staff):
    auth.login(staff["admin"])
    transport = factories.category_coded("交通运输")
    client.post(f"/admin/routing/{transport.id}", data={"department": ""})
    db.session.refresh(transport)
    assert transport.department is None


def test_unknown_department_is_refused(client, auth, staff):
    auth.login(staff["admin"])
    transport = factories.category_coded("交通运输")
    response = client.post(f"/admin/routing/{transport.id}", data={"department": "424242"}, follow_redirects=True)
    assert "请选择有效的承办部门" in response.get_data(as_text=True)
    db.session.refresh(transport)
    assert transport.department.name == "市交通运输委员会"
