"""The one place a route is applied: ``route(suggestion, decision)``.

Whoever decides (the model at intake, an operator on the phone, a dispatcher in the manual queue, a bulk
re-route after the rules changed), the route goes through here: the action comes from the item's state and who
decided, the transition table checks it, the department's clock starts, the model's proposal is stored beside
the route, and a person's choice that differs from the model's is kept as a correction for retraining.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.hotissues import grouping as hot_issues
from suggestions.models import CampaignDomain, Category, Department, RouteCorrection, StaffUser, Suggestion
from suggestions.routing.decision import RouteDecision
from suggestions.workflow import SYSTEM, Action, DomainSource, Status, Urgency, WorkflowError
from suggestions.workflow.steps import Actor, actor_kind, transition

# After this many returns the campaign office designates the department (指定承办).
RETURNS_BEFORE_DESIGNATION = 3


def route(
    suggestion: Suggestion,
    decision: RouteDecision,
    *,
    actor: Actor = SYSTEM,
    reason: str | None = "",
    urgency: Urgency | None = None,
    now: datetime | None = None,
) -> Suggestion:
    """Send ``suggestion`` where ``decision`` says: a department's queue, or the manual queue.

    * 已受理 (new): the model's decision dispatches automatically when confident, else goes to manual dispatch;
      an operator's choice dispatches at intake (no department: manual dispatch).
    * 待人工分拨 / 已退单: a dispatcher dispatches; a re-route by the system dispatches a now confident decision
      and leaves the rest where they are.
    * in a department: a dispatcher re-routes (改派, with a reason).

    :raise WorkflowError: if the table or the decision does not allow it; nothing is changed then.
    """
    now = now or clock.now()
    by_person = actor_kind(actor) != SYSTEM
    action = _action_for(suggestion, decision, by_person)
    if action is None:
        return suggestion
    first_route = suggestion.status == Status.ACCEPTED
    dispatching = action != Action.FLAG_FOR_TRIAGE
    designate = action in (Action.DISPATCH, Action.REDISPATCH) and (
        suggestion.return_count >= RETURNS_BEFORE_DESIGNATION
    )
    details = decision.details() if decision.from_model else {}
    if designate:
        details["designated"] = True
    if not reason and not dispatching:
        reason = "话务员选择转人工分拨" if by_person else decision.reason
    with transition(
        suggestion,
        action,
        actor=actor,
        department=decision.department if dispatching else None,
        category=decision.category if dispatching else None,
        reason=reason,
        details=details,
        now=now,
    ):
        if decision.from_model:
            store_prediction(suggestion, decision)
        if urgency is not None:
            suggestion.urgency = urgency
        if designate:
            suggestion.designated = True
        if by_person and dispatching:
            record_correction(suggestion, actor, category=suggestion.category, department=decision.department, now=now)
        if first_route:
            hot_issues.join(suggestion, now=now)  # it joins a hot issue, or starts one, as it is first routed
    return suggestion


def _action_for(suggestion: Suggestion, decision: RouteDecision, by_person: bool) -> Action | None:
    status, department = suggestion.status, decision.department
    if status == Status.ACCEPTED:
        if by_person:
            return Action.ROUTE_AT_INTAKE if department else Action.FLAG_FOR_TRIAGE
        return Action.AUTO_DISPATCH if decision.automatic else Action.FLAG_FOR_TRIAGE
    if department is None:
        if by_person:
            raise WorkflowError("请选择承办部门。")
        return None
    if status in (Status.NEEDS_TRIAGE, Status.RETURNED):
        if by_person:
            return Action.DISPATCH
        return Action.AUTO_DISPATCH if decision.automatic and status == Status.NEEDS_TRIAGE else None
    if not by_person:
        return None  # the system never moves an item a department holds
    category = decision.category
    if department == suggestion.department and (category is None or category == suggestion.category):
        raise WorkflowError("改派的部门与当前承办部门相同。")
    return Action.REDISPATCH


def store_prediction(suggestion: Suggestion, decision: RouteDecision) -> None:
    """Keep what the model proposed, so later overrides stay visible and can feed retraining."""
    suggestion.predicted_category = decision.candidates[0].label if decision.candidates else None
    suggestion.prediction_confidence = decision.category_confidence
    suggestion.prediction_candidates = [[c.label, c.probability] for c in decision.candidates]
    suggestion.prediction_explanation = [[word, weight] for word, weight in decision.explanation]
    suggestion.model_version = decision.model_version
    suggestion.route_reason = decision.route_reason or (decision.reason if decision.needs_district else None)
    suggestion.predicted_department = decision.proposed_department
    if decision.handler is not None:
        suggestion.predicted_handler_type = decision.handler.handler_type
        suggestion.handler_confidence = decision.handler.confidence
    suggestion.department_candidates = [
        [c.department.id, c.probability, c.basis] for c in decision.department_candidates
    ]


def correct_route(
    suggestion: Suggestion,
    *,
    actor: StaffUser,
    category: Category | None = None,
    department: Department | None = None,
    domain: CampaignDomain | None = None,
    reason: str,
    now: datetime | None = None,
) -> Suggestion:
    """Record the right category, department and/or campaign domain for an item, for retraining and statistics.

    A category without a department means the category's department; what is not given stays as it is (and is
    recorded as confirmed, so the latest correction of an item holds its whole route).  The campaign office's
    correction of the domain replaces it (source ``corrected``); an officer's is recorded only, like their
    category.  Only the record is made here; moving the item is a separate dispatch or return.

    :raise WorkflowError: nothing to correct, a domain of another campaign, or the table refuses.
    """
    if category is None and department is None and domain is None:
        raise WorkflowError("请至少选择正确的类别、承办部门或领域中的一项。")
    if domain is not None and suggestion.campaign_id is not None and domain.campaign_id != suggestion.campaign_id:
        raise WorkflowError("所选领域不属于该建议的征集活动。")
    if category is not None:
        department = department or category.department
    else:
        category, department = suggestion.category, department or suggestion.department
    now = now or clock.now()
    details = {"category": category.code if category else None, "department": department.name if department else None}
    if domain is not None:
        details["domain"] = domain.name
    with transition(suggestion, Action.CORRECT_ROUTE, actor=actor, reason=reason, details=details, now=now):
        if actor.role != "officer":
            suggestion.category = category
            if domain is not None:
                suggestion.domain, suggestion.domain_source = domain, DomainSource.CORRECTED.value
        record_correction(
            suggestion, actor, category=category, department=department, domain=domain, now=now, force=True
        )
    return suggestion


def record_correction(
    suggestion: Suggestion,
    actor: StaffUser,
    *,
    category: Category | None,
    department: Department | None,
    domain: CampaignDomain | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> RouteCorrection | None:
    """Add a correction when a person's route differs from the model's proposal (``force``: always).

    ``domain`` is the domain the person set (default: the item's current one); the predicted one is copied too.
    """
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
        suggestion=suggestion,
        actor_id=actor.id,
        created_at=now or clock.now(),
        title=suggestion.title,
        body=suggestion.body,
        model_version=suggestion.model_version,
        predicted_category=predicted,
        predicted_department=predicted_department,
        corrected_category=corrected_code,
        corrected_department=department,
        predicted_handler_type=suggestion.predicted_handler_type
        or (predicted_department.handler_type if predicted_department else None),
        corrected_handler_type=department.handler_type if department else None,
        predicted_domain=suggestion.predicted_domain.name if suggestion.predicted_domain else None,
        corrected_domain=(domain or suggestion.domain).name if (domain or suggestion.domain) else None,
    )
    db.session.add(correction)
    return correction


def set_category_department(category: Category, department: Department | None) -> Category:
    """Point a category at another department; new suggestions follow at once."""
    category.department = department
    db.session.flush()
    return category
