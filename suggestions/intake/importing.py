"""Bulk import of 12345 work-order exports (CSV or XLSX), used by ``flask suggestions import`` and the admin page.

Every row is checked with the hotline form's own rules (lengths, clean text, a mobile or a landline with its area
code, or no number), routed with ``route_text`` and stored through ``intake.submit`` on the hotline channel with
the work-order number (工单编号) as idempotency key, so a second import of the same file adds nothing.  Each row
is its own transaction: a refused row leaves nothing behind and is listed in the error report with its row number
(as a spreadsheet shows it: the header is row 1) and the reason; the rows before and after it are stored.  A dry
run checks and routes every row and reports what would happen without writing anything.

Columns (Chinese names as 12345 exports them; the order does not matter, other columns are ignored):
``COLUMNS`` below; 工单编号, 受理时间, 诉求内容 and 所属区 are required.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import openpyxl
import sqlalchemy as sa
from wtforms.validators import ValidationError

from suggestions import clock
from suggestions.campaign.taxonomy import open_campaign
from suggestions.extensions import db
from suggestions.forms.fields import BODY_MAX, BODY_MIN, NAME_MAX, TITLE_MAX, ChineseLength, clean_text, has_words
from suggestions.insight.spreadsheets import safe_cell
from suggestions.intake.submission import Intake, submit
from suggestions.models import District, ImportJob, Suggestion
from suggestions.privacy.vault import PhoneVault, is_phone, normalize_phone
from suggestions.routing.decision import RouteDecision, route_text
from suggestions.workflow import Channel, Urgency, WorkflowError

# column name -> (field, required, what it holds); shown on the admin page and in the README.
COLUMNS = {
    "工单编号": ("order_no", True, "12345 的工单号，每张工单唯一；再次导入同一工单不会重复登记"),
    "受理时间": ("received_at", True, "如 2026-11-20 09:30 或 2026/11/20 9:30:00，北京时间"),
    "诉求内容": ("body", True, f"{BODY_MIN}–{BODY_MAX} 个字"),
    "所属区": ("district", True, "天津市的区名，如 和平区（可省略“区”字）"),
    "标题": ("title", False, f"最多 {TITLE_MAX} 个字"),
    "来电人": ("contact_name", False, f"称呼，最多 {NAME_MAX} 个字"),
    "来电号码": ("phone", False, "手机号码或带区号的固定电话；空白表示来电人未留号码"),
    "紧急程度": ("urgency", False, "一般、紧急、水电气热或复杂；空白为一般"),
    "是否保密": ("confidential", False, "是 / 否；空白为否"),
}
# Other names 12345 systems use for the same columns.
ALIASES = {"来电时间": "受理时间", "工单内容": "诉求内容", "诉求标题": "标题", "区": "所属区", "所在区": "所属区"}
CONSENT_VERSION = "12345-import"  # the operator read the privacy notice on the original call
EARLIEST = date(2000, 1, 1)
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)
URGENCIES = {
    "一般": Urgency.GENERAL,
    "紧急": Urgency.LIFE_SAFETY,
    "水电气热": Urgency.UTILITIES,
    "复杂": Urgency.COMPLEX,
}
URGENCIES.update({urgency.label: urgency for urgency in Urgency})
YES, NO = {"是", "1", "y", "yes", "true"}, {"", "否", "0", "n", "no", "false"}
ORDER_NO_MAX = 64
ERROR_HEADER = ("行号", "工单编号", "原因")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, or a required column is missing); message in Chinese."""


@dataclass
class SourceRow:
    line: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]


@dataclass
class Table:
    filename: str
    rows: list[SourceRow]


@dataclass
class ImportReport:
    total: int = 0
    processed: int = 0
    created: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, work-order number, reason)
    routes: Counter = field(default_factory=Counter)  # department name (or 待人工分拨) -> rows

    @property
    def invalid(self) -> int:
        return len(self.errors)

    def error_csv(self) -> str:
        """The error file: one line per refused row, with a BOM so that Excel shows the Chinese."""
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(ERROR_HEADER)
        for line, order_no, reason in self.errors:
            writer.writerow([line, safe_cell(order_no), reason])
        return buffer.getvalue()


