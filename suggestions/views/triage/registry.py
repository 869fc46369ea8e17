"""Every staff action on one suggestion, declared once: name, title, workflow actions, form, service verb, panel.

The item page renders one panel per action the user may take now (``panels_for``), main action first; the
panel's fields are the template ``templates/triage/actions/<name>.html`` and everything else (heading, hint,
button, form tag, error summary) comes from the declaration.  ``views.triage.actions.act`` is the one POST
handler: it builds the form, validates it and calls ``run``, which makes one service call and returns the
message to show (or, for a reveal, the page to show).

To add an action: add its row to the workflow table (if it is new), write the service verb, add a
``StaffAction`` here and its fields template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, render_template, request

from suggestions import campaign, casework, forms, routing
from suggestions.campaign.adoption import Publication
from suggestions.extensions import db
from suggestions.insight import queues
from suggestions.insight.similarity import bigrams, similarity
from suggestions.models import CampaignDomain, Category, Department, Project, StaffUser, Suggestion
from suggestions.privacy import disclosure
from suggestions.routing.decision import RouteDecision
from suggestions.views.common import domain_choices
from suggestions.views.triage.visibility import (
    category_choices,
    department_choices,
    officer_choices,
    project_choices,
    suggestion_taxonomy,
)
from suggestions.workflow import Action, Adoption, Role, Status, Urgency, WorkflowError, available_actions

Run = Callable[[Suggestion, object, StaffUser], object]  # returns the success message, or a response to send


def _always(suggestion: Suggestion, user: StaffUser) -> bool:
    return True


@dataclass(frozen=True)
class StaffAction:
    name: str
    title: str
    actions: tuple[Action, ...]  # the workflow actions this panel can take; the table decides who and when
    form: type
    run: Run
    hint: str = ""
    primary_in: frozenset[Status] = frozenset()  # states in which this is the thing to do: shown first, open
    collapsed: bool = False  # a secondary action: a closed <details> unless its form has errors
    button: str = "secondary"
    prepare: Callable[[object, Suggestion], None] = lambda form, suggestion: None
    offered: Callable[[Suggestion, StaffUser], bool] = _always  # conditions beyond the table
    extra: dict = field(default_factory=dict)

    def permits(self, role: Role) -> bool:
        """Whether the role may take any of this panel's actions at all (the state is checked later)."""
        from suggestions.workflow import transition_for

        return any(role.value in transition_for(action).actors for action in self.actions)

    def heading(self, suggestion: Suggestion) -> str:
        if self.name == "dispatch" and suggestion.status not in (Status.NEEDS_TRIAGE, Status.RETURNED):
            return "改派"
        return self.title

    def build_form(self, suggestion: Suggestion):
        """The action's form, filled from the request on a POST, with its choice lists."""
        form = self.form(prefix=self.name)
        self.prepare(form, suggestion)
        return form


# -- service calls ---------------------------------------------------------------------------------------------


def _dispatch(s: Suggestion, f, user: StaffUser) -> str:
    department = db.session.get(Department, f.department.data)
    category = db.session.get(Category, f.category.data) if f.category.data else None
    urgency = Urgency(f.urgency.data) if f.urgency.data else None
    routing.route(s, RouteDecision.by_person(department, category), actor=user, reason=f.reason.data, urgency=urgency)
    return f"{s.tracking_code} 已派至「{department.name}」。"


def _prepare_dispatch(f, s: Suggestion) -> None:
    f.department.choices = department_choices()
    f.category.choices = category_choices("不变")
    if request.method == "GET" and s.predicted_department_id and not s.department_id:
        # Start from what routing proposed: confirming it is then one click.
        f.department.data = s.predicted_department_id


def _assign(s, f, user) -> str:
    assignee = db.session.get(StaffUser, f.assignee.data)
    casework.assign([s], assignee, actor=user)
    return f"已指派给 {assignee.display_name}。"


def _correct(s, f, user) -> str:
    category = db.session.get(Category, f.category.data) if f.category.data else None
    department = db.session.get(Department, f.department.data) if f.department.data else None
    domain = db.session.get(CampaignDomain, f.domain.data) if f.domain.data else None
    routing.correct_route(s, actor=user, category=category, department=department, domain=domain, reason=f.reason.data)
    return "纠正已记录，将用于改进自动分拨和统计。"


