"""The one way state changes: check the workflow table, apply, record an event, flush."""

from __future__ import annotations

from datetime import datetime

from suggestions import clock
from suggestions.deadlines import current_due, start_department_clock
from suggestions.extensions import db
from suggestions.models import Category, Department, StaffUser, Suggestion, SuggestionEvent
from suggestions.workflow import Action, Status, check_transition

Actor = StaffUser | str  # a staff user, or workflow.RESIDENT / workflow.SYSTEM

# Actions that hand the item to a department; its clock starts again.
DISPATCHING = frozenset({Action.AUTO_DISPATCH, Action.ROUTE_AT_INTAKE, Action.DISPATCH, Action.REDISPATCH})


def actor_kind(actor: Actor) -> str:
    return actor.role.value if isinstance(actor, StaffUser) else actor


def record_event(suggestion: Suggestion, action: Action, actor: Actor, **fields) -> SuggestionEvent:
    """Add an event row for ``suggestion``; ``fields`` are ``event_fields``' keyword arguments."""
    event = SuggestionEvent(suggestion=suggestion, **event_fields(action, actor, **fields))
    db.session.add(event)
    return event


def event_fields(
    action: Action,
    actor: Actor,
    *,
    from_status: Status | None,
    to_status: Status | None,
    from_department: Department | None = None,
    to_department: Department | None = None,
    reason: str | None = "",
    details: dict | None = None,
    now: datetime | None = None,
) -> dict:
    """The columns of an event row other than its suggestion (shared by the ORM and the plain-insert path)."""
    return {
        "action": action,
        "actor_id": actor.id if isinstance(actor, StaffUser) else None,
        "actor_kind": actor_kind(actor),
        "from_status": from_status,
        "to_status": to_status,
        "from_department_id": from_department.id if from_department else None,
        "to_department_id": to_department.id if to_department else None,
        "reason": (reason or "").strip(),
        "details": details or {},
        "created_at": now or clock.now(),
    }


def transition(
    suggestion: Suggestion,
    action: Action,
    *,
    actor: Actor,
    reason: str | None = "",
    department: Department | None = None,
    category: Category | None = None,
    details: dict | None = None,
    now: datetime | None = None,
    release_department: bool = False,
) -> SuggestionEvent:
    """Apply ``action`` to ``suggestion`` as the workflow table allows, and record it.

    ``release_department`` takes the item away from its department (a return).

    :raise WorkflowError: if the table does not allow it; nothing is changed then.
    """
    now = now or clock.now()
    rule = check_transition(action, suggestion.status, actor_kind(actor), reason or "")
    previous_status, previous_department = suggestion.status, suggestion.department
    if category is not None:
        suggestion.category = category
    if department is not None:
        if department != previous_department:
            suggestion.assignee = None
        suggestion.department = department
    elif release_department:
        suggestion.assignee = None
        suggestion.department = None
    if rule.target is not None:
        suggestion.status = rule.target
    if action in DISPATCHING:
        start_department_clock(suggestion, now)
    suggestion.due_at = current_due(suggestion)
    event = record_event(
        suggestion,
        action,
        actor,
        from_status=previous_status,
        to_status=suggestion.status,
        from_department=previous_department,
        to_department=suggestion.department,
        reason=reason,
        details=details,
        now=now,
    )
    db.session.flush()
    return event