# -- reading -------------------------------------------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> Table:
    """The rows of a CSV (UTF-8, or GB18030 as Chinese Excel saves it) or XLSX file (its first sheet).

    :raise ImportFileError: if the file cannot be read or a required column is missing.
    """
    if filename.lower().endswith(".xlsx"):
        grid = _xlsx_grid(data)
    elif filename.lower().endswith(".csv"):
        grid = _csv_grid(data)
    else:
        raise ImportFileError("只能导入 .csv 或 .xlsx 文件。")
    header = next(grid, None)
    if header is None:
        raise ImportFileError("文件是空的。")
    names = [ALIASES.get(name, name) for name in (_text(cell) for cell in header)]
    missing = [name for name, (_f, required, _d) in COLUMNS.items() if required and name not in names]
    if missing:
        raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（第1行应为列名）。")
    positions = {name: names.index(name) for name in COLUMNS if name in names}
    rows = []
    for line, cells in enumerate(grid, start=2):
        values = {name: _text(cells[index]) if index < len(cells) else "" for name, index in positions.items()}
        if any(values.values()):
            rows.append(SourceRow(line, values))
    return Table(filename, rows)


def _csv_grid(data: bytes) -> Iterator[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ImportFileError("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 Excel 文件。") from exc
    return iter(list(csv.reader(io.StringIO(text, newline=""))))


def _xlsx_grid(data: bytes) -> Iterator[list]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
    except Exception as exc:  # a damaged or renamed file: openpyxl raises many kinds of errors
        raise ImportFileError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。") from exc
    return iter(rows)


def _text(cell) -> str:
    """A cell as text: Excel gives numbers (phone numbers, work-order numbers) and datetimes as such."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    return str(cell).strip()


# -- checking one row ----------------------------------------------------------------------------------------------


class RowError(ValueError):
    """Why one row is refused, in Chinese."""


def _check(validator, value: str, label: str) -> None:
    """Run one of the forms' validators on a value, so that the import refuses exactly what the form refuses."""
    try:
        validator(None, SimpleNamespace(data=value, label=SimpleNamespace(text=label)))
    except ValidationError as exc:
        raise RowError(str(exc)) from exc


def _received_at(text: str, now: datetime) -> datetime:
    if not text:
        raise RowError("受理时间为空。")
    for pattern in TIME_FORMATS:
        try:
            local = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if local.date() < EARLIEST:
            raise RowError(f"受理时间「{text}」早于 {EARLIEST.year} 年，请检查。")
        received = clock.from_local(local)
        if received > now + timedelta(minutes=5):
            raise RowError(f"受理时间「{text}」晚于现在。")
        return received
    raise RowError(f"受理时间「{text}」无法识别，应为 2026-11-20 09:30 这样的格式。")


class RowChecker:
    """Turns a row into an ``Intake`` or raises ``RowError``; district names are read once."""

    def __init__(self, now: datetime):
        self.now = now
        self.campaigns: dict[date, int | None] = {}
        self.districts = {}
        for district_id, name in db.session.execute(sa.select(District.id, District.name)):
            self.districts[name] = district_id
            self.districts.setdefault(name.removesuffix("区").removesuffix("县"), district_id)

    def campaign_id(self, day: date) -> int | None:
        """The campaign open on the day of the call, as the hotline form files a call (read once per day)."""
        if day not in self.campaigns:
            campaign = open_campaign(day)
            self.campaigns[day] = campaign.id if campaign else None
        return self.campaigns[day]

    def intake(self, values: dict[str, str]) -> Intake:
        order_no = values.get("工单编号", "")
        if not order_no:
            raise RowError("工单编号为空。")
        if len(order_no) > ORDER_NO_MAX or not order_no.isprintable():
            raise RowError(f"工单编号应为最多 {ORDER_NO_MAX} 个字符的编号。")
        received_at = _received_at(values.get("受理时间", ""), self.now)
        body, title, name = values.get("诉求内容", ""), values.get("标题", ""), values.get("来电人", "")
        if not body:
            raise RowError("诉求内容为空。")
        for validator in (ChineseLength(BODY_MIN, BODY_MAX, label="诉求内容"), clean_text, has_words(5)):
            _check(validator, body, "诉求内容")
        if title:
            for validator in (ChineseLength(max=TITLE_MAX, label="标题"), clean_text):
                _check(validator, title, "标题")
        if name:
            for validator in (ChineseLength(max=NAME_MAX, label="来电人称呼"), clean_text):
                _check(validator, name, "来电人")
        district_name = values.get("所属区", "")
        district_id = self.districts.get(district_name)
        if district_id is None:
            raise RowError(f"所属区「{district_name}」不是天津市的区名。" if district_name else "所属区为空。")
        phone = normalize_phone(values.get("来电号码", ""))
        if phone and not is_phone(phone):
            if phone.isdigit() and 7 <= len(phone) <= 8:
                raise RowError("来电号码是固定电话但缺少区号，例如应为 022-23456789。")
            raise RowError("来电号码应为手机号码或带区号的固定电话。")
        urgency = URGENCIES.get(values.get("紧急程度", "") or "一般")
        if urgency is None:
            raise RowError(f"紧急程度「{values['紧急程度']}」应为一般、紧急、水电气热或复杂。")
        confidential = values.get("是否保密", "").lower()
        if confidential not in YES | NO:
            raise RowError(f"是否保密「{values['是否保密']}」应为是或否。")
        campaign_id = self.campaign_id(clock.local(received_at).date())
        return Intake(
            body=body,
            title=title,
            district_id=district_id,
            contact_name=name or None,
            phone=phone or None,
            phone_withheld=not phone,
            consent_version=CONSENT_VERSION,
            received_at=received_at,
            campaign_id=campaign_id,
            idempotency_key=order_no,
            urgency=urgency,
            confidential=confidential in YES,
        )


# -- running -------------------------------------------------------------------------------------------------------


def import_table(
    table: Table,
    *,
    channel: Channel,
    vault: PhoneVault,
    dry_run: bool = False,
    decide: Callable[[str, str, int | None], RouteDecision] = route_text,
    job: ImportJob | None = None,
    progress: Callable[[ImportReport], None] | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Check, route and (unless ``dry_run``) store every row of ``table``; return what happened.

    Commits after each stored row (each row is its own transaction) and, with ``job``, writes the progress to the
    job row every ``JOB_EVERY`` rows and at the end.  ``progress`` is called after each row (the terminal's bar).
    """
    now = now or clock.now()
    checker = RowChecker(now)
    report = ImportReport(total=len(table.rows))
    seen = imported_keys(channel, [row.values.get("工单编号", "") for row in table.rows])
    try:
        _import_rows(table, report, seen, checker, channel, vault, dry_run, decide, job, progress, now)
    except Exception as exc:
        db.session.rollback()
        if job is not None:
            job.state, job.finished_at = "failed", clock.now()
            job.message = f"导入在处理到第 {report.processed} 行后中断（{type(exc).__name__}），已导入的工单保留；修正后可重新导入同一文件。"
            db.session.commit()
        raise
    if dry_run:
        db.session.rollback()  # nothing was written; make sure of it
    if job is not None:
        record_progress(job, report, finished=True)
    return report


def _import_rows(table, report, seen, checker, channel, vault, dry_run, decide, job, progress, now) -> None:
    for row in table.rows:
        order_no = row.values.get("工单编号", "")
        try:
            intake = checker.intake(row.values)
            if order_no in seen:  # imported before, or earlier in this file
                report.duplicates += 1
            else:
                decision = decide(intake.title, intake.body, intake.district_id)
                report.routes[decision.department.name if decision.automatic else "待人工分拨"] += 1
                if not dry_run:
                    receipt = submit(intake, channel=channel, vault=vault, decision=decision, now=now)
                    report.duplicates += receipt.replayed  # a concurrent import stored it first
                    report.created += not receipt.replayed
                    db.session.commit()
                else:
                    report.created += 1
            seen.add(order_no)
        except (RowError, WorkflowError) as exc:
            db.session.rollback()
            report.errors.append((row.line, order_no, str(exc)))
        report.processed += 1
        if job is not None and (report.processed % JOB_EVERY == 0 or report.processed == report.total):
            record_progress(job, report)
        if progress is not None:
            progress(report)


JOB_EVERY = 25
KEYS_PER_QUERY = 500


def imported_keys(channel: Channel, keys: list[str]) -> set[str]:
    """The work-order numbers among ``keys`` already stored on ``channel`` (a few queries, not one per row)."""
    found: set[str] = set()
    wanted = sorted({key for key in keys if key})
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        chunk = wanted[start : start + KEYS_PER_QUERY]
        found.update(
            db.session.scalars(
                sa.select(Suggestion.idempotency_key).where(
                    Suggestion.channel == channel, Suggestion.idempotency_key.in_(chunk)
                )
            )
        )
    return found


def record_progress(job: ImportJob, report: ImportReport, *, finished: bool = False) -> None:
    """Write ``report``'s counts to the job row and commit (the admin page reads them while the import runs)."""
    job.total_rows, job.processed, job.created = report.total, report.processed, report.created
    job.duplicates, job.invalid = report.duplicates, report.invalid
    job.updated_at = clock.now()
    if finished:
        job.state, job.finished_at = "done", job.updated_at
        job.error_report = report.error_csv() if report.errors else ""
        job.message = summary(report, dry_run=job.dry_run)
    db.session.commit()


def summary(report: ImportReport, *, dry_run: bool) -> str:
    """One line in Chinese: what was (or, in a dry run, would be) done."""
    verb = "将新增" if dry_run else "新增"
    text = f"共 {report.total} 行：{verb} {report.created} 件，已导入过（跳过） {report.duplicates} 件，有误 {report.invalid} 行。"
    if report.routes:
        top = "、".join(f"{name} {count}" for name, count in report.routes.most_common(5))
        text += f" 分拨{'预计' if dry_run else ''}：{top}。"
    return text
