"""CSV export of a queue: personal data masked by default; unmasked only for admins, with a reason, audited."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, stream_with_context, url_for
from flask_login import current_user

from suggestions import clock
from suggestions.extensions import db
from suggestions.forms import ReasonForm
from suggestions.insight import queues
from suggestions.models import Suggestion
from suggestions.privacy.disclosure import record_audit
from suggestions.privacy.vault import mask_phone
from suggestions.views.common import phone_vault
from suggestions.views.triage import bp
from suggestions.views.triage.lists import _filter_form, _queue_filter, due_soon_window
from suggestions.views.triage.visibility import STAFF
from suggestions.web.errors import refuse
from suggestions.web.login import role_required
from suggestions.workflow import STATUS_LABELS, Role
from suggestions.workflow.deadlines import deadline_state

MAX_ROWS = 20_000
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


def mask_name(name: str | None) -> str:
    return (name[0] + "*" * (len(name) - 1)) if name else ""


def _rows(items, unmasked: bool):
    vault, now, soon = phone_vault(), clock.now(), due_soon_window()
    for s in items:
        hidden = s.confidential and not unmasked
        phone = vault.decrypt(s.phone_ciphertext) if unmasked and s.phone_ciphertext else (s.phone_masked or "")
        state = deadline_state(s.due_at, now, soon)
        yield [
            s.tracking_code,
            clock.local(s.received_at).strftime("%Y-%m-%d %H:%M"),
            s.channel.label,
            STATUS_LABELS[s.status],
            {"overdue": "超期", "due_soon": "即将超期"}.get(state, ""),
            s.campaign.year if s.campaign else "",
            s.domain.name if s.domain else "",
            s.category.name if s.category else "",
            s.department.name if s.department else "",
            s.district.name if s.district else "",
            s.title,
            s.body,
            "保密" if hidden else (s.contact_name or "") if unmasked else mask_name(s.contact_name),
            "保密" if hidden else (phone if unmasked else mask_phone(phone) if len(phone) == 11 else phone),
        ]


def _csv_response(rows: list[list], filename: str) -> Response:
    """Stream rows that were read before the request committed: after the commit the ORM objects are expired
    and, under gunicorn, no longer bound to a session (the crawl test found the 500 this used to give)."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(row)
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _selected():
    form = _filter_form()
    selection = _queue_filter(form)
    if form.errors:  # never export more than the queue page shows
        refuse(400, "筛选条件有误，请返回工单队列修改后再导出。")
    query = queues.filtered(selection, clock.now(), due_soon_window())
    return db.session.scalars(query.options(sa.orm.selectinload(Suggestion.campaign)).limit(MAX_ROWS)).all()


@bp.route("/queue/export.csv")
@role_required(*STAFF)
def export_masked():
    """The current queue, filters applied, with names and phone numbers masked."""
    rows = list(_rows(_selected(), unmasked=False))
    record_audit(current_user, "export", details={"rows": len(rows), "filters": dict(request.args)})
    db.session.commit()
    return _csv_response(rows, filename="jindianzi-export.csv")


@bp.route("/queue/export-unmasked.csv", methods=["POST"])
@role_required(Role.ADMIN)
def export_unmasked():
    """Full contact data, for administrators only, with a written reason kept in the audit log."""
    form = ReasonForm(prefix="export")
    if not form.validate_on_submit():
        flash("导出完整个人信息须填写理由。", "error")
        return redirect(url_for(".queue", **request.args), 303)
    if current_user.role != Role.ADMIN:
        abort(403)
    rows = list(_rows(_selected(), unmasked=True))
    record_audit(
        current_user,
        "export_unmasked",
        reason=form.reason.data,
        details={"rows": len(rows), "filters": dict(request.args)},
    )
    db.session.commit()
    return _csv_response(rows, filename="jindianzi-export-unmasked.csv")
