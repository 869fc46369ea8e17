"""The campaign office's verbs on duplicates and out-of-scope items: merge, undo a merge, and reject."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import StaffUser, Suggestion, SuggestionEvent
from suggestions.workflow import OPEN_STATUSES, Action, ReasonRequired, Status, WorkflowError
from suggestions.workflow.steps import transition


def reject(suggestion: Suggestion, *, actor: StaffUser, reason: str, now: datetime | None = None) -> Suggestion:
    """Do not accept an item (out of scope, or to be transferred to 110/119/120)."""
    now = now or clock.now()
    with transition(suggestion, Action.REJECT, actor=actor, reason=reason, now=now):
        suggestion.closed_at = now
    return suggestion


def merge(
    suggestion: Suggestion, master: Suggestion, *, actor: StaffUser, reason: str, now: datetime | None = None
) -> Suggestion:
    """Merge a duplicate into ``master``; its resident still sees the reply and gets a callback."""
    check_merge(suggestion, master)
    if not (reason or "").strip():
        raise ReasonRequired("「并单」需要填写原因。")
    with transition(
        suggestion,
        Action.MERGE,
        actor=actor,
        reason=reason,
        details={"master_id": master.id, "master_code": master.tracking_code},
        now=now,
    ):
        # The database requires the master and the merged state together, in one UPDATE.
        suggestion.merged_into = master
        suggestion.assignee = None
    return suggestion


def check_merge(suggestion: Suggestion, master: Suggestion) -> None:
    """Refuse a merge that cannot be made, before anyone is asked to confirm it.

    :raise WorkflowError: with the reason, in Chinese.
    """
    if master.id == suggestion.id:
        raise WorkflowError("不能与自身并单。")
    if master.status == Status.MERGED or master.merged_into_id is not None:
        raise WorkflowError("主件本身已并入其他工单，请选择最终的主件。")
    if master.status not in OPEN_STATUSES:
        raise WorkflowError("主件已办结或不予受理，不能再并入。")
    children = db.session.scalar(sa.select(sa.func.count()).where(Suggestion.merged_into_id == suggestion.id))
    if children:
        raise WorkflowError("该工单已是其他工单的主件，不能再并入别的工单。")
    if suggestion.status not in OPEN_STATUSES:
        raise WorkflowError("本件已办结、不予受理或已并单，不能再并入其他工单。")


def unmerge(suggestion: Suggestion, *, actor: StaffUser, reason: str, now: datetime | None = None) -> Suggestion:
    """Undo a merge (撤销并单): the item returns to the state it was merged from, with its department."""
    if not (reason or "").strip():
        raise ReasonRequired("「撤销并单」需要填写原因。")
    if suggestion.status == Status.MERGED and suggestion.callback_result is not None:
        raise WorkflowError("该件已按并单完成回访，不能再撤销并单。")
    merged = db.session.scalar(
        sa.select(SuggestionEvent)
        .where(SuggestionEvent.suggestion_id == suggestion.id, SuggestionEvent.action == Action.MERGE)
        .order_by(SuggestionEvent.id.desc())
        .limit(1)
    )
    if suggestion.status != Status.MERGED or merged is None:
        raise WorkflowError("该工单没有并入其他工单，无需撤销。")
    master = suggestion.merged_into
    with transition(
        suggestion,
        Action.UNMERGE,
        actor=actor,
        reason=reason,
        restore=merged.from_status,
        details={"master_id": master.id, "master_code": master.tracking_code, "merge_event_id": merged.id},
        now=now,
    ):
        suggestion.merged_into = None
    return suggestion
