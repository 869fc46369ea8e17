"""POST actions on one suggestion.  Each is one service call; the table below wires them up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from suggestions import background_routing, forms, queues, services
from suggestions.auth import role_required
from suggestions.extensions import db
from suggestions.models import Category, Department, Project, StaffUser, Suggestion
from suggestions.views.triage import bp
from suggestions.views.triage.access import (
    DISPATCHERS,
    STAFF,
    can_see,
    category_choices,
    department_choices,
    officer_choices,
    project_choices,
    visible_suggestion,
)
from suggestions.workflow import Action, NotPermitted, Role, Urgency, WorkflowError, transition_for


@dataclass(frozen=True)
class ActionView:
    form: type
    run: Callable[[Suggestion, object, StaffUser], str]  # returns the success message
    actions: tuple[Action, ...]  # the workflow actions this panel can take
    prepare: Callable[[object, Suggestion], None] = lambda form, suggestion: None

    def permits(self, role: Role) -> bool:
        """Whether the role may take any of this panel's actions at all (the state is checked later)."""
        return any(role.value in transition_for(action).actors for action in self.actions)


def _dispatch(s, f, user):
    department = db.session.get(Department, f.department.data)
    category = db.session.get(Category, f.category.data) if f.category.data else None
    urgency = Urgency(f.urgency.data) if f.urgency.data else None
    services.dispatch(s, department, actor=user, category=category, reason=f.reason.data, urgency=urgency)
    return f"{s.tracking_code} 已派至「{department.name}」。"


def _prepare_dispatch(f, s):
    f.department.choices = department_choices()
    f.category.choices = category_choices("不变")
    if request.method == "GET" and s.predicted_department_id and not s.department_id:
        # Start from what routing proposed: confirming it is then one click.
        f.department.data = s.predicted_department_id


def _assign(s, f, user):
    assignee = db.session.get(StaffUser, f.assignee.data)
    services.assign([s], assignee, actor=user)
    return f"已指派给 {assignee.display_name}。"


def _correct(s, f, user):
    category = db.session.get(Category, f.category.data)
    department = db.session.get(Department, f.department.data) if f.department.data else None
    services.correct_route(s, actor=user, category=category, department=department, reason=f.reason.data)
    return "分类纠正已记录，将用于改进自动分拨。"


def _prepare_correct(f, s):
    f.category.choices = category_choices()
    f.department.choices = department_choices("按类别对应部门")


def _merge(s, f, user):
    query = queues.by_tracking_code(f.master_code.data)
    master = db.session.scalar(query) if query is not None else None
    if master is None:
        raise WorkflowError("找不到该追踪码对应的工单。")
    services.merge(s, master, actor=user, reason=f.reason.data)
    return f"已并入 {master.tracking_code}，市民仍可在自己的追踪页看到答复。"


def _extension(s, f, user):
    services.request_extension(s, f.working_days.data, actor=user, reason=f.reason.data)
    return "延期申请已提交，等待民心办审批。"


def _callback(s, f, user):
    services.record_callback(s, f.outcome.data, actor=user, note=f.note.data or "")
    return "回访结果已记录。"


def _adoption(s, f, user):
    project = db.session.get(Project, f.project.data) if f.project.data else None
    services.decide_adoption(s, f.outcome.data, actor=user, reason=f.reason.data or "", project=project)
    return "采纳评估已记录。"


def _prepare_adoption(f, s):
    f.project.choices = project_choices()


def _say(call: Callable, message: str | Callable[[Suggestion], str]) -> Callable:
    """Wrap a service call so it returns the message to flash."""

    def run(suggestion, form, user):
        call(suggestion, form, user)
        return message(suggestion) if callable(message) else message

    return run


def _set_officers(form, suggestion):
    form.assignee.choices = officer_choices(suggestion.department_id)


