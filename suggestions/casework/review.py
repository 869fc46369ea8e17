"""From reply to close: the campaign office's review, callbacks, and the resident's own rating."""

from __future__ import annotations

from datetime import datetime

from suggestions import clock
from suggestions.models import StaffUser, Suggestion
from suggestions.workflow import RESIDENT, SYSTEM, Action, ReasonRequired, Satisfaction, Status, Step, WorkflowError
from suggestions.workflow.deadlines import DeadlinePlanner
from suggestions.workflow.steps import transition

UNREACHABLE_ATTEMPTS = 3
ANSWERED = (Status.REPLIED, Status.CALLBACK_PENDING, Status.CLOSED)


def approve_reply(suggestion: Suggestion, *, actor: StaffUser, now: datetime | None = None) -> Suggestion:
    """Pass the department's reply (审核通过): on to the callback, or closed if there is no phone.

    A resident who rated the reply 不满意 online gets the callback even without a phone: staff then decide on
    重办 from the opinion the resident wrote.
    """
    now = now or clock.now()
    if suggestion.has_phone or suggestion.resident_rating == Satisfaction.DISSATISFIED:
        with transition(suggestion, Action.APPROVE_REPLY, actor=actor, now=now):
            suggestion.callback_due_at = DeadlinePlanner(suggestion, now).due(Step.CALLBACK)
    else:
        with transition(suggestion, Action.CLOSE_WITHOUT_CALLBACK, actor=actor, now=now):
            suggestion.closed_at = now
    return suggestion


def send_back(suggestion: Suggestion, *, actor: StaffUser, reason: str, now: datetime | None = None) -> Suggestion:
    """Send the reply back to the department (审核退回) with what to improve."""
    with transition(suggestion, Action.SEND_BACK, actor=actor, reason=reason, now=now):
        suggestion.replied_at = None
    return suggestion


def record_callback(
    suggestion: Suggestion,
    outcome: Satisfaction,
    *,
    actor: StaffUser,
    note: str = "",
    now: datetime | None = None,
) -> Suggestion:
    """Record a callback outcome.

    满意/基本满意 close the item; 不满意 reopens it as 重办; the third 未联系上 closes it as unreachable.
    A merged item gets its own callback, recorded without changing its state.
    """
    now = now or clock.now()
    outcome = Satisfaction(outcome)
    if outcome == Satisfaction.DISSATISFIED and not (note or "").strip():
        raise ReasonRequired("回访不满意需要记录市民的意见。")
    if suggestion.status == Status.MERGED:
        return _merged_callback(suggestion, outcome, actor, note, now)
    if outcome in (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED):
        with transition(
            suggestion, Action.CALLBACK_SATISFIED, actor=actor, reason=note, details={"outcome": outcome}, now=now
        ):
            _close(suggestion, outcome, now)
    elif outcome == Satisfaction.DISSATISFIED:
        with transition(suggestion, Action.CALLBACK_DISSATISFIED, actor=actor, reason=note, now=now):
            suggestion.callback_result = outcome
            suggestion.callback_at = now
            suggestion.callback_attempts = 0
            suggestion.replied_at = None
            suggestion.reply_due_at = DeadlinePlanner(suggestion, now).due(Step.REPLY)
    else:
        with transition(suggestion, Action.CALLBACK_UNREACHABLE, actor=actor, reason=note, now=now):
            suggestion.callback_attempts += 1
            suggestion.callback_at = now
        if suggestion.callback_attempts >= UNREACHABLE_ATTEMPTS:
            with transition(
                suggestion,
                Action.CLOSE_UNREACHABLE,
                actor=SYSTEM,
                details={"attempts": suggestion.callback_attempts},
                now=now,
            ):
                _close(suggestion, Satisfaction.UNREACHABLE, now)
    return suggestion


def _close(suggestion: Suggestion, outcome: Satisfaction, now: datetime) -> None:
    suggestion.callback_result = outcome
    suggestion.callback_at = now
    suggestion.closed_at = now


def _merged_callback(suggestion: Suggestion, outcome: Satisfaction, actor: StaffUser, note: str, now: datetime):
    master = suggestion.merged_into
    if master is None or master.status not in ANSWERED:
        raise WorkflowError("主件尚未答复，暂不能回访。")
    if suggestion.callback_result is not None:
        raise WorkflowError("该并单工单已完成回访。")
    with transition(
        suggestion, Action.MERGED_CALLBACK, actor=actor, reason=note, details={"outcome": outcome}, now=now
    ):
        suggestion.callback_at = now
        if outcome == Satisfaction.UNREACHABLE:
            suggestion.callback_attempts += 1
            if suggestion.callback_attempts >= UNREACHABLE_ATTEMPTS:
                suggestion.callback_result = Satisfaction.UNREACHABLE
        else:
            suggestion.callback_result = outcome
    return suggestion


def answered(suggestion: Suggestion) -> bool:
    """Whether the resident has a final answer: the item's own or its master's."""
    if suggestion.status == Status.MERGED:
        return suggestion.merged_into is not None and suggestion.merged_into.status in ANSWERED
    return suggestion.status in ANSWERED


def rate(suggestion: Suggestion, rating: Satisfaction, *, comment: str = "", now: datetime | None = None) -> Suggestion:
    """Record the resident's own rating of the reply, from the tracking page (once).

    不满意 takes the path a callback's 不满意 would: a closed item is reopened for a callback (待回访), which
    decides whether the department handles it again (重办); an item waiting for review or for its callback
    carries the rating there, and the review then sends it to the callback even without a phone.
    """
    rating = Satisfaction(rating)
    if rating == Satisfaction.UNREACHABLE:
        raise WorkflowError("请选择满意、基本满意或不满意。")
    if not answered(suggestion):
        raise WorkflowError("部门答复后才能评价。")
    if suggestion.resident_rating is not None:
        raise WorkflowError("您已评价过，感谢您的反馈。")
    now = now or clock.now()
    reopen = rating == Satisfaction.DISSATISFIED and suggestion.status == Status.CLOSED
    action = Action.RESIDENT_DISSATISFIED if reopen else Action.RATE
    with transition(suggestion, action, actor=RESIDENT, reason=comment, details={"rating": rating}, now=now):
        suggestion.resident_rating = rating
        suggestion.resident_comment = (comment or "").strip() or None
        suggestion.resident_rated_at = now
        if reopen:
            suggestion.closed_at = None
            suggestion.callback_result = None
            suggestion.callback_attempts = 0
            suggestion.callback_due_at = DeadlinePlanner(suggestion, now).due(Step.CALLBACK)
    return suggestion
