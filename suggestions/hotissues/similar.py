"""Earlier ideas like the one a resident is typing, for the public form: nothing personal, at most three.

Candidates come from the one similarity search (``insight.similarity``); an item kept confidential, refused
(不予受理) or outside the campaign is never shown, and a supporter's item shows as the idea it supports.  Only
the title (already masked of numbers at intake), the public status and the hot issue's label leave the server.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.insight.queues import key_words
from suggestions.insight.similarity import similar_suggestions
from suggestions.models import Campaign, HotIssue, HotIssueMember, Suggestion
from suggestions.workflow import PUBLIC_STATUS_LABELS, Status

SHOWN = 3
MIN_TEXT = 8  # characters typed before anything is looked up
TITLE_SHOWN = 40


def supportable(suggestion: Suggestion | None, campaign: Campaign | None) -> bool:
    """Whether residents may see this idea and add their support to it."""
    return (
        suggestion is not None
        and campaign is not None
        and suggestion.campaign_id == campaign.id
        and not suggestion.confidential
        and suggestion.status not in (Status.NOT_ACCEPTED, Status.MERGED)
        and suggestion.supports_id is None
    )


def similar_ideas(title: str, body: str, campaign: Campaign | None) -> list[dict]:
    """Up to three earlier ideas of the campaign most like the text, as the public may see them."""
    text = f"{title or ''} {body or ''}".strip()
    if campaign is None or len(text) < MIN_TEXT:
        return []
    since = clock.now() - timedelta(days=400)
    found, seen = [], set()
    for item in similar_suggestions(text, key_words([], text), exclude_id=None, since=since, limit=12):
        idea = item.suggestion.supports or item.suggestion
        if idea.id in seen or not supportable(idea, campaign):
            continue
        seen.add(idea.id)
        found.append(idea)
        if len(found) == SHOWN:
            break
    issues = _issue_labels([idea.id for idea in found])
    supporters = _supporters([idea.id for idea in found])
    return [
        {
            "id": idea.id,
            "title": (idea.title or idea.body[:TITLE_SHOWN])[:TITLE_SHOWN],
            "status": PUBLIC_STATUS_LABELS[idea.status],
            "issue": issues.get(idea.id),
            "supporters": supporters.get(idea.id, 0),
        }
        for idea in found
    ]


def _issue_labels(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(HotIssueMember.suggestion_id, HotIssue.label)
        .join(HotIssue, HotIssue.id == HotIssueMember.issue_id)
        .where(HotIssueMember.suggestion_id.in_(ids), HotIssue.active.is_(True), HotIssue.not_hot.is_(False))
    )
    return {key: value for key, value in rows}


def _supporters(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Suggestion.supports_id, sa.func.count())
        .where(Suggestion.supports_id.in_(ids))
        .group_by(Suggestion.supports_id)
    )
    return {key: value for key, value in rows}