def _prepare_correct(f, s) -> None:
    f.category.choices = category_choices("不变")
    f.department.choices = department_choices("按类别对应部门")
    f.domain.choices = domain_choices(suggestion_taxonomy(s), "不变")


def _merge(s, f, user):
    """First show both items and ask to confirm (the page posts back with ``confirmed``); then merge."""
    query = queues.by_tracking_code(f.master_code.data)
    master = db.session.scalar(query) if query is not None else None
    if master is None:
        raise WorkflowError("找不到该追踪码对应的工单。")
    if f.confirmed.data != "yes":
        casework.check_merge(s, master)
        text = f"{s.title} {s.body}"
        score = similarity(bigrams(text), bigrams(f"{master.title} {master.body}"))
        page = render_template("triage/merge_confirm.html", suggestion=s, master=master, form=f, score=score)
        return current_app.make_response(page)
    casework.merge(s, master, actor=user, reason=f.reason.data)
    return f"已并入 {master.tracking_code}，市民仍可在自己的追踪页看到答复。如并错，可在本件页面「撤销并单」。"


def _adoption(s, f, user) -> str:
    project = db.session.get(Project, f.project.data) if f.project.data else None
    publication = Publication(f.public_title.data or "", f.public_excerpt.data or "") if f.publish.data else None
    campaign.decide_adoption(
        s, f.outcome.data, actor=user, reason=f.reason.data or "", project=project, publication=publication
    )
    told = "" if s.adoption == Adoption.EVALUATING else ("已通知市民。" if s.has_phone else "市民可在查询页看到。")
    return f"采纳评估已记录：{s.adoption.label}。{told}"


def _prepare_adoption(f, s: Suggestion) -> None:
    f.project.choices = project_choices()
    if request.method == "GET":
        # Start from the current decision, or from a suggested excerpt the dispatcher then checks.
        f.outcome.data = s.adoption.value if s.adoption else None
        f.project.data, f.reason.data = s.project_id, s.adoption_reason
        suggested = campaign.suggested_publication(s)
        f.publish.data = s.public_excerpt is not None
        f.public_title.data = s.public_title or suggested.title
        f.public_excerpt.data = s.public_excerpt or suggested.excerpt


def _reveal(service, name: str) -> Run:
    """A reveal shows the personal data once, on its own page that is never cached; the service audits it."""

    def run(s, f, user):
        revealed = service(s, actor=user, reason=f.stated_reason(), vault=current_app.extensions["phone_vault"])
        response = current_app.make_response(render_template("triage/revealed.html", suggestion=s, **{name: revealed}))
        response.headers["Cache-Control"] = "no-store"
        return response

    return run


def _says(message: str | Callable[[Suggestion], str], call: Callable[[Suggestion, object, StaffUser], object]) -> Run:
    """A service call whose success message does not depend on its result."""

    def run(s, f, user):
        call(s, f, user)
        return message(s) if callable(message) else message

    return run


def _set_officers(f, s) -> None:
    f.assignee.choices = officer_choices(s.department_id)


def _has_phone_for(s: Suggestion, user: StaffUser) -> bool:
    return s.has_phone and not (s.confidential and user.role == Role.OFFICER)


def _callback_open(s: Suggestion, user: StaffUser) -> bool:
    return s.status != Status.MERGED or (s.callback_result is None and casework.answered(s))


_WORKING = frozenset({Status.SIGNED, Status.IN_PROGRESS, Status.REDO})

