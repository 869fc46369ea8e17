"""What routing would do with a batch of texts, without recording anything (``flask suggestions route-preview``).

Administrators try their keyword rules and domain signals on a CSV before a campaign opens; reviewers score the
served model and rules on messages read by hand.  Each row goes through the same ``route_text`` and
``decide_domain`` as a real submission (live configuration, served model, today's campaign); nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from suggestions import clock
from suggestions.campaign.taxonomy import domain_named, taxonomy_campaign
from suggestions.extensions import db
from suggestions.models import District
from suggestions.routing.decision import route_text
from suggestions.routing.domains import OTHER, decide_domain

REQUIRED_COLUMNS = ("id", "title", "body")
OPTIONAL_COLUMNS = ("district", "domain")
# Some exports hold whole letters in one cell; the csv module's default limit is 128 KiB.
FIELD_LIMIT = 1 << 24


class PreviewError(Exception):
    """The file as a whole cannot be read (not a row problem); the message is for the person running it."""


@dataclass
class Preview:
    predictions: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"predictions": self.predictions, "errors": self.errors}


def read_csv(data: bytes) -> list[tuple[int, dict]]:
    """(line number, row) pairs of a UTF-8 CSV (a BOM is fine) with at least ``REQUIRED_COLUMNS``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PreviewError(f"文件不是 UTF-8 编码（第 {exc.start} 个字节处）：请在 Excel 中另存为“CSV UTF-8”。") from exc
    csv.field_size_limit(FIELD_LIMIT)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise PreviewError(f"缺少列：{', '.join(missing)}（需要 id,title,body，可选 district,domain）。")
    reader.fieldnames = columns
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise PreviewError(f"第 {reader.line_num} 行无法读取：{exc}") from exc


def preview(rows: Iterable[tuple[int, dict]]) -> Preview:
    """Predict each row; a bad row becomes an error naming its line and id, and the rest go on."""
    result = Preview()
    campaign = taxonomy_campaign(clock.local_today())
    districts = {d.name: d for d in db.session.scalars(sa.select(District))}
    for line, row in rows:
        row_id = (row.get("id") or "").strip()
        try:
            result.predictions.append(_predict(row_id, row, campaign, districts))
        except ValueError as exc:
            result.errors.append(
                {"line": line, "id": row_id or None, "error": f"第 {line} 行（id={row_id or '空'}）：{exc}"}
            )
    db.session.rollback()  # nothing of a preview is ever kept
    return result


def _predict(row_id: str, row: dict, campaign, districts: dict[str, District]) -> dict:
    if None in row:
        raise ValueError("列数多于表头，请检查是否有未加引号的逗号。")
    if not row_id:
        raise ValueError("缺少 id。")
    title, body = (row.get("title") or "").strip(), (row.get("body") or "").strip()
    if not body and not title:
        raise ValueError("标题和内容都为空。")
    district = None
    if (name := (row.get("district") or "").strip()) and name != "全市":
        district = districts.get(name) or districts.get(f"{name}区")
        if district is None:
            raise ValueError(f"没有名为「{name}」的区。")
    chosen = None
    if (name := (row.get("domain") or "").strip()) and name != OTHER:
        chosen = domain_named(campaign, name)
        if chosen is None:
            raise ValueError(f"本次征集没有领域「{name}」。")
    decision = route_text(title, body, district.id if district else None)
    domain = decide_domain(title, body, decision, chosen, campaign=campaign)
    prediction = domain.prediction
    return {
        "id": row_id,
        "domain": domain.domain.name if domain.domain else OTHER,
        "domain_source": domain.source.value if domain.source else None,
        "predicted_domain": prediction.name if prediction else None,
        "domain_reason": prediction.reason if prediction else None,
        "category": decision.category.code if decision.category else None,
        "department": decision.department.name if decision.department else None,
        "handler_type": decision.handler.handler_type if decision.handler else None,
        "confidence": decision.confidence,
        "automatic": decision.automatic,
        "reason": decision.reason,
    }
