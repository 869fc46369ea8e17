"""Import of 12345 work-order files: the service, the command, and the admin upload (test client)."""

import csv
import io
import time
from datetime import datetime

import pytest
import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.intake import importing
from suggestions.models import ImportJob, Suggestion, SuggestionEvent
from suggestions.workflow import Action, Channel, Status, Urgency
from tests.suggestions.intake.work_orders import GOOD, csv_bytes, many, xlsx_bytes


@pytest.fixture(autouse=True)
def november(monkeypatch):
    """The files hold calls of November 2026; the import runs a few days later."""
    later = clock.from_local(datetime(2026, 11, 5, 9, 0))
    monkeypatch.setattr(clock, "now", lambda: later)


def run(data: bytes, filename: str, *, app, dry_run: bool = False):
    table = importing.read_table(data, filename)
    return importing.import_table(table, channel=Channel.HOTLINE, vault=app.extensions["phone_vault"], dry_run=dry_run)


def hotline_items():
    return db.session.scalars(
        sa.select(Suggestion).where(Suggestion.channel == Channel.HOTLINE).order_by(Suggestion.idempotency_key)
    ).all()


def count_suggestions() -> int:
    return db.session.scalar(sa.select(sa.func.count(Suggestion.id)))


@pytest.mark.parametrize("make, filename", [(csv_bytes, "orders.csv"), (xlsx_bytes, "orders.xlsx")])
def test_happy_path_stores_each_work_order_like_a_call(app, seeded, make, filename):
    report = run(make(GOOD), filename, app=app)
    assert (report.total, report.created, report.duplicates, report.invalid) == (3, 3, 0, 0)
    items = hotline_items()
    assert [s.idempotency_key for s in items] == ["GD20261101001", "GD20261101002", "GD20261101003"]
    vault = app.extensions["phone_vault"]
    first, second, third = items
    # Numbers encrypted like the form's: mobile and landline; no number means the caller left none.
    assert vault.decrypt(first.phone_ciphertext) == "13912345678" and first.phone_masked == "139****5678"
    assert vault.decrypt(second.phone_ciphertext) == "02223456789" and not second.phone_withheld
    assert third.phone_ciphertext is None and third.phone_withheld
    assert b"13912345678" not in str([first.phone_ciphertext, first.phone_hash]).encode()
    assert clock.local(first.received_at).strftime("%Y-%m-%d %H:%M") == "2026-11-01 09:30"
    assert (first.district.name, second.district.name, third.district.name) == ("和平区", "南开区", "河西区")
    assert (first.contact_name, second.confidential, third.urgency) == ("王先生", True, Urgency.COMPLEX)
    assert first.title == "增加公交班次" and first.consent_version == "12345-import"
    # The same path as every channel: SUBMIT through the table, routed (a department or the manual queue).
    for item in items:
        assert item.status in (Status.DISPATCHED, Status.NEEDS_TRIAGE)
        actions = db.session.scalars(sa.select(SuggestionEvent.action).where(SuggestionEvent.suggestion_id == item.id))
        assert Action.SUBMIT in list(actions)


