"""Workflow states of a suggestion and the single table of legal transitions.

The lifecycle follows the 12345 work order (see ../shared/docs/domain.md)::

    (new) ──submit──▶ 已受理 ──auto_dispatch / route_at_intake──▶ 已派单
                        │  └──flag_for_triage──▶ 待人工分拨 ──dispatch / auto_dispatch (re-route)──▶ 已派单
                        └──reject ⟂──▶ 不予受理          └──reject ⟂──▶ 不予受理
    已派单 ──sign──▶ 已签收 ──start──▶ 办理中 ──reply──▶ 已答复
    已派单/已签收 ──return ⟂──▶ 已退单 ──dispatch──▶ 已派单   (after 3 returns: designated)
    已派单/已签收/办理中 ──redispatch ⟂──▶ 已派单              (dispatcher corrects the route)
    已签收/办理中 ──request_extension ⟂──▶ 延期待审 ──approve/deny──▶ 办理中
    已答复 ──approve_reply──▶ 待回访 ──callback 满意/基本满意──▶ 已办结
    已答复 ──send_back ⟂──▶ 办理中                              (审核退回)
    待回访 ──callback 不满意 ⟂──▶ 重办 ──start──▶ 办理中 / ──reply──▶ 已答复
    待回访 ──callback 未联系上──▶ 待回访 (×3 ──close_unreachable──▶ 已办结)
    已办结 ──resident_dissatisfied──▶ 待回访                    (the resident rates 不满意 online; the callback decides 重办)
    已答复 ──close_without_callback──▶ 已办结                   (no phone to call back)
    any open state ──merge ⟂──▶ 已并单 (the merged item keeps its own callback and rating)
    已并单 ──unmerge ⟂──▶ the state it was merged from              (a merge undone, recorded)

Actions that are recorded without a change of state share the table: notes,
interim replies, assignment, route corrections, contact reveals ⟂, resident
ratings, callbacks of merged items, the adoption decisions (采纳, 部分采纳, 已有安排, 暂不采纳 ⟂; a
later decision revises an earlier one with a new event) and the campaign office's reminders to a
department (催办).

⟂ marks actions that need a written reason.  Overdue (超期) and due soon
(即将超期) are overlays computed from due dates, and urged (已催办) is an
overlay set by 催办; none of them is a state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from suggestions.workflow.states import (
    DEPARTMENT_STATUSES,
    OPEN_STATUSES,
    STATUS_LABELS,
    TERMINAL_STATUSES,
    Role,
    Status,
)


class Action(StrEnum):
    # changes of state
    SUBMIT = "submit"
    AUTO_DISPATCH = "auto_dispatch"
    ROUTE_AT_INTAKE = "route_at_intake"
    FLAG_FOR_TRIAGE = "flag_for_triage"
    DISPATCH = "dispatch"
    REDISPATCH = "redispatch"
    REJECT = "reject"
    SIGN = "sign"
    RETURN = "return"
    START = "start"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    DENY_EXTENSION = "deny_extension"
    REPLY = "reply"
    APPROVE_REPLY = "approve_reply"
    CLOSE_WITHOUT_CALLBACK = "close_without_callback"
    SEND_BACK = "send_back"
    CALLBACK_SATISFIED = "callback_satisfied"
    CALLBACK_DISSATISFIED = "callback_dissatisfied"
    CALLBACK_UNREACHABLE = "callback_unreachable"
    CLOSE_UNREACHABLE = "close_unreachable"
    RESIDENT_DISSATISFIED = "resident_dissatisfied"
    MERGE = "merge"
    UNMERGE = "unmerge"
    # recorded without a change of state
    ASSIGN = "assign"
    NOTE = "note"
    INTERIM_REPLY = "interim_reply"
    CORRECT_ROUTE = "correct_route"
    REVEAL_CONTACT = "reveal_contact"
    RATE = "rate"
    MERGED_CALLBACK = "merged_callback"
    EVALUATE = "evaluate"
    ADOPT = "adopt"
    PARTIALLY_ADOPT = "partially_adopt"
    ALREADY_PLANNED = "already_planned"
    NOT_ADOPT = "not_adopt"
    REVEAL_TEXT = "reveal_text"
    ANONYMISE = "anonymise"
    URGE = "urge"


# Who may take an action: staff roles, the resident, or the system itself (routing, timers).
SYSTEM = "system"
RESIDENT = "resident"
# A target meaning "back to the state the undone step left": an undone merge returns the item to where it was.
PREVIOUS_STATE = "previous"


@dataclass(frozen=True)
class Transition:
    """One row of the table; ``target`` None means the action is recorded but the state stays, and
    ``PREVIOUS_STATE`` that the step names the (open) state to return to."""

    action: Action
    sources: frozenset[Status | None]
    target: Status | str | None
    actors: frozenset[str]
    label: str
    reason_required: bool = False


def _t(action, sources, target, actors, label, reason_required=False) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), label, reason_required)


_D, _O, _P, _A = Role.DISPATCHER, Role.OFFICER, Role.OPERATOR, Role.ADMIN
_STAFF = (_P, _D, _O, _A)
_WORKING = (Status.SIGNED, Status.IN_PROGRESS, Status.REDO)
_ANSWERED = (Status.REPLIED, Status.CALLBACK_PENDING, Status.CLOSED)
_EVERY = tuple(Status)
S = Status

TRANSITIONS: tuple[Transition, ...] = (
    # intake and routing
    _t(Action.SUBMIT, [None], S.ACCEPTED, [RESIDENT, _P, SYSTEM], "登记受理"),
    _t(Action.AUTO_DISPATCH, [S.ACCEPTED, S.NEEDS_TRIAGE], S.DISPATCHED, [SYSTEM], "自动派单"),
    _t(Action.ROUTE_AT_INTAKE, [S.ACCEPTED], S.DISPATCHED, [_P], "话务员派单"),
    _t(Action.FLAG_FOR_TRIAGE, [S.ACCEPTED], S.NEEDS_TRIAGE, [SYSTEM, _P], "转人工分拨"),
    _t(Action.DISPATCH, [S.NEEDS_TRIAGE, S.RETURNED], S.DISPATCHED, [_D, _A], "派单"),
    _t(Action.REDISPATCH, [S.DISPATCHED, *_WORKING], S.DISPATCHED, [_D, _A], "改派", True),
    _t(Action.REJECT, [S.ACCEPTED, S.NEEDS_TRIAGE, S.RETURNED], S.NOT_ACCEPTED, [_D, _A], "不予受理", True),
    # the department's work
    _t(Action.SIGN, [S.DISPATCHED], S.SIGNED, [_O], "签收"),
    _t(Action.RETURN, [S.DISPATCHED, S.SIGNED], S.RETURNED, [_O], "退单", True),
    _t(Action.START, [S.SIGNED, S.REDO], S.IN_PROGRESS, [_O], "开始办理"),
    _t(Action.REQUEST_EXTENSION, [S.SIGNED, S.IN_PROGRESS, S.REDO], S.EXTENSION_PENDING, [_O], "申请延期", True),
    _t(Action.APPROVE_EXTENSION, [S.EXTENSION_PENDING], S.IN_PROGRESS, [_D, _A], "批准延期"),
    _t(Action.DENY_EXTENSION, [S.EXTENSION_PENDING], S.IN_PROGRESS, [_D, _A], "驳回延期", True),
    _t(Action.REPLY, _WORKING, S.REPLIED, [_O], "答复"),
    # review, callback and closing
    _t(Action.APPROVE_REPLY, [S.REPLIED], S.CALLBACK_PENDING, [_D, _A], "审核通过"),
    _t(Action.CLOSE_WITHOUT_CALLBACK, [S.REPLIED], S.CLOSED, [_D, _A], "审核通过（无联系电话，直接办结）"),
    _t(Action.SEND_BACK, [S.REPLIED], S.IN_PROGRESS, [_D, _A], "审核退回", True),
    _t(Action.CALLBACK_SATISFIED, [S.CALLBACK_PENDING], S.CLOSED, [_P, _D, _A], "回访办结"),
    _t(Action.CALLBACK_DISSATISFIED, [S.CALLBACK_PENDING], S.REDO, [_P, _D, _A], "回访不满意，转重办", True),
    _t(Action.CALLBACK_UNREACHABLE, [S.CALLBACK_PENDING], None, [_P, _D, _A], "回访未联系上"),
    _t(Action.CLOSE_UNREACHABLE, [S.CALLBACK_PENDING], S.CLOSED, [SYSTEM], "多次未联系上，办结"),
    # An online 不满意 after closing goes the hotline's way: a callback, which may send the item to 重办.
    _t(Action.RESIDENT_DISSATISFIED, [S.CLOSED], S.CALLBACK_PENDING, [RESIDENT], "市民网上评价不满意，转回访"),
    _t(Action.MERGE, OPEN_STATUSES, S.MERGED, [_D, _A], "并单", True),
    _t(Action.UNMERGE, [S.MERGED], PREVIOUS_STATE, [_D, _A], "撤销并单", True),
    # recorded without a change of state
    _t(Action.ASSIGN, DEPARTMENT_STATUSES, None, [_O, _D, _A], "指派承办人"),
    _t(Action.NOTE, _EVERY, None, _STAFF, "内部备注"),
    _t(Action.INTERIM_REPLY, [*_WORKING, S.EXTENSION_PENDING], None, [_O], "阶段性答复"),
    _t(Action.CORRECT_ROUTE, OPEN_STATUSES, None, [_O, _D, _A], "纠正分类", True),
    # Only those who phone residents: 12345 operators (callbacks) and the officers handling the item.
    _t(Action.REVEAL_CONTACT, _EVERY, None, [_P, _O], "查看完整联系电话", True),
    _t(Action.RATE, [*_ANSWERED, S.MERGED], None, [RESIDENT], "市民评价"),
    _t(Action.MERGED_CALLBACK, [S.MERGED], None, [_P, _D, _A], "并单回访"),
    _t(Action.EVALUATE, _ANSWERED, None, [_D, _A], "采纳评估：研究中"),
    _t(Action.ADOPT, _ANSWERED, None, [_D, _A], "采纳"),
    _t(Action.PARTIALLY_ADOPT, _ANSWERED, None, [_D, _A], "部分采纳"),
    _t(Action.ALREADY_PLANNED, _ANSWERED, None, [_D, _A], "已有安排"),
    _t(Action.NOT_ADOPT, _ANSWERED, None, [_D, _A], "暂不采纳", True),
    _t(Action.REVEAL_TEXT, _EVERY, None, [_D, _A], "查看原文（含个人信息）", True),
    _t(Action.ANONYMISE, TERMINAL_STATUSES, None, [SYSTEM], "联系方式到期匿名化"),
    _t(Action.URGE, [S.DISPATCHED, *_WORKING, S.EXTENSION_PENDING], None, [_D, _A], "催办"),
)

_BY_ACTION: dict[Action, Transition] = {t.action: t for t in TRANSITIONS}


class WorkflowError(Exception):
    """A requested change is not allowed; ``message`` is shown to staff as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidTransition(WorkflowError):
    pass


class NotPermitted(InvalidTransition):
    """The actor's role may not take this action at all (the views answer 403)."""


class ReasonRequired(WorkflowError):
    pass


def transition_for(action: Action) -> Transition:
    return _BY_ACTION[Action(action)]


def check_transition(action: Action, current: Status | None, actor_kind: str, reason: str = "") -> Transition:
    """Return the transition for ``action`` from ``current`` or raise a WorkflowError explaining why not."""
    transition = transition_for(action)
    if actor_kind not in transition.actors:
        raise NotPermitted(f"您的角色不能执行「{transition.label}」。")
    if current not in transition.sources:
        where = STATUS_LABELS[current] if current else "新建"
        raise InvalidTransition(f"当前状态为「{where}」，不能执行「{transition.label}」。")
    if transition.reason_required and not (reason or "").strip():
        raise ReasonRequired(f"「{transition.label}」需要填写原因。")
    return transition


def available_actions(current: Status, actor_kind: str) -> list[Transition]:
    """List the transitions ``actor_kind`` may take from ``current``, in table order."""
    return [t for t in TRANSITIONS if current in t.sources and actor_kind in t.actors]
