"""The campaign office's supervision of a department's items: reminders (催办)."""

from __future__ import annotations

from datetime import datetime

from suggestions import clock
from suggestions.models import StaffUser, Suggestion
from suggestions.workflow import Action
from suggestions.workflow.steps import transition


def urge(suggestion: Suggestion, *, actor: StaffUser, note: str = "", now: datetime | None = None) -> Suggestion:
    """Remind the department to act on an item (催办); the department sees it on the item and in its queue.

    Practice (../shared/docs/domain.md §4.2) is to urge before a deadline and to send a 催办通知书 the day after
    it passed; the event says whether the item was overdue when it was urged.
    """
    now = now or clock.now()
    overdue = suggestion.due_at is not None and now > suggestion.due_at
    with transition(suggestion, Action.URGE, actor=actor, reason=note, details={"overdue": overdue}, now=now):
        suggestion.urge_count += 1
        suggestion.urged_at = now
    return suggestion