def test_bad_rows_are_reported_with_row_number_and_reason_and_nothing_of_them_is_written(app, seeded):
    rows = [
        GOOD[0],
        ["GD-2", "2026-11-01 09:30", "", "", "太短", "和平区", "", "", "", ""],
        ["GD-3", "2026-11-01 09:30", "", "12345", "小区门口道路破损严重，建议尽快维修。", "和平区", "", "", "", ""],
        ["GD-4", "2026-11-01 09:30", "", "23456789", "小区门口道路破损严重，建议尽快维修。", "和平区", "", "", "", ""],
        ["GD-5", "2026-11-01 09:30", "", "", "小区门口道路破损严重，建议尽快维修。", "火星区", "", "", "", ""],
        ["GD-6", "2099-01-01 09:30", "", "", "小区门口道路破损严重，建议尽快维修。", "和平区", "", "", "", ""],
        ["GD-7", "0001-01-01 00:00", "", "", "小区门口道路破损严重，建议尽快维修。", "和平区", "", "", "", ""],
        ["", "2026-11-01 09:30", "", "", "小区门口道路破损严重，建议尽快维修。", "和平区", "", "", "", ""],
        ["GD-9", "2026-11-01 09:30", "", "", "<script>alert(1)</script>小区门口道路破损", "和平区", "", "", "", ""],
        ["GD-10", "2026-11-01 09:30", "", "", "小区门口道路破损严重，建议尽快维修。", "和平区", "", "特急", "", ""],
        GOOD[2],
    ]
    report = run(csv_bytes(rows), "orders.csv", app=app)
    assert (report.created, report.invalid) == (2, 9)
    assert [s.idempotency_key for s in hotline_items()] == ["GD20261101001", "GD20261101003"]
    lines = list(csv.reader(io.StringIO(report.error_csv().lstrip("\ufeff"))))
    assert lines[0] == ["行号", "工单编号", "原因"]
    reasons = {int(line): (order_no, reason) for line, order_no, reason in lines[1:]}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11]  # the header is row 1
    assert "诉求内容应为 10–5000 个字" in reasons[3][1]
    assert "手机号码或带区号的固定电话" in reasons[4][1]
    assert "缺少区号" in reasons[5][1]
    assert "火星区" in reasons[6][1]
    assert "晚于现在" in reasons[7][1]
    assert "早于 2000 年" in reasons[8][1]
    assert reasons[9] == ("", "工单编号为空。")
    assert "网页代码" in reasons[10][1]
    assert "特急" in reasons[11][1]


def test_a_second_import_of_the_same_file_adds_nothing(app, seeded):
    data = xlsx_bytes(GOOD)
    run(data, "orders.xlsx", app=app)
    before = count_suggestions()
    again = run(data, "orders.xlsx", app=app)
    assert (again.created, again.duplicates, again.invalid) == (0, 3, 0)
    assert count_suggestions() == before == 3
    # The same work order exported as CSV is the same work order.
    assert run(csv_bytes(GOOD), "again.csv", app=app).created == 0


def test_a_work_order_repeated_in_one_file_is_stored_once(app, seeded):
    report = run(csv_bytes([GOOD[0], GOOD[1], GOOD[0]]), "orders.csv", app=app)
    assert (report.created, report.duplicates) == (2, 1) and count_suggestions() == 2


def test_dry_run_writes_nothing_and_reports_what_would_happen(app, seeded):
    run(csv_bytes(GOOD[:1]), "first.csv", app=app)
    rows = GOOD + [["GD-X", "2026-11-01 09:30", "", "", "太短", "和平区", "", "", "", ""]]
    report = run(csv_bytes(rows), "orders.csv", app=app, dry_run=True)
    assert (report.created, report.duplicates, report.invalid) == (2, 1, 1)
    assert sum(report.routes.values()) == 2
    assert count_suggestions() == 1 and not db.session.scalars(sa.select(ImportJob)).all()


def test_gb18030_csv_as_chinese_excel_saves_it(app, seeded):
    assert run(csv_bytes(GOOD, encoding="gb18030"), "orders.csv", app=app).created == 3


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (
            csv_bytes(GOOD, header=["编号", "受理时间", "来电人", "来电号码", "诉求内容", "所属区"]),
            "a.csv",
            "缺少必需的列：工单编号",
        ),
        (b"", "a.csv", "文件是空的"),
        (b"PK\x03\x04 not really a workbook", "a.xlsx", "无法读取该 Excel 文件"),
        (b"a,b", "a.txt", "只能导入 .csv 或 .xlsx 文件"),
    ],
)
def test_a_file_that_cannot_be_imported_says_why(data, filename, message):
    with pytest.raises(importing.ImportFileError, match=message):
        importing.read_table(data, filename)


# -- the command ---------------------------------------------------------------------------------------------------


