"""Who looked at personal data, and who exported it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from suggestions.extensions import db
from suggestions.models import AuditEntry, SuggestionEvent
from suggestions.views.admin import bp
from suggestions.views.common import page_number
from suggestions.web.login import role_required
from suggestions.workflow import Action, Role


@bp.route("/audit")
@role_required(Role.ADMIN)
def audit():
    reveals = db.paginate(
        sa.select(SuggestionEvent)
        .where(SuggestionEvent.action.in_([Action.REVEAL_CONTACT, Action.REVEAL_TEXT]))
        .order_by(SuggestionEvent.id.desc()),
        page=page_number(),
        per_page=50,
        error_out=False,
    )
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(100)).all()
    # An export's start entry is shown only while no closing entry says how it ended (then it was cut off).
    closed = {e.details.get("export_id") for e in entries if e.details.get("outcome") in ("complete", "failed")}
    exports = [e for e in entries if not (e.details.get("outcome") == "started" and e.details["export_id"] in closed)]
    return render_template("admin/audit.html", reveals=reveals, exports=exports)
