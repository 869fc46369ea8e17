"""The campaign office's verbs: dispatch, reject, merge, and route corrections."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import Category, Department, RouteCorrection, StaffUser, Suggestion
from suggestions.services.core import transition
from suggestions.workflow import OPEN_STATUSES, Action, ReasonRequired, Status, Urgency, WorkflowError

# After this many returns the campaign office designates the department (指定承办).
RETURNS_BEFORE_DESIGNATION = 3


def dispatch(
    suggestion: Suggestion,
    department: Department,
    *,
    actor: StaffUser,
    category: Category | None = None,
    reason: str | None = "",
    urgency: Urgency | None = None,
    now: datetime | None = None,
) -> Suggestion:
    """Send an item to a department: from manual dispatch or after a return, or re-route a dispatched one.

    After three returns the department is designated and can no longer return it.
    A department or category other than the model's is recorded as a route correction.
    """
    if suggestion.status in (Status.NEEDS_TRIAGE, Status.RETURNED):
        action = Action.DISPATCH
    else:
        action = Action.REDISPATCH
        if department == suggestion.department and (category is None or category == suggestion.category):
            raise WorkflowError("改派的部门与当前承办部门相同。")
    designate = suggestion.return_count >= RETURNS_BEFORE_DESIGNATION
    if urgency is not None:
        suggestion.urgency = urgency  # before the transition, which starts the department's clock
    transition(
        suggestion,
        action,
        actor=actor,
        department=department,
        category=category,
        reason=reason,
        details={"designated": True} if designate else None,
        now=now,
    )
    if designate:
        suggestion.designated = True
    record_correction(suggestion, actor, category=suggestion.category, department=department, now=now)
    return suggestion


def reject(suggestion: Suggestion, *, actor: StaffUser, reason: str, now: datetime | None = None) -> Suggestion:
    """Do not accept an item (out of scope, or to be transferred to 110/119/120)."""
    transition(suggestion, Action.REJECT, actor=actor, reason=reason, now=now)
    suggestion.closed_at = now or clock.now()
    return suggestion


def merge(
    suggestion: Suggestion, master: Suggestion, *, actor: StaffUser, reason: str, now: datetime | None = None
) -> Suggestion:
    """Merge a duplicate into ``master``; its resident still sees the reply and gets a callback."""
    if master.id == suggestion.id:
        raise WorkflowError("不能与自身并单。")
    if master.status == Status.MERGED or master.merged_into_id is not None:
        raise WorkflowError("主件本身已并入其他工单，请选择最终的主件。")
    if master.status not in OPEN_STATUSES:
        raise WorkflowError("主件已办结或不予受理，不能再并入。")
    children = db.session.scalar(sa.select(sa.func.count()).where(Suggestion.merged_into_id == suggestion.id))
    if children:
        raise WorkflowError("该工单已是其他工单的主件，不能再并入别的工单。")
    if not (reason or "").strip():
        raise ReasonRequired("「并单」需要填写原因。")
    # The database requires the master and the merged state together, in one UPDATE.
    with db.session.no_autoflush:
        suggestion.merged_into = master
        suggestion.assignee = None
        transition(
            suggestion,
            Action.MERGE,
            actor=actor,
            reason=reason,
            details={"master_id": master.id, "master_code": master.tracking_code},
            now=now,
        )
    return suggestion


def correct_route(
    suggestion: Suggestion,
    *,
    actor: StaffUser,
    category: Category,
    department: Department | None = None,
    reason: str,
    now: datetime | None = None,
) -> Suggestion:
    """Record the right category (and department) for an item, for retraining and statistics.

    Only the record is made here; moving the item is a separate dispatch or return.
    """
    department = department or category.department
    transition(
        suggestion,
        Action.CORRECT_ROUTE,
        actor=actor,
        reason=reason,
        details={"category": category.code, "department": department.name if department else None},
        now=now,
    )
    if actor.role != "officer":
        suggestion.category = category
    record_correction(suggestion, actor, category=category, department=department, now=now, force=True)
    return suggestion


def record_correction(
    suggestion: Suggestion,
    actor: StaffUser,
    *,
    category: Category | None,
    department: Department | None,
    now: datetime | None = None,
    force: bool = False,
) -> RouteCorrection | None:
    """Store a correction when a person's route differs from the model's prediction."""
    predicted = suggestion.predicted_category
    predicted_department = suggestion.predicted_department
    if predicted_department is None and predicted:
        # Items routed before the combined route was stored: the category's department was the proposal.
        predicted_category = db.session.scalar(sa.select(Category).where(Category.code == predicted))
        predicted_department = predicted_category.department if predicted_category else None
    corrected_code = category.code if category else None
    if not force and corrected_code == predicted and department == predicted_department:
        return None
    correction = RouteCorrection(
        suggestion_id=suggestion.id,
        actor_id=actor.id,
        created_at=now or clock.now(),
        title=suggestion.title,
        body=suggestion.body,
        model_version=suggestion.model_version,
        predicted_category=predicted,
        predicted_department_id=predicted_department.id if predicted_department else None,
        corrected_category=corrected_code,
        corrected_department_id=department.id if department else None,
        predicted_handler_type=suggestion.predicted_handler_type
        or (predicted_department.handler_type if predicted_department else None),
        corrected_handler_type=department.handler_type if department else None,
    )
    db.session.add(correction)
    db.session.flush()
    return correction


def set_category_department(category: Category, department: Department | None) -> Category:
    """Point a category at another department; new suggestions follow at once."""
    category.department = department
    db.session.flush()
    return category