ACTION_VIEWS: dict[str, ActionView] = {
    "dispatch": ActionView(forms.DispatchForm, _dispatch, (Action.DISPATCH, Action.REDISPATCH), _prepare_dispatch),
    "reject": ActionView(
        forms.ReasonForm,
        _say(lambda s, f, u: services.reject(s, actor=u, reason=f.reason.data), "已作不予受理处理。"),
        (Action.REJECT,),
    ),
    "merge": ActionView(forms.MergeForm, _merge, (Action.MERGE,)),
    "sign": ActionView(
        forms.ActionForm,
        _say(lambda s, f, u: services.sign(s, actor=u), lambda s: f"{s.tracking_code} 已签收。"),
        (Action.SIGN,),
    ),
    "return": ActionView(
        forms.ReasonForm,
        _say(
            lambda s, f, u: services.return_item(s, actor=u, reason=f.reason.data),
            lambda s: f"{s.tracking_code} 已退回民心办。",
        ),
        (Action.RETURN,),
    ),
    "start": ActionView(
        forms.ActionForm, _say(lambda s, f, u: services.start(s, actor=u), "已开始办理。"), (Action.START,)
    ),
    "assign": ActionView(forms.AssignForm, _assign, (Action.ASSIGN,), _set_officers),
    "note": ActionView(
        forms.NoteForm,
        _say(lambda s, f, u: services.add_note(s, f.body.data, actor=u), "内部备注已保存（市民不可见）。"),
        (Action.NOTE,),
    ),
    "interim_reply": ActionView(
        forms.ReplyForm,
        _say(lambda s, f, u: services.interim_reply(s, f.body.data, actor=u), "阶段性答复已发布，市民可在追踪页看到。"),
        (Action.INTERIM_REPLY,),
    ),
    "reply": ActionView(
        forms.ReplyForm,
        _say(lambda s, f, u: services.reply(s, f.body.data, actor=u), "答复已提交，等待民心办审核后回访。"),
        (Action.REPLY,),
    ),
    "request_extension": ActionView(forms.ExtensionForm, _extension, (Action.REQUEST_EXTENSION,)),
    "approve_extension": ActionView(
        forms.ActionForm,
        _say(lambda s, f, u: services.decide_extension(s, approve=True, actor=u), "已批准延期，答复期限已顺延。"),
        (Action.APPROVE_EXTENSION,),
    ),
    "deny_extension": ActionView(
        forms.ReasonForm,
        _say(
            lambda s, f, u: services.decide_extension(s, approve=False, actor=u, reason=f.reason.data),
            "已驳回延期申请。",
        ),
        (Action.DENY_EXTENSION,),
    ),
    "approve_reply": ActionView(
        forms.ActionForm,
        _say(lambda s, f, u: services.approve_reply(s, actor=u), "答复审核通过。"),
        (Action.APPROVE_REPLY, Action.CLOSE_WITHOUT_CALLBACK),
    ),
    "send_back": ActionView(
        forms.ReasonForm,
        _say(lambda s, f, u: services.send_back(s, actor=u, reason=f.reason.data), "已退回承办部门重新答复。"),
        (Action.SEND_BACK,),
    ),
    "callback": ActionView(forms.CallbackForm, _callback, (Action.CALLBACK_SATISFIED, Action.MERGED_CALLBACK)),
    "correct_route": ActionView(forms.CorrectRouteForm, _correct, (Action.CORRECT_ROUTE,), _prepare_correct),
    "adoption": ActionView(forms.AdoptionForm, _adoption, (Action.ADOPT,), _prepare_adoption),
}


@bp.route("/suggestions/<id:suggestion_id>/<name>", methods=["POST"])
@role_required(*STAFF)
def act(suggestion_id: int, name: str):
    view = ACTION_VIEWS.get(name)
    if view is None:
        abort(404)
    suggestion = visible_suggestion(suggestion_id)
    if not view.permits(current_user.role):
        abort(403)
    form = view.form(prefix=name)
    view.prepare(form, suggestion)
    queue = form.queue.data or ""
    if not form.validate_on_submit():
        flash("；".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for(".detail", suggestion_id=suggestion.id, queue=queue or None), 303)
    back = url_for(".detail", suggestion_id=suggestion.id, queue=queue or None)
    message, refusal = _attempt(lambda: view.run(suggestion, form, current_user), back)
    if refusal is not None:
        return refusal
    db.session.commit()
    flash(message, "success")
    return redirect(next_url(suggestion, queue), 303)


@bp.route("/suggestions/<id:suggestion_id>/reveal", methods=["POST"])
@role_required(*STAFF)
def reveal(suggestion_id: int):
    """Show the full phone number once, on its own page that is never cached; the reveal is audited."""
    return _reveal(suggestion_id, "reveal", services.reveal_phone, "phone")


@bp.route("/suggestions/<id:suggestion_id>/reveal-text", methods=["POST"])
@role_required(*STAFF)
def reveal_text(suggestion_id: int):
    """Show the text as typed, with the personal numbers that were masked; audited like a phone reveal."""
    return _reveal(suggestion_id, "reveal_text", services.reveal_original, "original")


def _reveal(suggestion_id: int, prefix: str, service, name: str):
    suggestion = visible_suggestion(suggestion_id)
    form = forms.RevealForm(prefix=prefix)
    if not form.validate_on_submit():
        flash("查看个人信息须填写理由。", "error")
        return redirect(url_for(".detail", suggestion_id=suggestion.id), 303)
    revealed, refusal = _attempt(
        lambda: service(
            suggestion, actor=current_user, reason=form.reason.data, vault=current_app.extensions["phone_vault"]
        ),
        url_for(".detail", suggestion_id=suggestion.id),
    )
    if refusal is not None:
        return refusal
    db.session.commit()
    page = render_template("triage/revealed.html", suggestion=suggestion, **{name: revealed})
    response = current_app.make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def _attempt(call, back: str):
    """Run a service verb: ``(result, None)``, or ``(None, redirect to back)`` after a refused step.

    Either way a failure rolls back what the verb changed; a permission failure answers 403.
    """
    try:
        return call(), None
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except WorkflowError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return None, redirect(back, 303)


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


@bp.route("/triage/route-waiting", methods=["POST"])
@role_required(*DISPATCHERS)
def route_waiting():
    """Route what waits for the background router now, for when that process is not running.

    The CSRF token is checked by CSRFProtect for every POST; there is nothing else to validate.
    """
    handled = background_routing.route_waiting(limit=current_app.config["QUEUE_PAGE_SIZE"] * 8)
    count, _oldest = background_routing.backlog()
    flash(f"已自动分拨 {handled} 条建议" + (f"，还有 {count} 条等待，可再次点击。" if count else "。"), "success")
    return redirect(url_for(".manual_queue"), 303)


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
            skipped = services.bulk_sign(items, actor=current_user)
            message = (
                f"已签收 {len(items) - len(skipped)} 件"
                + (f"，{len(skipped)} 件不可签收已跳过" if skipped else "")
                + "。"
            )
        else:
            assignee = db.session.get(StaffUser, form.assignee.data) if form.assignee.data else None
            if assignee is None:
                raise WorkflowError("请选择承办人。")
            services.assign(items, assignee, actor=current_user)
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
