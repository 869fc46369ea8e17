"""A department's work on its items: sign, return, start, assign, notes, replies and extensions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import ExtensionRequest, Note, Reply, StaffUser, Suggestion
from suggestions.workflow import Action, Role, Status, WorkflowError
from suggestions.workflow.deadlines import DeadlinePlanner
from suggestions.workflow.steps import transition

MAX_EXTENSIONS = 1
MAX_EXTENSION_DAYS = 15

# A reply template marks what the officer must write in, e.g. （请填写政策名称和要点）; in any bracket style.
_PLACEHOLDER = re.compile(
    r"[（(【\[〔][^（）()【】\[\]〔〕]{0,40}?请(?:填写|补充|输入|注明)[^（）()【】\[\]〔〕]{0,40}[）)】\]〕]"
)


def unfilled_placeholders(text: str) -> list[str]:
    """The template placeholders still in a reply, as written (an empty list when it is complete)."""
    return _PLACEHOLDER.findall(text or "")


def refuse_unfilled(text: str) -> None:
    """A reply reaches the resident's tracking page as written: refuse one with a template's placeholder left in."""
    left = unfilled_placeholders(text)
    if left:
        raise WorkflowError(placeholder_message(left))


def placeholder_message(left: list[str]) -> str:
    shown = "、".join(f"「{item}」" for item in dict.fromkeys(left))
    return f"答复中还有模板里待填写的内容{shown}，市民会原样看到，请改成实际情况后再提交。"


def _same_department(suggestion: Suggestion, actor: StaffUser) -> None:
    if actor.role == Role.OFFICER and suggestion.department_id != actor.department_id:
        raise WorkflowError("该工单不属于您的部门。")


def sign(suggestion: Suggestion, *, actor: StaffUser, now: datetime | None = None) -> Suggestion:
    """Sign for an item (签收); the officer who signs becomes its assignee unless one is set."""
    _same_department(suggestion, actor)
    now = now or clock.now()
    late = suggestion.sign_due_at is not None and now > suggestion.sign_due_at
    with transition(suggestion, Action.SIGN, actor=actor, details={"late": late} if late else None, now=now):
        if suggestion.assignee is None:
            suggestion.assignee = actor
    return suggestion


def bulk_sign(suggestions: Iterable[Suggestion], *, actor: StaffUser, now: datetime | None = None) -> list[Suggestion]:
    """Sign for several items; items that cannot be signed for are skipped and reported."""
    skipped = []
    for suggestion in suggestions:
        if suggestion.status != Status.DISPATCHED or suggestion.department_id != actor.department_id:
            skipped.append(suggestion)
            continue
        sign(suggestion, actor=actor, now=now)
    return skipped


def return_item(suggestion: Suggestion, *, actor: StaffUser, reason: str, now: datetime | None = None) -> Suggestion:
    """Return an item to the campaign office (退单), within the return window and with a reason."""
    _same_department(suggestion, actor)
    now = now or clock.now()
    if suggestion.designated:
        raise WorkflowError("该工单已由民心办指定承办，不能再退单。")
    if suggestion.return_due_at is not None and now > suggestion.return_due_at:
        raise WorkflowError("已超过退单时限，请按规定办理；确需调整请联系民心办改派。")
    with transition(suggestion, Action.RETURN, actor=actor, reason=reason, now=now, release_department=True):
        suggestion.return_count += 1
    return suggestion


def start(suggestion: Suggestion, *, actor: StaffUser, now: datetime | None = None) -> Suggestion:
    """Start working on a signed item (开始办理)."""
    _same_department(suggestion, actor)
    with transition(suggestion, Action.START, actor=actor, now=now):
        pass
    return suggestion


def assign(
    suggestions: Iterable[Suggestion], assignee: StaffUser, *, actor: StaffUser, now: datetime | None = None
) -> list[Suggestion]:
    """Give items to one officer of their department."""
    done = []
    for suggestion in suggestions:
        _same_department(suggestion, actor)
        if assignee.role != Role.OFFICER or assignee.department_id != suggestion.department_id:
            raise WorkflowError(f"{assignee.display_name} 不是承办部门的工作人员。")
        with transition(suggestion, Action.ASSIGN, actor=actor, details={"assignee": assignee.display_name}, now=now):
            suggestion.assignee = assignee
        done.append(suggestion)
    return done


def add_note(suggestion: Suggestion, body: str, *, actor: StaffUser, now: datetime | None = None) -> Note:
    """Add an internal note; residents never see it."""
    _same_department(suggestion, actor)
    now = now or clock.now()
    with transition(suggestion, Action.NOTE, actor=actor, now=now):
        note = Note(suggestion_id=suggestion.id, author_id=actor.id, body=body.strip(), created_at=now)
        db.session.add(note)
    return note


def _publish_reply(suggestion: Suggestion, body: str, actor: StaffUser, now: datetime, final: bool) -> Reply:
    reply = Reply(
        suggestion_id=suggestion.id,
        author_id=actor.id,
        department_id=suggestion.department_id,
        body=body.strip(),
        is_final=final,
        created_at=now,
    )
    db.session.add(reply)
    if suggestion.first_replied_at is None:
        suggestion.first_replied_at = now
    return reply


def interim_reply(suggestion: Suggestion, body: str, *, actor: StaffUser, now: datetime | None = None) -> Reply:
    """Tell the resident how the item is being handled (阶段性答复); meets the first-reply limit."""
    _same_department(suggestion, actor)
    refuse_unfilled(body)
    now = now or clock.now()
    with transition(suggestion, Action.INTERIM_REPLY, actor=actor, now=now):
        reply = _publish_reply(suggestion, body, actor, now, final=False)
    return reply


def reply(suggestion: Suggestion, body: str, *, actor: StaffUser, now: datetime | None = None) -> Reply:
    """Answer the resident (答复); the campaign office reviews it before the callback."""
    _same_department(suggestion, actor)
    refuse_unfilled(body)
    now = now or clock.now()
    late = suggestion.reply_due_at is not None and now > suggestion.reply_due_at
    with transition(suggestion, Action.REPLY, actor=actor, details={"late": late} if late else None, now=now):
        published = _publish_reply(suggestion, body, actor, now, final=True)
        suggestion.replied_at = now
    return published


def request_extension(
    suggestion: Suggestion, working_days: int, *, actor: StaffUser, reason: str, now: datetime | None = None
) -> ExtensionRequest:
    """Ask for more time before the reply is due; the campaign office decides."""
    _same_department(suggestion, actor)
    now = now or clock.now()
    if suggestion.extension_count >= MAX_EXTENSIONS:
        raise WorkflowError(f"每件工单最多申请延期 {MAX_EXTENSIONS} 次。")
    if suggestion.reply_due_at is not None and now > suggestion.reply_due_at:
        raise WorkflowError("延期须在答复期限届满前申请。")
    if not 1 <= working_days <= MAX_EXTENSION_DAYS:
        raise WorkflowError(f"延期天数应为 1–{MAX_EXTENSION_DAYS} 个工作日。")
    with transition(
        suggestion,
        Action.REQUEST_EXTENSION,
        actor=actor,
        reason=reason,
        details={"working_days": working_days},
        now=now,
    ):
        request = ExtensionRequest(
            suggestion_id=suggestion.id,
            requested_by_id=actor.id,
            working_days=working_days,
            reason=reason.strip(),
            created_at=now,
            previous_due_at=suggestion.reply_due_at,
        )
        db.session.add(request)
        suggestion.extension_count += 1
    return request


def pending_extension(suggestion: Suggestion) -> ExtensionRequest | None:
    return db.session.scalar(
        sa.select(ExtensionRequest)
        .where(ExtensionRequest.suggestion_id == suggestion.id, ExtensionRequest.approved.is_(None))
        .order_by(ExtensionRequest.id.desc())
    )


def decide_extension(
    suggestion: Suggestion, *, approve: bool, actor: StaffUser, reason: str = "", now: datetime | None = None
) -> ExtensionRequest:
    """Approve (the reply due date moves) or deny an extension request."""
    now = now or clock.now()
    request = pending_extension(suggestion)
    if request is None:
        raise WorkflowError("没有待审批的延期申请。")
    new_due = DeadlinePlanner(suggestion, now).extend(suggestion.reply_due_at or now, request.working_days)
    with transition(
        suggestion,
        Action.APPROVE_EXTENSION if approve else Action.DENY_EXTENSION,
        actor=actor,
        reason=reason,
        details={"working_days": request.working_days, "new_due_at": new_due.isoformat() if approve else None},
        now=now,
    ):
        if approve:
            suggestion.reply_due_at = new_due
            request.new_due_at = new_due
        request.approved = approve
        request.decided_by_id = actor.id
        request.decided_at = now
        request.decision_reason = (reason or "").strip()
    return request
