"""Routing model versions, their figures, and what staff corrected."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template

from suggestions.extensions import db
from suggestions.models import ModelVersion
from suggestions.routing.retraining import correction_pairs
from suggestions.views.admin import bp
from suggestions.web.login import role_required
from suggestions.web.templating import format_time
from suggestions.workflow import Role

STATE_LABELS = {"candidate": "待比较", "promoted": "使用中", "refused": "未采用（不如现用模型）", "retired": "已替换"}
_SCHEME = re.compile(r"(\d+)x(\d+)")


def trained_at(stamp: str | None) -> str:
    """The card's ISO training time in Beijing time."""
    try:
        return format_time(datetime.fromisoformat(stamp)) if stamp else "—"
    except ValueError:
        return "—"


def evaluation_method(figures: dict) -> str:
    """How a model card's figures were measured, said for administrators (the card says it in English)."""
    match = _SCHEME.search(figures.get("scheme") or "")
    if match is None:
        return ""
    repeats, folds = match.groups()
    counted = f"，共 {figures['n']:,} 条已标注的留言" if figures.get("n") else ""
    return f"{folds} 份轮流检验、重复 {repeats} 次{counted}"


@bp.route("/models")
@role_required(Role.ADMIN)
def models():
    versions = db.session.scalars(sa.select(ModelVersion).order_by(ModelVersion.id.desc()).limit(50)).all()
    holder = current_app.extensions["classifier"]
    serving = holder.get()
    return render_template(
        "admin/models.html",
        versions=versions,
        serving=serving.card if serving else None,
        problem=holder.problem,
        pairs=correction_pairs(),
        state_labels=STATE_LABELS,
        evaluation_method=evaluation_method,
        trained_at=trained_at,
    )