def test_command_imports_shows_progress_and_writes_the_error_file(app, seeded, runner, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(GOOD + [["GD-X", "2026-11-01 09:30", "", "", "太短", "和平区", "", "", "", ""]]))
    result = runner.invoke(args=["suggestions", "import", str(path), "--channel", "hotline"])
    assert result.exit_code == 0, result.output
    assert "importing" in result.output and "4 rows: 3 added, 0 already imported (skipped), 1 refused" in result.output
    errors = (tmp_path / "orders.errors.csv").read_text(encoding="utf-8-sig")
    assert errors.splitlines()[1].startswith("5,GD-X,诉求内容应为")
    [job] = db.session.scalars(sa.select(ImportJob)).all()
    assert (job.state, job.processed, job.created, job.invalid, job.actor_id) == ("done", 4, 3, 1, None)
    again = runner.invoke(args=["suggestions", "import", str(path), "--channel", "hotline"])
    assert "0 added, 3 already imported (skipped)" in again.output and count_suggestions() == 3


def test_command_dry_run_writes_nothing(app, seeded, runner, tmp_path):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(xlsx_bytes(GOOD))
    result = runner.invoke(args=["suggestions", "import", str(path), "--channel", "hotline", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written: 3 rows: 3 would be added" in result.output
    assert count_suggestions() == 0 and not db.session.scalars(sa.select(ImportJob)).all()


def test_command_refuses_a_file_without_the_required_columns(app, seeded, runner, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes([["1", "2"]], header=["编号", "时间"]))
    result = runner.invoke(args=["suggestions", "import", str(path), "--channel", "hotline"])
    assert result.exit_code == 1 and "缺少必需的列" in result.output


# -- the admin page (test client) ----------------------------------------------------------------------------------


def wait_for(client, url: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = client.get(url).get_data(as_text=True)
        if 'http-equiv="refresh"' not in page:
            return page
        time.sleep(0.2)
    raise AssertionError(f"{url} still running after {seconds} s")


def test_admin_upload_imports_with_progress_and_error_report(app, client, auth, staff):
    auth.login(staff["admin"])
    page = client.get("/admin/imports").get_data(as_text=True)
    assert "工单编号" in page and "来电号码" in page and 'enctype="multipart/form-data"' in page
    rows = many(120) + [["GD-X", "2026-11-01 09:30", "", "", "太短", "和平区", "", "", "", ""]]
    response = client.post(
        "/admin/imports",
        data={"file": (io.BytesIO(xlsx_bytes(rows)), "orders.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    job_url = response.headers["Location"]
    page = wait_for(client, job_url)
    assert "已完成" in page and "已处理 121 / 121 行" in page and "下载错误报告" in page
    job = db.session.scalar(sa.select(ImportJob))
    assert (job.created, job.invalid, job.actor_id) == (120, 1, staff["admin"].id)
    errors = client.get(f"{job_url}/errors.csv")
    assert errors.status_code == 200 and "GD-X" in errors.get_data(as_text=True)
    assert count_suggestions() == 120
    # The same file again: nothing new.
    again = client.post(
        "/admin/imports",
        data={"file": (io.BytesIO(xlsx_bytes(rows)), "orders.xlsx")},
        content_type="multipart/form-data",
    )
    assert "新增</dt><dd>0 件" in wait_for(client, again.headers["Location"]) and count_suggestions() == 120


def test_admin_dry_run_and_refused_files(app, client, auth, staff):
    auth.login(staff["admin"])
    response = client.post(
        "/admin/imports",
        data={"file": (io.BytesIO(csv_bytes(GOOD)), "orders.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    page = wait_for(client, response.headers["Location"])
    assert "只检查，不导入" in page and "将新增</dt><dd>3 件" in page and count_suggestions() == 0
    refused = client.post(
        "/admin/imports", data={"file": (io.BytesIO(b"x"), "orders.txt")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 400 and "只能导入 .csv 或 .xlsx 文件" in refused.get_data(as_text=True)
    missing = client.post(
        "/admin/imports",
        data={"file": (io.BytesIO(csv_bytes([["1"]], header=["编号"])), "a.csv")},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 400 and "缺少必需的列" in missing.get_data(as_text=True)


@pytest.mark.parametrize("role", ["operator", "dispatcher", "officer"])
def test_only_admins_import(client, auth, staff, role):
    auth.login(staff[role])
    assert client.get("/admin/imports").status_code == 403
