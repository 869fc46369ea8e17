"""Keep the campaign's hot issues in the database: a suggestion joins one when it is routed; regroup on demand.

Each process keeps one ``classifier.topics.TopicIndex`` per campaign (built from the database on first use, then
caught up with the suggestions other processes stored since).  When ``routing.dispatch.route`` first routes a
suggestion, ``join`` files it in the index (a few milliseconds: only messages sharing a place are scored) and
brings the issues of its linked group up to date in the tables, in the caller's transaction.  ``regroup``
rebuilds every issue of a campaign from scratch (the nightly job, ``flask suggestions regroup``); both end in
``_reconcile``, so adding suggestions one by one gives the tables a full regroup gives.

Staff decisions live on issue rows.  ``_reconcile`` gives each new group the existing issue that shares most of
its suggestions (an issue with decisions wins a tie), so an issue keeps its id, its 非热点 mark, its project
and its proposal when members come and go.  An issue absorbed into another passes its decisions on where the
survivor has none; an issue that dissolved keeps its row, inactive, when staff ever decided on it.

Under concurrent intake on PostgreSQL joins take a transaction-scoped advisory lock, so two processes never
write the same membership at once.  A suggestion stored by another process while this one was grouping (its
transaction not yet committed) is picked up by the next join; the nightly regroup makes everything exact.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from classifier.topics import Message, Topic, TopicIndex
from suggestions import clock
from suggestions.extensions import db
from suggestions.models import HotIssue, HotIssueEvent, HotIssueMember, Suggestion

log = logging.getLogger(__name__)

# A suggestion with a lower id than the newest one filed may commit later (concurrent requests); a catch-up looks
# this many ids back for such late arrivals.
LOOKBACK_IDS = 500
_CHUNK = 900  # ids per IN (...) list: below SQLite's host-parameter limit
_ADVISORY_LOCK_BASE = 0x486F7400  # "Hot\0": one transaction lock per campaign on PostgreSQL
# A process without an index of the campaign builds it inside the request up to this size (a few seconds);
# beyond, it builds it in a background thread and the suggestions routed meanwhile wait for the nightly regroup,
# so that no submission ever waits for a whole campaign to be read (gunicorn builds them before forking).
INLINE_BUILD_LIMIT = 3000


@dataclass
class _CampaignIndex:
    index: TopicIndex
    max_id: int


@dataclass(frozen=True)
class RegroupReport:
    suggestions: int
    issues: int
    kept_decisions: int


def _indexes() -> tuple[dict[int, _CampaignIndex], threading.Lock]:
    state = current_app.extensions.get("hot_issues")
    if state is None:
        state = current_app.extensions.setdefault("hot_issues", ({}, threading.RLock()))
    return state


def _build(campaign_id: int) -> _CampaignIndex:
    rows = db.session.execute(_rows(campaign_id)).all()
    index = TopicIndex()
    index.extend(_message(*row[1:]) for row in rows)
    return _CampaignIndex(index, max((row[0] for row in rows), default=0))


def warm_up(app) -> None:
    """Build this process's index of every campaign (gunicorn --preload: once in the master, shared by workers)."""
    with app.app_context():
        try:
            indexes, lock = _indexes()
            campaigns = db.session.scalars(
                sa.select(Suggestion.campaign_id).where(Suggestion.campaign_id.is_not(None)).distinct()
            ).all()
            for campaign_id in campaigns:
                state = _build(campaign_id)
                with lock:
                    indexes[campaign_id] = state
        except Exception:  # noqa: BLE001  (a database not migrated yet: the first join builds it)
            log.warning("hot-issue indexes not built at start-up", exc_info=True)
        finally:
            db.session.remove()
            db.engine.dispose()  # no connection crosses the fork


def _build_in_background(app, campaign_id: int) -> None:
    indexes, lock = _indexes()
    building = app.extensions.setdefault("hot_issues_building", set())
    with lock:
        if campaign_id in building:
            return
        building.add(campaign_id)

    def run() -> None:
        with app.app_context():
            try:
                state = _build(campaign_id)
                with lock:
                    indexes.setdefault(campaign_id, state)
            except Exception:  # noqa: BLE001
                log.exception("building the hot-issue index failed; the next join tries again")
            finally:
                building.discard(campaign_id)
                db.session.remove()

    threading.Thread(target=run, name=f"hot-issues-{campaign_id}", daemon=True).start()


@functools.cache
def _rows_statement() -> sa.Select:
    """The columns grouping reads, per suggestion; a supporter reads as the idea it supports (built once: an
    aliased join costs more to build than to run)."""
    original = aliased(Suggestion)
    return sa.select(
        Suggestion.id,
        Suggestion.tracking_code,
        sa.func.coalesce(original.title, Suggestion.title),
        sa.func.coalesce(original.body, Suggestion.body),
        Suggestion.received_at,
        Suggestion.phone_hash,
    ).outerjoin(original, Suggestion.supports_id == original.id)


def _rows(campaign_id: int) -> sa.Select:
    return _rows_statement().where(Suggestion.campaign_id == campaign_id)


