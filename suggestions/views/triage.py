"""Staff queues and the suggestion detail page; dispatchers route items from here."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from suggestions import queues, services
from suggestions.auth import role_required
from suggestions.extensions import db
from suggestions.forms import DispatchForm
from suggestions.models import Category, Department, Suggestion
from suggestions.views.common import active_categories, active_departments
from suggestions.workflow import Role, WorkflowError

bp = Blueprint("triage", __name__)

STAFF = (Role.OPERATOR, Role.DISPATCHER, Role.OFFICER, Role.ADMIN)
DISPATCHERS = (Role.DISPATCHER, Role.ADMIN)


def visible_suggestion(suggestion_id: int) -> Suggestion:
    """Load an item the current user may see; another department's item is 'not found' to an officer."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None:
        abort(404)
    if current_user.role == Role.OFFICER and suggestion.department_id != current_user.department_id:
        abort(404)
    return suggestion


def _dispatch_form() -> DispatchForm:
    form = DispatchForm()
    form.department.choices = [(None, "请选择")] + [(d.id, d.name) for d in active_departments()]
    form.category.choices = [(None, "不变")] + [(c.id, c.name) for c in active_categories()]
    return form


@bp.route("/queue")
@role_required(*STAFF)
def queue():
    if current_user.role == Role.OFFICER:
        department_id = current_user.department_id
        query = queues.department_queue(department_id)
    else:
        department_id = request.args.get("department", type=int)
        query = queues.department_queue(department_id) if department_id else queues.open_items()
    page = db.paginate(query, per_page=current_app.config["QUEUE_PAGE_SIZE"], error_out=False)
    return render_template(
        "triage/queue.html", page=page, departments=active_departments(), department_id=department_id
    )


@bp.route("/triage")
@role_required(*DISPATCHERS)
def manual_queue():
    page = db.paginate(queues.triage_queue(), per_page=current_app.config["QUEUE_PAGE_SIZE"], error_out=False)
    categories = {c.code: c for c in active_categories()}
    return render_template(
        "triage/manual_queue.html",
        page=page,
        categories=categories,
        form=_dispatch_form(),
        model_problem=current_app.extensions["classifier"].current_problem(),
    )


@bp.route("/suggestions/<int:suggestion_id>")
@role_required(*STAFF)
def detail(suggestion_id: int):
    suggestion = visible_suggestion(suggestion_id)
    events = db.session.scalars(queues.timeline(suggestion.id)).all()
    replies = db.session.scalars(queues.public_replies(suggestion.id)).all()
    categories = {c.code: c for c in active_categories()}
    return render_template(
        "triage/detail.html",
        suggestion=suggestion,
        events=events,
        replies=replies,
        categories=categories,
        form=_dispatch_form() if current_user.role in DISPATCHERS else None,
    )


@bp.route("/suggestions/<int:suggestion_id>/dispatch", methods=["POST"])
@role_required(*DISPATCHERS)
def dispatch(suggestion_id: int):
    suggestion = visible_suggestion(suggestion_id)
    form = _dispatch_form()
    if not form.validate_on_submit():
        flash("；".join(sum(form.errors.values(), [])), "error")
        return redirect(url_for(".detail", suggestion_id=suggestion.id), 303)
    department = db.session.get(Department, form.department.data)
    category = db.session.get(Category, form.category.data) if form.category.data else None
    try:
        services.dispatch(suggestion, department, actor=current_user, category=category, reason=form.reason.data or "")
    except WorkflowError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".detail", suggestion_id=suggestion.id), 303)
    db.session.commit()
    flash(f"{suggestion.tracking_code} 已派至「{department.name}」。", "success")
    return redirect(_next_url(suggestion), 303)


def _next_url(done: Suggestion) -> str:
    """After an action from the manual queue, go on to the next item waiting there."""
    if request.form.get("from") != "detail":
        return url_for(".manual_queue")
    following = db.session.scalar(queues.next_in_queue(queues.triage_queue(), done))
    if following is None:
        following = db.session.scalar(queues.triage_queue().limit(1))
    if following is None:
        flash("待人工分拨队列已清空。", "info")
        return url_for(".manual_queue")
    return url_for(".detail", suggestion_id=following.id)
