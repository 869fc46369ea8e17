"""POST actions on one suggestion: the one handler for every action in the registry, and bulk actions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from suggestions import casework, forms
from suggestions.extensions import db
from suggestions.insight import queues
from suggestions.models import StaffUser, Suggestion
from suggestions.views.triage import bp
from suggestions.views.triage.detail import render_detail
from suggestions.views.triage.registry import BY_NAME
from suggestions.views.triage.visibility import STAFF, can_see, officer_choices, visible_suggestion
from suggestions.web.login import role_required
from suggestions.workflow import NotPermitted, Role, WorkflowError


@bp.route("/suggestions/<id:suggestion_id>/<name>", methods=["POST"])
@role_required(*STAFF)
def act(suggestion_id: int, name: str):
    """Take one action; a refused or invalid one shows the item again with the error at the form, text kept."""
    action = BY_NAME.get(name)
    if action is None:
        abort(404)
    suggestion = visible_suggestion(suggestion_id)
    if not action.permits(current_user.role):
        abort(403)
    form = action.build_form(suggestion)
    queue = form.queue.data or ""
    if not form.validate_on_submit():
        return render_detail(suggestion, queue, failed=form, status=400)
    try:
        outcome = action.run(suggestion, form, current_user)
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except WorkflowError as exc:
        db.session.rollback()
        suggestion = db.session.get(Suggestion, suggestion_id)
        return render_detail(suggestion, queue, failed=form, refusal=exc.message, status=409)
    db.session.commit()
    if not isinstance(outcome, str):
        return outcome  # a page of its own (a reveal)
    flash(outcome, "success")
    return redirect(next_url(suggestion, queue), 303)


def next_url(done: Suggestion, queue: str) -> str:
    """Where to go after an action: the next item of the queue the user came from.

    ``queue`` is a queue name (go on to its next item), ``<name>-list`` (back to
    that list page) or empty (stay on the item if it is still visible).
    """
    if queue.endswith("-list") and queue[: -len("-list")] in queues.NAMED_QUEUES:
        return url_for(".work_queue", name=queue[: -len("-list")])
    if queue in queues.NAMED_QUEUES or queue == "department":
        source = (
            queues.department_queue(current_user.department_id) if queue == "department" else queues.named_queue(queue)
        )
        following = db.session.scalar(queues.next_in_queue(source, done)) or db.session.scalar(
            source.where(Suggestion.id != done.id).limit(1)
        )
        if following is not None:
            return url_for(".detail", suggestion_id=following.id, queue=queue)
        if db.session.scalar(source.where(Suggestion.id == done.id)) is not None:
            flash("这是队列中的最后一件。", "info")
            return url_for(".detail", suggestion_id=done.id, queue=queue)
        flash("该队列已全部处理完。", "info")
        return url_for(".queue") if queue == "department" else url_for(".work_queue", name=queue)
    if can_see(current_user, done):
        return url_for(".detail", suggestion_id=done.id)
    return url_for(".queue")


@bp.route("/queue/bulk", methods=["POST"])
@role_required(Role.OFFICER, Role.DISPATCHER, Role.ADMIN)
def bulk():
    """Bulk sign-for (officers) and bulk assignment within a department."""
    form = forms.BulkForm()
    department_id = current_user.department_id if current_user.role == Role.OFFICER else None
    form.assignee.choices = (
        officer_choices(department_id)
        if department_id
        else [(None, "请选择")]
        + [
            (o.id, o.display_name)
            for o in db.session.scalars(sa.select(StaffUser).where(StaffUser.role == Role.OFFICER, StaffUser.is_active))
        ]
    )
    if not form.validate_on_submit():
        flash("；".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(request.referrer if _same_site(request.referrer) else url_for(".queue"), 303)
    items = [
        s
        for s in db.session.scalars(sa.select(Suggestion).where(Suggestion.id.in_(form.ids.data)))
        if can_see(current_user, s)
    ]
    try:
        if form.operation.data == "sign":
            if current_user.role != Role.OFFICER:
                abort(403)
            skipped = casework.bulk_sign(items, actor=current_user)
            message = (
                f"已签收 {len(items) - len(skipped)} 件"
                + (f"，{len(skipped)} 件不可签收已跳过" if skipped else "")
                + "。"
            )
        else:
            assignee = db.session.get(StaffUser, form.assignee.data) if form.assignee.data else None
            if assignee is None:
                raise WorkflowError("请选择承办人。")
            casework.assign(items, assignee, actor=current_user)
            message = f"已将 {len(items)} 件指派给 {assignee.display_name}。"
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except WorkflowError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".queue"), 303)
    db.session.commit()
    flash(message, "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for(".queue"), 303)


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)