@functools.cache
def _recent_statement() -> sa.Select:
    return sa.select(Suggestion.id, Suggestion.tracking_code).where(
        Suggestion.campaign_id == sa.bindparam("campaign_id"), Suggestion.id > sa.bindparam("above_id")
    )


def _message(code: str, title: str, body: str, received_at: datetime | None, phone_hash: str | None) -> Message:
    # Residents are told apart by their number (the repeat-caller hash); one who left none is one per suggestion,
    # so that a supporter always counts as one more resident, even beside an identical text.
    return Message(id=code, title=title or "", body=body or "", time=received_at, resident=phone_hash or "c" + code)


def message_of(suggestion: Suggestion) -> Message:
    """The message grouping reads for a suggestion (also one not flushed yet)."""
    source = suggestion.supports or suggestion
    return _message(suggestion.tracking_code, source.title, source.body, suggestion.received_at, suggestion.phone_hash)


def _catch_up(campaign_id: int) -> TopicIndex | None:
    """This process's index of the campaign, with every committed suggestion filed (None: being built)."""
    indexes, _ = _indexes()
    state = indexes.get(campaign_id)
    if state is None:
        size = db.session.scalar(
            sa.select(sa.func.count()).select_from(Suggestion).where(Suggestion.campaign_id == campaign_id)
        )
        if size > INLINE_BUILD_LIMIT:
            _build_in_background(current_app._get_current_object(), campaign_id)
            return None
        state = indexes[campaign_id] = _build(campaign_id)
        return state.index
    recent = db.session.execute(
        _recent_statement(), {"campaign_id": campaign_id, "above_id": max(0, state.max_id - LOOKBACK_IDS)}
    ).all()
    missing = [sid for sid, code in recent if code not in state.index]
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start : start + _CHUNK]
        for row in db.session.execute(_rows_statement().where(Suggestion.id.in_(chunk)).order_by(Suggestion.id)):
            state.index.add(_message(*row[1:]))
    state.max_id = max([state.max_id, *(sid for sid, _ in recent)])
    return state.index


def join(suggestion: Suggestion, *, now: datetime | None = None) -> None:
    """File a newly routed suggestion: it joins an issue, starts one with an earlier suggestion, or stands alone.

    Called by ``routing.dispatch.route`` inside the routing step; writes in the caller's transaction.  A failure
    of the grouping itself is logged and skipped (the nightly regroup files the suggestion): a suggestion is
    never lost or refused because of it.
    """
    campaign_id = suggestion.campaign_id
    if campaign_id is None:
        return
    now = now or clock.now()
    _, lock = _indexes()
    with lock:
        try:
            if db.session.get_bind().dialect.name == "postgresql":
                db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_LOCK_BASE + campaign_id)))
            index = _catch_up(campaign_id)
            if index is None:
                log.info("hot-issue index still being built; the nightly regroup files this suggestion")
                return
            message = message_of(suggestion)
            index.add(message)
            scope, topics = index.group_of(message.id, now=now)
            # A suggestion stored earlier and routed only now (from 已受理) is in the tables like the others.
            pending = {message.id: suggestion} if suggestion.id is None else {}
            ids = _ids_by_code(set(scope) - set(pending))
            members = _memberships(list(ids.values()))
            plan = _plan(campaign_id, topics, ids, members, pending=pending)
        except Exception:  # noqa: BLE001  (grouping must never cost a resident their submission)
            log.exception("hot-issue grouping skipped for a new suggestion; the nightly regroup will file it")
            return
    plan.apply(now)


def regroup(campaign_id: int, *, now: datetime | None = None, workers: int = 1) -> RegroupReport:
    """Group every suggestion of a campaign from scratch and bring the issue tables to that grouping."""
    now = now or clock.now()
    rows = db.session.execute(_rows(campaign_id)).all()
    index = TopicIndex()
    index.extend((_message(*row[1:]) for row in rows), workers=workers)
    topics = index.topics(now=now)
    ids = {row[1]: row[0] for row in rows}
    members = {
        m.suggestion_id: m
        for m in db.session.scalars(sa.select(HotIssueMember).join(HotIssue).where(HotIssue.campaign_id == campaign_id))
    }
    everything = db.session.scalars(
        sa.select(HotIssue).where(HotIssue.campaign_id == campaign_id, HotIssue.active.is_(True))
    ).all()
    plan = _plan(campaign_id, topics, ids, members, extra_issues=everything)
    plan.apply(now)
    db.session.flush()
    indexes, lock = _indexes()
    with lock:
        indexes[campaign_id] = _CampaignIndex(index, max((row[0] for row in rows), default=0))
    kept = sum(1 for issue in plan.issues_after() if issue.has_decisions)
    return RegroupReport(suggestions=len(rows), issues=len(topics), kept_decisions=kept)


def _ids_by_code(codes: Iterable[str]) -> dict[str, int]:
    codes, found = list(codes), {}
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        query = sa.select(Suggestion.tracking_code, Suggestion.id).where(Suggestion.tracking_code.in_(chunk))
        found.update((code, sid) for code, sid in db.session.execute(query))
    return found


