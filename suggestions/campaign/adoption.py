"""The campaign office's decision on an idea, and what of it the public may read.

Decisions: 采纳 (into a named project), 部分采纳 (part of it, into a project), 已有安排 (a project already covers
it), 暂不采纳 (a reason is required), or 研究中 while it is studied.  Each decision is an event through the
transition table; a later decision revises an earlier one with a new event, and the resident is told of each new
or changed decision (``notifications``).

The project's public page shows an adopted idea only as a title and a short excerpt that a dispatcher wrote or
checked and approved (``publish``); never the resident's name, phone or raw text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from suggestions import clock
from suggestions.campaign import notifications
from suggestions.models import Project, StaffUser, Suggestion
from suggestions.privacy.scrubbing import scrub_text
from suggestions.workflow import Action, Adoption, WorkflowError
from suggestions.workflow.steps import transition

ADOPTION_ACTIONS = {
    Adoption.EVALUATING: Action.EVALUATE,
    Adoption.ADOPTED: Action.ADOPT,
    Adoption.PARTIALLY_ADOPTED: Action.PARTIALLY_ADOPT,
    Adoption.ALREADY_PLANNED: Action.ALREADY_PLANNED,
    Adoption.NOT_ADOPTED: Action.NOT_ADOPT,
}
PUBLIC_TITLE_MAX = 50
PUBLIC_EXCERPT_MAX = 200
SUGGESTED_EXCERPT_LENGTH = 80


@dataclass(frozen=True)
class Publication:
    """What a dispatcher approved for the project's public page."""

    title: str
    excerpt: str


def suggested_publication(suggestion: Suggestion) -> Publication:
    """A starting point for the dispatcher: the title and the opening of the text, numbers masked.

    Only a start: it may still name a person or a place, so nothing is published until a dispatcher approves it.
    """
    body = " ".join(scrub_text(suggestion.body).split())
    excerpt = body if len(body) <= SUGGESTED_EXCERPT_LENGTH else body[: SUGGESTED_EXCERPT_LENGTH - 1] + "…"
    title = scrub_text(suggestion.title or "").strip() or excerpt[:20]
    return Publication(title[:PUBLIC_TITLE_MAX], excerpt)


def decide_adoption(
    suggestion: Suggestion,
    outcome: Adoption | str,
    *,
    actor: StaffUser,
    reason: str = "",
    project: Project | None = None,
    publication: Publication | None = None,
    now: datetime | None = None,
) -> Suggestion:
    """Record (or revise) the decision on an idea, link its project, set what may be published, tell the resident.

    ``publication`` None withdraws any earlier approval: the idea is then counted on the project page, not shown.

    :raise WorkflowError: a decision that needs a project has none, a 暂不采纳 has no reason, or the table refuses.
    """
    outcome = Adoption(outcome)
    if outcome.needs_project and project is None:
        raise WorkflowError(f"「{outcome.label}」需要选择对应的民心工程项目。")
    if not outcome.needs_project:
        project = None
    if publication is not None and not outcome.fed_project:
        raise WorkflowError("只有采纳或部分采纳的建议可以在项目页公示。")
    if publication is not None:
        publication = _checked(publication)
    now = now or clock.now()
    details = {"outcome": outcome.value}
    if project is not None:
        details["project"] = f"{project.year}-{project.number} {project.title}"
    if publication is not None:
        details["published"] = True
    told = (suggestion.adoption, suggestion.project_id, suggestion.adoption_reason)
    with transition(suggestion, ADOPTION_ACTIONS[outcome], actor=actor, reason=reason, details=details, now=now):
        suggestion.adoption = outcome
        suggestion.adoption_reason = (reason or "").strip() or None
        suggestion.adoption_decided_at = now
        suggestion.project = project
        if publication is None:
            suggestion.public_title = suggestion.public_excerpt = None
            suggestion.publication_approved_by_id = suggestion.publication_approved_at = None
        else:
            suggestion.public_title, suggestion.public_excerpt = publication.title, publication.excerpt
            suggestion.publication_approved_by_id, suggestion.publication_approved_at = actor.id, now
        # The resident hears of a new or changed decision; a change of the public excerpt alone is not news to them.
        if told != (outcome, project.id if project else None, suggestion.adoption_reason):
            notifications.notify_adoption(suggestion, now=now)
    return suggestion


def _checked(publication: Publication) -> Publication:
    title, excerpt = publication.title.strip(), " ".join(publication.excerpt.split())
    if not title or not excerpt:
        raise WorkflowError("公示时请填写公示标题和摘要。")
    if len(title) > PUBLIC_TITLE_MAX or len(excerpt) > PUBLIC_EXCERPT_MAX:
        raise WorkflowError(f"公示标题最多 {PUBLIC_TITLE_MAX} 字，摘要最多 {PUBLIC_EXCERPT_MAX} 字。")
    if scrub_text(title) != title or scrub_text(excerpt) != excerpt:
        raise WorkflowError("公示内容中不能含有电话号码、身份证号等个人信息。")
    return Publication(title, excerpt)
