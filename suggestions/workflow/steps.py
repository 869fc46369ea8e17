"""The one way a suggestion changes: check the transition table, apply, record an event, flush once.

Every service verb wraps its work in ``transition``::

    with transition(suggestion, Action.SIGN, actor=officer, now=now):
        suggestion.assignee = officer

Before the block the table is checked (a refused step raises ``WorkflowError`` and changes nothing), the new
state and department are set and the event row is added.  Inside the block the verb changes whatever else it
must and adds its own rows (a reply, a note); queries there do not autoflush, so nothing is half-written.  After
the block the department's clock starts again if the item was (re)dispatched, the current due date is
recomputed, every column the step changed is written into the event's ``details["changed"]`` (personal data by
name only), and the session is flushed once.  A step inside another step (intake routes a new suggestion
inside its SUBMIT) records its own event and leaves the flush to the outer one.  The caller (a request, a CLI
command) commits.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import Category, Department, StaffUser, Suggestion, SuggestionEvent
from suggestions.workflow.deadlines import current_due, start_department_clock, start_office_clock
from suggestions.workflow.states import OPEN_STATUSES, Status
from suggestions.workflow.transitions import PREVIOUS_STATE, Action, InvalidTransition, check_transition

Actor = StaffUser | str  # a staff user, or transitions.RESIDENT / transitions.SYSTEM

# Actions that hand the item to a department; its clock starts again.
DISPATCHING = frozenset({Action.AUTO_DISPATCH, Action.ROUTE_AT_INTAKE, Action.DISPATCH, Action.REDISPATCH})

# Columns whose values never go into an event: the event says that they changed, not what they hold.
PRIVATE_COLUMNS = frozenset(
    {"contact_name", "phone_ciphertext", "phone_hash", "phone_masked", "access_hash", "body_sealed", "title", "body"}
)
# Foreign keys read through their relationship, which a verb sets before the key is flushed.
_RELATED = {
    "department_id": "department",
    "assignee_id": "assignee",
    "category_id": "category",
    "project_id": "project",
    "merged_into_id": "merged_into",
    "supports_id": "supports",
    "predicted_department_id": "predicted_department",
    "district_id": "district",
    "domain_id": "domain",
    "predicted_domain_id": "predicted_domain",
    "poster_id": "poster",
}
_DEPTH = "workflow_step_depth"


def actor_kind(actor: Actor) -> str:
    return actor.role.value if isinstance(actor, StaffUser) else actor


@contextmanager
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
    restore: Status | None = None,
) -> Iterator[SuggestionEvent]:
    """Apply ``action`` to ``suggestion`` as the table allows and record it; see the module docstring.

    ``department`` moves the item there (its assignee is cleared if the department changes);
    ``release_department`` takes it away from its department (a return); ``restore`` is the open state an
    undoing step (target ``PREVIOUS_STATE``) returns the item to.

    :raise WorkflowError: if the table does not allow it; nothing is changed then.
    """
    now = now or clock.now()
    rule = check_transition(action, suggestion.status, actor_kind(actor), reason or "")
    if rule.target == PREVIOUS_STATE and restore not in OPEN_STATUSES:
        raise InvalidTransition(f"「{rule.label}」找不到可以恢复的办理状态。")
    session = db.session
    before = _snapshot(suggestion)
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
    if rule.target == PREVIOUS_STATE:
        suggestion.status = restore
    elif rule.target is not None:
        suggestion.status = rule.target
    entered = suggestion.status
    event = SuggestionEvent(
        suggestion=suggestion,
        action=action,
        actor_id=actor.id if isinstance(actor, StaffUser) else None,
        actor_kind=actor_kind(actor),
        from_status=previous_status,
        to_status=suggestion.status,
        from_department_id=previous_department.id if previous_department else None,
        to_department_id=suggestion.department.id if suggestion.department else None,
        reason=(reason or "").strip(),
        details=dict(details or {}),
        created_at=now,
    )
    session.add(event)
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        with session.no_autoflush:
            yield event
            if action in DISPATCHING:
                start_department_clock(suggestion, now)
            if suggestion.status != previous_status and suggestion.status == entered:
                # This step (not one nested in it, which starts its own) brought the item to its state.
                start_office_clock(suggestion, now)
            suggestion.due_at = current_due(suggestion)
    finally:
        session.info[_DEPTH] = depth
    if previous_status is not None:  # a new suggestion's first event is its creation, not a change
        changed = _changes(before, _snapshot(suggestion))
        if changed:
            event.details = {**event.details, **changed}
    if depth == 0:
        session.flush()


def _snapshot(suggestion: Suggestion) -> dict[str, Any]:
    loaded = sa.inspect(suggestion).dict
    values = {}
    for attr in sa.inspect(Suggestion).column_attrs:
        key = attr.key
        relation = _RELATED.get(key)
        if relation is not None and relation in loaded:  # set or loaded: newer than the key until a flush
            related = loaded[relation]
            values[key] = related.id if related is not None else None
        else:
            values[key] = getattr(suggestion, key)
    return values


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changed, private = {}, []
    for key, value in after.items():
        if before.get(key) == value:
            continue
        if key in PRIVATE_COLUMNS:
            private.append(key)
        else:
            changed[key] = [_plain(before.get(key)), _plain(value)]
    out: dict[str, Any] = {}
    if changed:
        out["changed"] = changed
    if private:
        out["changed_private"] = sorted(private)
    return out


def _plain(value: Any) -> Any:
    """A JSON-ready form of a column value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