def _memberships(suggestion_ids: Sequence[int]) -> dict[int, HotIssueMember]:
    found = {}
    for start in range(0, len(suggestion_ids), _CHUNK):
        chunk = suggestion_ids[start : start + _CHUNK]
        for member in db.session.scalars(sa.select(HotIssueMember).where(HotIssueMember.suggestion_id.in_(chunk))):
            found[member.suggestion_id] = member
    return found


@dataclass
class _Plan:
    """The changes that bring a set of suggestions' issues to a new grouping, computed before any write."""

    campaign_id: int
    topics: list[Topic]
    survivors: list[HotIssue | None]  # per topic: the existing issue that carries on, or None for a new one
    absorbed: list[list[HotIssue]]  # per topic: other existing issues folded into it
    dissolved: list[HotIssue]
    ids: dict[str, int]
    members: dict[int, HotIssueMember]
    pending: dict[str, Suggestion]
    with_events: set[int]
    _after: list[HotIssue] | None = None

    def apply(self, now: datetime) -> None:
        session = db.session
        placed: set[int] = set()
        after = []
        for topic, issue, absorbed in zip(self.topics, self.survivors, self.absorbed, strict=True):
            if issue is None:
                issue = HotIssue(campaign_id=self.campaign_id)
                session.add(issue)
            _describe(issue, topic, now)
            for other in absorbed:  # decisions of an issue folded into this one, where this one has none
                issue.not_hot = issue.not_hot or other.not_hot
                issue.project_id = issue.project_id or other.project_id
                issue.proposed_year = issue.proposed_year or other.proposed_year
            after.append(issue)
            for code in topic.members:
                suggestion = self.pending.get(code)
                if suggestion is not None:
                    session.add(HotIssueMember(suggestion=suggestion, issue=issue))
                    continue
                sid = self.ids.get(code)
                if sid is None:
                    continue  # a suggestion whose insert was rolled back in this process
                placed.add(sid)
                member = self.members.get(sid)
                if member is None:
                    session.add(HotIssueMember(suggestion_id=sid, issue=issue))
                elif member.issue_id != issue.id or issue.id is None:
                    member.issue = issue
        for sid, member in self.members.items():
            if sid not in placed:
                session.delete(member)
        for issue in self.dissolved:
            if issue.has_decisions or issue.id in self.with_events:
                issue.active, issue.messages, issue.residents, issue.updated_at = False, 0, 0, now
            else:
                session.delete(issue)
        self._after = after  # no flush: inside a routing step, the step flushes once

    def issues_after(self) -> list[HotIssue]:
        return self._after or []


def _plan(
    campaign_id: int,
    topics: list[Topic],
    ids: dict[str, int],
    members: dict[int, HotIssueMember],
    *,
    pending: dict[str, Suggestion] | None = None,
    extra_issues: Sequence[HotIssue] = (),
) -> _Plan:
    issue_ids = {m.issue_id for m in members.values()} | {i.id for i in extra_issues}
    issues = {i.id: i for i in extra_issues}
    missing = [i for i in issue_ids if i not in issues]
    if missing:
        issues.update({i.id: i for i in db.session.scalars(sa.select(HotIssue).where(HotIssue.id.in_(missing)))})
    overlap: Counter[tuple[int, int]] = Counter()
    for number, topic in enumerate(topics):
        for code in topic.members:
            member = members.get(ids.get(code, -1))
            if member is not None:
                overlap[number, member.issue_id] += 1
    # The largest overlaps first; on a tie an issue staff decided on, then the older issue.
    ranked = sorted(overlap.items(), key=lambda kv: (-kv[1], not issues[kv[0][1]].has_decisions, kv[0][1], kv[0][0]))
    survivors: list[HotIssue | None] = [None] * len(topics)
    taken: set[int] = set()
    for (number, issue_id), _ in ranked:
        if survivors[number] is None and issue_id not in taken:
            survivors[number] = issues[issue_id]
            taken.add(issue_id)
    absorbed: list[list[HotIssue]] = [[] for _ in topics]
    for (number, issue_id), _ in ranked:
        if issue_id not in taken and issues[issue_id].has_decisions and issues[issue_id] not in absorbed[number]:
            absorbed[number].append(issues[issue_id])
    dissolved = [issue for issue_id, issue in issues.items() if issue_id not in taken]
    with_events = set()
    if dissolved:
        with_events = set(
            db.session.scalars(
                sa.select(HotIssueEvent.issue_id).where(HotIssueEvent.issue_id.in_([i.id for i in dissolved]))
            )
        )
    return _Plan(campaign_id, topics, survivors, absorbed, dissolved, ids, members, pending or {}, with_events)


def _describe(issue: HotIssue, topic: Topic, now: datetime) -> None:
    issue.key = topic.id[:32]
    issue.label = topic.label[:200]
    issue.heat = round(topic.heat, 4)
    issue.residents = topic.residents
    issue.messages = len(topic.members)
    issue.votes = topic.votes
    issue.first_at, issue.last_at = topic.first, topic.last
    issue.places = list(topic.places)
    issue.keywords = list(topic.keywords)
    issue.active = True
    issue.updated_at = now
