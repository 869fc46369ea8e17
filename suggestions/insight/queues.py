"""Read side: queues, filters, search, timelines and look-ups.  Builders return ``Select`` objects.

Every queue is an indexed query with a deterministic order, so pagination and
"next in queue" stay fast with 100,000+ suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from suggestions import clock
from suggestions.intake.tracking import parse_tracking_code
from suggestions.models import Campaign, CampaignDomain, Note, Reply, Suggestion, SuggestionEvent
from suggestions.workflow import OPEN_STATUSES, Channel, Status

# Queue rows show district, category, department and assignee.  Loading them with
# separate IN queries keeps the page query a plain indexed walk: with LEFT JOINs
# SQLite would join every match before applying ORDER BY ... LIMIT.
ROW_RELATIONS = (
    sa.orm.selectinload(Suggestion.district),
    sa.orm.selectinload(Suggestion.category),
    sa.orm.selectinload(Suggestion.department),
    sa.orm.selectinload(Suggestion.assignee),
    sa.orm.selectinload(Suggestion.domain),
)

SORTS = {
    "received": (Suggestion.received_at, Suggestion.id),
    "-received": (Suggestion.received_at.desc(), Suggestion.id.desc()),
    # Items whose clock is not running (no due date) go last on both databases.
    "due": (Suggestion.due_at.asc().nulls_last(), Suggestion.id),
}

# The domain filter's value for items whose domain is not decided yet.
NO_DOMAIN = "none"

# Named queues staff work through; "next in queue" stays within the one they came from.
NAMED_QUEUES = {
    "triage": ("待人工分拨", [Status.NEEDS_TRIAGE, Status.RETURNED]),
    "review": ("待审核答复", [Status.REPLIED]),
    "extensions": ("延期待审", [Status.EXTENSION_PENDING]),
    "callbacks": ("待回访", [Status.CALLBACK_PENDING]),
}


@dataclass
class QueueFilter:
    """What a queue page is narrowed to; empty fields do not filter."""

    department_id: int | None = None
    statuses: list[Status] = field(default_factory=list)
    deadline: str = ""  # "overdue", "due_soon" or ""
    category_id: int | None = None
    district_id: int | None = None
    channel: Channel | None = None
    campaign_year: int | None = None  # the year of the campaign an item came in under
    domain: str = ""  # a domain name (the same name across years), NO_DOMAIN for undecided items, or ""
    assignee_id: int | None = None
    unassigned: bool = False
    received_from: date | None = None
    received_to: date | None = None
    search: str = ""
    phone_hash: str | None = None
    sort: str = "received"


def filtered(f: QueueFilter, now: datetime, due_soon: timedelta) -> sa.Select:
    """Suggestions matching ``f``, in the requested order."""
    return narrowed(sa.select(Suggestion).options(*ROW_RELATIONS), f, now, due_soon)


def narrowed(query: sa.Select, f: QueueFilter, now: datetime, due_soon: timedelta) -> sa.Select:
    """``query`` (anything selected from suggestions) narrowed to ``f`` and ordered as ``f`` asks.

    The queue page selects ORM rows; the export selects plain columns with the same filter and order.
    """
    statuses = f.statuses or sorted(OPEN_STATUSES)
    query = query.where(Suggestion.status.in_(statuses))
    if f.department_id is not None:
        query = query.where(Suggestion.department_id == f.department_id)
    if f.deadline == "overdue":
        query = query.where(Suggestion.due_at < now)
    elif f.deadline == "due_soon":
        query = query.where(Suggestion.due_at >= now, Suggestion.due_at <= now + due_soon)
    for column, value in (
        (Suggestion.category_id, f.category_id),
        (Suggestion.district_id, f.district_id),
        (Suggestion.channel, f.channel),
        (Suggestion.assignee_id, f.assignee_id),
        (Suggestion.phone_hash, f.phone_hash),
    ):
        if value is not None:
            query = query.where(column == value)
    if f.campaign_year is not None:
        query = query.where(Suggestion.campaign_id.in_(sa.select(Campaign.id).where(Campaign.year == f.campaign_year)))
    if f.domain == NO_DOMAIN:
        query = query.where(Suggestion.domain_id.is_(None))
    elif f.domain:
        query = query.where(
            Suggestion.domain_id.in_(sa.select(CampaignDomain.id).where(CampaignDomain.name == f.domain))
        )
    if f.unassigned:
        query = query.where(Suggestion.assignee_id.is_(None))
    if f.received_from:
        query = query.where(Suggestion.received_at >= _local_midnight(f.received_from))
    if f.received_to:
        query = query.where(Suggestion.received_at < _local_midnight(f.received_to + timedelta(days=1)))
    if f.search:
        query = query.where(search_condition(f.search))
    return query.order_by(*SORTS.get(f.sort, SORTS["received"]))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_TZ)


def search_terms(text: str) -> list[str]:
    """Split a search into words with jieba, so 加装电梯 matches 老楼加装电梯的建议."""
    from classifier.tokenize import tokenize_zh

    terms = []
    for chunk in text.split():
        words = tokenize_zh(chunk) or [chunk]
        terms.extend(word for word in words if word not in terms)
    return terms[:8]


def search_condition(text: str) -> sa.ColumnElement[bool]:
    """Every word must occur in the title or the body, in any order."""
    code = parse_tracking_code(text)
    if code is not None:
        return Suggestion.tracking_code == code
    conditions = [
        sa.or_(Suggestion.title.contains(term, autoescape=True), Suggestion.body.contains(term, autoescape=True))
        for term in search_terms(text)
    ]
    return sa.and_(*conditions) if conditions else sa.true()


def department_queue(department_id: int) -> sa.Select:
    """Open items held by one department, oldest first."""
    return (
        sa.select(Suggestion)
        .options(*ROW_RELATIONS)
        .where(Suggestion.department_id == department_id, Suggestion.status.in_(OPEN_STATUSES))
        .order_by(Suggestion.received_at, Suggestion.id)
    )


def named_queue(name: str) -> sa.Select:
    """One of the campaign office's work queues (triage, review, extensions, callbacks), oldest first."""
    _label, statuses = NAMED_QUEUES[name]
    return (
        sa.select(Suggestion)
        .options(*ROW_RELATIONS)
        .where(Suggestion.status.in_(statuses))
        .order_by(Suggestion.received_at, Suggestion.id)
    )


