"""CSV exports: masked by default, unmasked only for admins with a reason, always audited."""

import csv
import io

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import AuditEntry
from suggestions.workflow import Status


def rows(response):
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_masked_export_for_dispatchers(client, auth, staff, housing_item):
    housing_item(Status.SIGNED, contact_name="王小明")
    auth.login(staff["dispatcher"])
    response = client.get("/queue/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = rows(response)
    assert table[0][0] == "追踪码"
    assert table[1][-2:] == ["王**", "138****5678"]
    assert "13812345678" not in response.get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.details["rows"], entry.actor_id) == ("export", 1, staff["dispatcher"].id)


def test_confidential_contacts_are_hidden_even_in_masked_exports(client, auth, staff, housing_item):
    item = housing_item(Status.SIGNED, contact_name="李先生")
    item.confidential = True
    db.session.commit()
    auth.login(staff["officer"])
    assert rows(client.get("/queue/export.csv"))[1][-2:] == ["保密", "保密"]


def test_unmasked_export_needs_admin_and_a_reason(client, auth, staff, housing_item):
    housing_item(Status.SIGNED, contact_name="王小明")
    auth.login(staff["admin"])
    refused = client.post("/queue/export-unmasked.csv", data={"export-reason": ""})
    assert refused.status_code == 303
    response = client.post("/queue/export-unmasked.csv", data={"export-reason": "纪检部门调阅，文号2026-18"})
    assert rows(response)[1][-2:] == ["王小明", "13812345678"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export_unmasked"))
    assert entry.reason == "纪检部门调阅，文号2026-18"
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    assert "导出（含完整个人信息）" in audit_page and "纪检部门调阅" in audit_page


def test_officers_export_only_their_department(client, auth, staff, housing_item, app, seeded):
    from tests import factories

    housing_item(Status.SIGNED)
    factories.submit(app.extensions["phone_vault"], category=factories.category_coded("交通运输"))
    auth.login(staff["officer"])
    assert len(rows(client.get("/queue/export.csv"))) == 2


def test_reveals_are_listed_for_admins(client, auth, staff, housing_item):
    item = housing_item()
    auth.login(staff["operator"])
    client.post(
        f"/suggestions/{item.id}/reveal", data={"reveal-purpose": "callback", "reveal-reason": "回访前核对号码"}
    )
    auth.logout()
    auth.login(staff["admin"])
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "回访市民：回访前核对号码" in page and "查看完整联系电话" in page


def test_confidential_item_page_for_officers(client, auth, staff, housing_item):
    item = housing_item(contact_name="李先生")
    item.confidential = True
    db.session.commit()
    auth.login(staff["officer"])
    html = client.get(f"/suggestions/{item.id}").get_data(as_text=True)
    assert "保密（由12345热线回访）" in html
    assert "李先生" not in html and "138****5678" not in html and 'id="panel-reveal"' not in html
    assert client.post(f"/suggestions/{item.id}/reveal", data={"reveal-purpose": "contact"}).status_code == 403