# Default order of the panels; the main action of the item's state comes first (``primary_in``).
ACTIONS: tuple[StaffAction, ...] = (
    StaffAction(
        "dispatch",
        "派单",
        (Action.DISPATCH, Action.REDISPATCH),
        forms.DispatchForm,
        _dispatch,
        hint="改派时须写明原因。",
        primary_in=frozenset({Status.NEEDS_TRIAGE, Status.RETURNED}),
        button="primary",
        prepare=_prepare_dispatch,
    ),
    StaffAction(
        "sign",
        "签收",
        (Action.SIGN,),
        forms.ActionForm,
        _says(lambda s: f"{s.tracking_code} 已签收。", lambda s, f, u: casework.sign(s, actor=u)),
        hint="签收后开始计算答复时限。",
        primary_in=frozenset({Status.DISPATCHED}),
        button="primary",
    ),
    StaffAction(
        "reply",
        "答复市民",
        (Action.REPLY,),
        forms.ReplyForm,
        _says("答复已提交，等待民心办审核后回访。", lambda s, f, u: casework.reply(s, f.body.data, actor=u)),
        hint="答复将显示在市民的追踪页，经民心办审核后回访。",
        primary_in=_WORKING,
        button="primary",
    ),
    StaffAction(
        "approve_reply",
        "审核通过",
        (Action.APPROVE_REPLY, Action.CLOSE_WITHOUT_CALLBACK),
        forms.ActionForm,
        _says("答复审核通过。", lambda s, f, u: casework.approve_reply(s, actor=u)),
        hint="审核通过后进入回访；无联系电话的直接办结。",
        primary_in=frozenset({Status.REPLIED}),
        button="primary",
    ),
    StaffAction(
        "send_back",
        "审核退回",
        (Action.SEND_BACK,),
        forms.ReasonForm,
        _says("已退回承办部门重新答复。", lambda s, f, u: casework.send_back(s, actor=u, reason=f.reason.data)),
        hint="请写明需要补充或改进的内容。",
        primary_in=frozenset({Status.REPLIED}),
    ),
    StaffAction(
        "approve_extension",
        "批准延期",
        (Action.APPROVE_EXTENSION,),
        forms.ActionForm,
        _says("已批准延期，答复期限已顺延。", lambda s, f, u: casework.decide_extension(s, approve=True, actor=u)),
        primary_in=frozenset({Status.EXTENSION_PENDING}),
        button="primary",
    ),
    StaffAction(
        "deny_extension",
        "驳回延期",
        (Action.DENY_EXTENSION,),
        forms.ReasonForm,
        _says(
            "已驳回延期申请。",
            lambda s, f, u: casework.decide_extension(s, approve=False, actor=u, reason=f.reason.data),
        ),
        primary_in=frozenset({Status.EXTENSION_PENDING}),
    ),
    StaffAction(
        "callback",
        "回访",
        (Action.CALLBACK_SATISFIED, Action.MERGED_CALLBACK),
        forms.CallbackForm,
        _says(
            "回访结果已记录。",
            lambda s, f, u: casework.record_callback(s, f.outcome.data, actor=u, note=f.note.data or ""),
        ),
        hint="满意/基本满意即办结；不满意转重办；3次未联系上自动办结。",
        primary_in=frozenset({Status.CALLBACK_PENDING, Status.MERGED}),
        button="primary",
        offered=_callback_open,
    ),
    StaffAction(
        "interim_reply",
        "阶段性答复",
        (Action.INTERIM_REPLY,),
        forms.ReplyForm,
        _says(
            "阶段性答复已发布，市民可在追踪页看到。", lambda s, f, u: casework.interim_reply(s, f.body.data, actor=u)
        ),
        hint="告诉市民办理进展，可满足首次答复时限。",
        collapsed=True,
    ),
    StaffAction(
        "start",
        "开始办理",
        (Action.START,),
        forms.ActionForm,
        _says("已开始办理。", lambda s, f, u: casework.start(s, actor=u)),
    ),
    StaffAction(
        "request_extension",
        "申请延期",
        (Action.REQUEST_EXTENSION,),
        forms.ExtensionForm,
        _says(
            "延期申请已提交，等待民心办审批。",
            lambda s, f, u: casework.request_extension(s, f.working_days.data, actor=u, reason=f.reason.data),
        ),
        hint="须在答复期限届满前申请，由民心办审批。",
        collapsed=True,
    ),
    StaffAction(
        "return",
        "退单",
        (Action.RETURN,),
        forms.ReasonForm,
        _says(
            lambda s: f"{s.tracking_code} 已退回民心办。",
            lambda s, f, u: casework.return_item(s, actor=u, reason=f.reason.data),
        ),
        hint="须在退单期限内、写明理由和依据。",
        collapsed=True,
        offered=lambda s, u: not s.designated,
    ),
    StaffAction(
        "assign",
        "指派承办人",
        (Action.ASSIGN,),
        forms.AssignForm,
        _assign,
        collapsed=True,
        prepare=_set_officers,
    ),
    StaffAction(
        "adoption",
        "采纳评估",
        (Action.ADOPT,),
        forms.AdoptionForm,
        _adoption,
        primary_in=frozenset({Status.CLOSED}),
        collapsed=True,
        prepare=_prepare_adoption,
    ),
    StaffAction(
        "urge",
        "催办",
        (Action.URGE,),
        forms.OptionalReasonForm,
        _says(
            "已催办，承办部门将在工单和队列中看到提醒。",
            lambda s, f, u: casework.urge(s, actor=u, note=f.reason.data or ""),
        ),
        hint="提醒承办部门尽快办理；超期后催办会在记录中注明。",
        collapsed=True,
    ),
    StaffAction(
        "merge",
        "并单",
        (Action.MERGE,),
        forms.MergeForm,
        _merge,
        hint="重复建议并入主件；市民仍能看到答复并接受回访。",
        collapsed=True,
    ),
    StaffAction(
        "unmerge",
        "撤销并单",
        (Action.UNMERGE,),
        forms.ReasonForm,
        _says(
            lambda s: f"已撤销并单，{s.tracking_code} 回到「{s.status.label}」，按原流程办理。",
            lambda s, f, u: casework.unmerge(s, actor=u, reason=f.reason.data),
        ),
        hint="并错时使用：本件回到并单前的状态和承办部门，撤销会记入办理记录。",
        collapsed=True,
        offered=lambda s, u: s.callback_result is None,
    ),
    StaffAction(
        "reject",
        "不予受理",
        (Action.REJECT,),
        forms.ReasonForm,
        _says("已作不予受理处理。", lambda s, f, u: casework.reject(s, actor=u, reason=f.reason.data)),
        hint="如属110/119/120范围请告知市民转接。",
        collapsed=True,
    ),
    StaffAction(
        "correct_route",
        "纠正分类",
        (Action.CORRECT_ROUTE,),
        forms.CorrectRouteForm,
        _correct,
        hint="记录正确的类别、部门或领域，用于改进自动分拨和统计；不移动工单。",
        collapsed=True,
        prepare=_prepare_correct,
    ),
    StaffAction(
        "note",
        "内部备注",
        (Action.NOTE,),
        forms.NoteForm,
        _says("内部备注已保存（市民不可见）。", lambda s, f, u: casework.add_note(s, f.body.data, actor=u)),
        hint="仅工作人员可见。",
        collapsed=True,
    ),
    StaffAction(
        "reveal",
        "查看完整联系电话",
        (Action.REVEAL_CONTACT,),
        forms.RevealForm,
        _reveal(disclosure.reveal_phone, "phone"),
        hint="查看将被记录（谁、何时、为什么）。",
        collapsed=True,
        offered=_has_phone_for,
    ),
    StaffAction(
        "reveal_text",
        "查看原文（含个人信息）",
        (Action.REVEAL_TEXT,),
        forms.RevealForm,
        _reveal(disclosure.reveal_original, "original"),
        hint="原文中的电话、身份证号已遮盖；查看原文将被记录。",
        collapsed=True,
        offered=lambda s, u: s.body_sealed is not None,
    ),
)

BY_NAME: dict[str, StaffAction] = {action.name: action for action in ACTIONS}


def panels_for(suggestion: Suggestion, user: StaffUser) -> list[StaffAction]:
    """The actions ``user`` may take on ``suggestion`` now: the state's main actions first, then table order."""
    allowed = {rule.action for rule in available_actions(suggestion.status, user.role.value)}
    offered = [a for a in ACTIONS if allowed.intersection(a.actions) and a.offered(suggestion, user)]
    return sorted(offered, key=lambda a: suggestion.status not in a.primary_in)
