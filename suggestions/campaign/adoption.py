"""The campaign office's decision on an idea: adopted into a project, partly adopted, or not (with a reason)."""

from __future__ import annotations

from datetime import datetime

from suggestions import clock
from suggestions.models import Project, StaffUser, Suggestion
from suggestions.workflow import Action, Adoption, WorkflowError
from suggestions.workflow.steps import transition

ADOPTION_ACTIONS = {
    Adoption.EVALUATING: Action.EVALUATE,
    Adoption.ADOPTED: Action.ADOPT,
    Adoption.PARTIALLY_ADOPTED: Action.PARTIALLY_ADOPT,
    Adoption.NOT_ADOPTED: Action.NOT_ADOPT,
}


def decide_adoption(
    suggestion: Suggestion,
    outcome: Adoption,
    *,
    actor: StaffUser,
    reason: str = "",
    project: Project | None = None,
    now: datetime | None = None,
) -> Suggestion:
    """Record the campaign office's adoption decision; adopted items are linked to a project."""
    outcome = Adoption(outcome)
    adopted = outcome in (Adoption.ADOPTED, Adoption.PARTIALLY_ADOPTED)
    if adopted and project is None:
        raise WorkflowError("采纳或部分采纳的建议需要关联到一个民心工程项目。")
    now = now or clock.now()
    with transition(
        suggestion,
        ADOPTION_ACTIONS[outcome],
        actor=actor,
        reason=reason,
        details={"project": f"{project.year}-{project.number} {project.title}"} if adopted else None,
        now=now,
    ):
        suggestion.adoption = outcome
        suggestion.adoption_reason = (reason or "").strip() or None
        suggestion.adoption_decided_at = now
        suggestion.project = project if adopted else None
    return suggestion