def triage_queue() -> sa.Select:
    """Items waiting for a dispatcher: low confidence, unknown route, or returned by a department."""
    return named_queue("triage")


def callback_queue() -> sa.Select:
    """Items waiting for a callback: replied items, and merged items whose master has been answered."""
    master = sa.orm.aliased(Suggestion)
    merged_waiting = (
        sa.select(Suggestion.id)
        .join(master, Suggestion.merged_into_id == master.id)
        .where(
            Suggestion.status == Status.MERGED,
            Suggestion.callback_result.is_(None),
            Suggestion.phone_ciphertext.is_not(None),
            master.status.in_([Status.CALLBACK_PENDING, Status.CLOSED]),
        )
    )
    return (
        sa.select(Suggestion)
        .options(*ROW_RELATIONS)
        .where(sa.or_(Suggestion.status == Status.CALLBACK_PENDING, Suggestion.id.in_(merged_waiting)))
        .order_by(Suggestion.callback_due_at.is_(None), Suggestion.callback_due_at, Suggestion.id)
    )


def key_words(explained: list[str], text: str) -> list[str]:
    """The words that characterise a text: the model's explanation first, then the text's own words."""
    words = [word for word in explained if len(word) >= 2]
    for word in search_terms(text):
        if len(word) >= 2 and word not in words:
            words.append(word)
    return words[:4]


def earlier_calls(phone_hash: str, *, exclude_id: int | None, limit: int = 5) -> sa.Select:
    """The same caller's earlier suggestions (matched by keyed hash, never by the number itself)."""
    query = sa.select(Suggestion).options(*ROW_RELATIONS).where(Suggestion.phone_hash == phone_hash)
    if exclude_id is not None:
        query = query.where(Suggestion.id != exclude_id)
    return query.order_by(Suggestion.received_at.desc(), Suggestion.id.desc()).limit(limit)


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


def public_replies(suggestion: Suggestion) -> sa.Select:
    """Replies the resident sees: the item's own, or its master's if it was merged."""
    source = suggestion.merged_into_id or suggestion.id
    return sa.select(Reply).where(Reply.suggestion_id == source).order_by(Reply.id)


def latest_final_replies(suggestion_ids: list[int]) -> sa.Select:
    """The newest final reply of each of these suggestions (what a reviewer reads)."""
    newest = (
        sa.select(sa.func.max(Reply.id))
        .where(Reply.suggestion_id.in_(suggestion_ids), Reply.is_final)
        .group_by(Reply.suggestion_id)
    )
    return sa.select(Reply).where(Reply.id.in_(newest))


def notes(suggestion_id: int) -> sa.Select:
    return sa.select(Note).where(Note.suggestion_id == suggestion_id).order_by(Note.id)


def merged_children(suggestion_id: int) -> sa.Select:
    return sa.select(Suggestion).where(Suggestion.merged_into_id == suggestion_id).order_by(Suggestion.id)


def by_tracking_code(code: str) -> sa.Select | None:
    """The suggestion with this public code, or None if ``code`` is not a valid code at all."""
    canonical = parse_tracking_code(code)
    if canonical is None:
        return None
    return sa.select(Suggestion).where(Suggestion.tracking_code == canonical)
