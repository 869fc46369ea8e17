"""Exports of a queue as CSV or XLSX: personal data masked by default; unmasked only for administrators with a
reason.  Each export leaves two audit entries with one ``export_id``: ``started`` before the first byte, then,
when the file has been handed over completely, ``complete``, or ``failed`` (an error, or the download broken
off), with the rows the file held.  A started export without a closing entry was cut off (a killed worker)."""

from __future__ import annotations

import logging
import uuid

from flask import Response, abort, flash, redirect, request, stream_with_context, url_for
from flask_login import current_user

from suggestions import clock
from suggestions.extensions import db
from suggestions.forms import ReasonForm
from suggestions.insight import exports, spreadsheets
from suggestions.models import StaffUser
from suggestions.privacy.disclosure import record_audit
from suggestions.views.common import phone_vault
from suggestions.views.triage import bp
from suggestions.views.triage.lists import _filter_form, _queue_filter, due_soon_window
from suggestions.views.triage.visibility import STAFF
from suggestions.web.errors import refuse
from suggestions.web.login import role_required
from suggestions.workflow import Role

log = logging.getLogger(__name__)

FORMATS = {"csv": spreadsheets.CSV_MIMETYPE, "xlsx": spreadsheets.XLSX_MIMETYPE}
# Who may export names and full phone numbers (always with a reason).
UNMASKED_EXPORT_ROLES = (Role.ADMIN,)


@bp.route("/queue/export.<any(csv, xlsx):fmt>")
@role_required(*STAFF)
def export_masked(fmt: str):
    """The current queue, filters applied, with names and phone numbers masked."""
    return _export(fmt, unmasked=False)


@bp.route("/queue/export-unmasked.<any(csv, xlsx):fmt>", methods=["POST"])
@role_required(*UNMASKED_EXPORT_ROLES)
def export_unmasked(fmt: str):
    """Full contact data, for administrators only, with a written reason kept in the audit log."""
    form = ReasonForm(prefix="export")
    if not form.validate_on_submit():
        flash("导出完整个人信息须填写理由。", "error")
        return redirect(url_for(".queue", **request.args), 303)
    if current_user.role not in UNMASKED_EXPORT_ROLES:
        abort(403)
    return _export(fmt, unmasked=True, reason=form.reason.data)


def _export(fmt: str, *, unmasked: bool, reason: str = "") -> Response:
    form = _filter_form()
    queue_filter = _queue_filter(form)
    if form.errors:  # never export more than the queue page shows
        refuse(400, "筛选条件有误，请返回工单队列修改后再导出。")
    now, soon, vault = clock.now(), due_soon_window(), phone_vault()
    audit = {
        "actor_id": current_user.id,
        "action": "export_unmasked" if unmasked else "export",
        "reason": reason,
        "details": {
            "export_id": uuid.uuid4().hex,
            "format": fmt,
            "filters": {k: v for k, v in request.args.items() if v},
            "rows": 0,
        },
    }
    # Recorded before the first byte: a worker killed mid-file cannot write the closing entry, and this one then
    # shows the export as unfinished instead of leaving no trace.
    _record(audit, "started")

    def counted():
        source = exports.export_rows(queue_filter, now=now, due_soon=soon, unmasked=unmasked, vault=vault)
        try:
            for row in source:
                yield row
                audit["details"]["rows"] += 1
        finally:
            source.close()

    rows = counted()
    if fmt == "csv":
        chunks = spreadsheets.csv_chunks(exports.HEADER, rows)
    else:
        chunks = spreadsheets.xlsx_chunks(exports.HEADER, rows, sheet="工单", widths=exports.WIDTHS)

    def generate():
        outcome = "failed"
        try:
            yield from chunks
            outcome = "complete"
        except GeneratorExit:
            audit["details"]["error"] = "下载中断"
            raise
        except Exception:
            log.exception("export failed")
            audit["details"]["error"] = "导出出错"
            raise
        finally:
            rows.close()  # the reading stops here, before the closing entry is written
            _record(audit, outcome)

    filename = f"jindianzi-{'unmasked-' if unmasked else ''}{clock.local(now):%Y%m%d-%H%M}.{fmt}"
    response = Response(stream_with_context(generate()), mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _record(audit: dict, outcome: str) -> None:
    """Write an audit entry in a transaction of its own (after the rows were read, for the closing one)."""
    try:
        db.session.rollback()  # end any read (SQLite cannot turn an old read snapshot into a write)
        record_audit(
            db.session.get(StaffUser, audit["actor_id"]),
            audit["action"],
            reason=audit["reason"],
            details={**audit["details"], "outcome": outcome},
        )
        db.session.commit()
    except Exception:
        log.exception("could not record the export in the audit log")
        db.session.rollback()
