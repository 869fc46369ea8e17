"""Read side: queries for queues, timelines and look-ups.  Builders return ``Select`` objects."""

from __future__ import annotations

import re

import sqlalchemy as sa

from suggestions.models import Reply, Suggestion, SuggestionEvent
from suggestions.workflow import OPEN_STATUSES, Status

TRACKING_CODE_RE = re.compile(r"^\s*JDZ-?(\d{4})-?(\d{1,9})\s*$", re.IGNORECASE)


def department_queue(department_id: int) -> sa.Select:
    """Open items held by one department, oldest first."""
    return (
        sa.select(Suggestion)
        .where(Suggestion.department_id == department_id, Suggestion.status.in_(OPEN_STATUSES))
        .order_by(Suggestion.received_at, Suggestion.id)
    )


def triage_queue() -> sa.Select:
    """Items waiting for a dispatcher: low confidence, unknown route, or returned by a department."""
    return (
        sa.select(Suggestion)
        .where(Suggestion.status.in_([Status.NEEDS_TRIAGE, Status.RETURNED]))
        .order_by(Suggestion.received_at, Suggestion.id)
    )


def open_items() -> sa.Select:
    """Every open item across departments, oldest first."""
    return (
        sa.select(Suggestion)
        .where(Suggestion.status.in_(OPEN_STATUSES))
        .order_by(Suggestion.received_at, Suggestion.id)
    )


def next_in_queue(queue: sa.Select, after: Suggestion) -> sa.Select:
    """The item that follows ``after`` in an oldest-first queue."""
    return queue.where(
        sa.or_(
            Suggestion.received_at > after.received_at,
            sa.and_(Suggestion.received_at == after.received_at, Suggestion.id > after.id),
        )
    ).limit(1)


def timeline(suggestion_id: int) -> sa.Select:
    return sa.select(SuggestionEvent).where(SuggestionEvent.suggestion_id == suggestion_id).order_by(SuggestionEvent.id)


def public_replies(suggestion_id: int) -> sa.Select:
    return sa.select(Reply).where(Reply.suggestion_id == suggestion_id).order_by(Reply.id)


def parse_tracking_code(code: str) -> tuple[int, int] | None:
    """Return (year, id) from a code like JDZ-2026-000123, or None if it is not one."""
    match = TRACKING_CODE_RE.match(code or "")
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


def by_tracking_code(code: str) -> sa.Select | None:
    parsed = parse_tracking_code(code)
    if parsed is None:
        return None
    year, suggestion_id = parsed
    return sa.select(Suggestion).where(Suggestion.id == suggestion_id, Suggestion.code_year == year)
