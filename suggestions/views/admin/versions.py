"""Routing model versions, their figures, and what staff corrected."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template

from suggestions.extensions import db
from suggestions.models import ModelVersion
from suggestions.routing.retraining import correction_pairs
from suggestions.views.admin import bp
from suggestions.web.login import role_required
from suggestions.workflow import Role

STATE_LABELS = {"candidate": "待比较", "promoted": "使用中", "refused": "未采用（不如现用模型）", "retired": "已替换"}


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
    )
