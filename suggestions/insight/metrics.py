"""The campaign office's figures (see ../shared/docs/domain.md §4.3), as aggregate queries over a scope.

A ``Scope`` is a campaign year (None: every year) and a domain name ("" every domain, ``NO_DOMAIN`` the undecided
ones).  The hotline rates are computed from the event rows and their timestamps, per dispatch (签收, 响应) or per
reply cycle (办结), and an item whose time limit has not passed yet never counts as late:

* 签收及时率 = dispatches signed within the limit ÷ (dispatches signed + dispatches still unsigned after their
  limit).  A dispatch still waiting within its limit counts nowhere yet; one returned (退单, only possible within
  the return window) or taken back by the office before the unit signed counts nowhere either.
* 响应率 = dispatches the unit answered within the limit, by signing or by a reasoned return, ÷ (dispatches
  signed or returned + dispatches still unanswered after the limit).  In this workflow a unit can write to the
  resident only after signing, so the sign is its first contact.
* 按期办结率 = final replies (答复) by their deadline (an approved extension moves it) ÷ (final replies + items
  still unanswered after the deadline).  A reopened item (回访不满意 → 重办) is a new reply cycle with its own
  deadline, so its first reply and its second one each count once.
* 满意率 = (满意 + 基本满意 × w) ÷ callbacks that reached the resident; 解决率 = callbacks where the resident
  confirmed the problem handled (满意 or 基本满意: the item closes) ÷ the same; 重办率 = 不满意 ÷ the same.  Every
  callback counts, so a reopened item that was first 不满意 and then 满意 counts one of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from suggestions import clock
from suggestions.campaign.taxonomy import domain_names
from suggestions.extensions import db
from suggestions.models import (
    LOCAL_GOVERNMENT,
    Campaign,
    CampaignDomain,
    Department,
    District,
    Project,
    QrPoster,
    RouteCorrection,
    Suggestion,
    SuggestionEvent,
)
from suggestions.workflow import (
    FED_ADOPTIONS,
    OPEN_STATUSES,
    STATUS_LABELS,
    Action,
    Adoption,
    Channel,
    ProjectStatus,
    Satisfaction,
    Status,
)

DISPATCH_ACTIONS = (Action.AUTO_DISPATCH, Action.ROUTE_AT_INTAKE, Action.DISPATCH, Action.REDISPATCH)
CALLBACK_ACTIONS = (Action.CALLBACK_SATISFIED, Action.CALLBACK_DISSATISFIED, Action.MERGED_CALLBACK)
# States in which the department still owes the final reply (its reply deadline runs).
REPLY_OWED = (Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS, Status.EXTENSION_PENDING, Status.REDO)
ANSWERED = (Status.REPLIED, Status.CALLBACK_PENDING, Status.CLOSED)
# 满意率 counts 基本满意 with this weight (a setting in the domain doc; 1.0 = as satisfied).
BASICALLY_SATISFIED_WEIGHT = 0.8
NO_DOMAIN = "none"  # the domain filter's value for undecided items (the queue uses the same)
UNDECIDED_DOMAIN = "未确定"


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Scope:
    """Which suggestions a figure counts: a campaign year and a domain name."""

    year: int | None = None
    domain: str = ""

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        where = []
        if self.year is not None:
            where.append(Suggestion.campaign_id.in_(sa.select(Campaign.id).where(Campaign.year == self.year)))
        if self.domain == NO_DOMAIN:
            where.append(Suggestion.domain_id.is_(None))
        elif self.domain:
            where.append(
                Suggestion.domain_id.in_(sa.select(CampaignDomain.id).where(CampaignDomain.name == self.domain))
            )
        return where


@dataclass
class HotlineFigures:
    """One department's (or domain's, or the whole scope's) counts behind the rates."""

    name: str
    open: int = 0
    overdue: int = 0
    dispatched: int = 0
    signed: int = 0
    signed_late: int = 0
    unsigned_late: int = 0  # still waiting to be signed after the limit
    returned: int = 0
    replied: int = 0
    replied_late: int = 0
    unreplied_late: int = 0  # still owed a final reply after the deadline
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0

    def add(self, other: HotlineFigures) -> None:
        for key in self.__dataclass_fields__:
            if key != "name":
                setattr(self, key, getattr(self, key) + getattr(other, key))

    @property
    def reached(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    @property
    def sign_on_time_rate(self):
        """签收及时率."""
        return ratio(self.signed - self.signed_late, self.signed + self.unsigned_late)

    @property
    def response_rate(self):
        """响应率."""
        return ratio(self.signed - self.signed_late + self.returned, self.signed + self.returned + self.unsigned_late)

    @property
    def reply_on_time_rate(self):
        """按期办结率."""
        return ratio(self.replied - self.replied_late, self.replied + self.unreplied_late)

    @property
    def return_rate(self):
        return ratio(self.returned, self.dispatched)

    @property
    def satisfaction_rate(self):
        """满意率."""
        return ratio(self.satisfied + BASICALLY_SATISFIED_WEIGHT * self.basically_satisfied, self.reached)

    @property
    def resolution_rate(self):
        """解决率."""
        return ratio(self.satisfied + self.basically_satisfied, self.reached)

    @property
    def redo_rate(self):
        return ratio(self.dissatisfied, self.reached)


def hotline_figures(scope: Scope, now: datetime) -> dict[tuple, HotlineFigures]:
    """The counts behind the rates per (department, domain id), from one pass over the items and one over the
    events: an event counts for the department it went to (a return for the one it came from) and for the
    item's domain."""
    rows: dict[tuple, HotlineFigures] = {}

    def row(key) -> HotlineFigures:
        return rows.setdefault(key, HotlineFigures(""))

    where = scope.conditions()
    overdue = sa.and_(
        Suggestion.due_at < now, Suggestion.status != Status.REPLIED
    )  # a reply under review: the office's
    unsigned_late = sa.and_(Suggestion.status == Status.DISPATCHED, Suggestion.sign_due_at < now)
    unreplied_late = sa.and_(Suggestion.status.in_(REPLY_OWED), Suggestion.reply_due_at < now)
    waiting = db.session.execute(
        sa.select(
            Suggestion.department_id,
            Suggestion.domain_id,
            sa.func.count(),
            *(sa.func.sum(sa.case((condition, 1), else_=0)) for condition in (overdue, unsigned_late, unreplied_late)),
        )
        .where(Suggestion.status.in_(OPEN_STATUSES), Suggestion.department_id.is_not(None), *where)
        .group_by(Suggestion.department_id, Suggestion.domain_id)
    )
    for department_id, domain_id, count, late_now, unsigned, unreplied in waiting:
        figures = row((department_id, domain_id))
        figures.open, figures.overdue = count, late_now or 0
        figures.unsigned_late, figures.unreplied_late = unsigned or 0, unreplied or 0

    late = SuggestionEvent.details["late"].as_boolean()
    outcome = SuggestionEvent.details["outcome"].as_string()
    events = db.session.execute(
        sa.select(
            SuggestionEvent.to_department_id,
            SuggestionEvent.from_department_id,
            Suggestion.domain_id,
            SuggestionEvent.action,
            outcome,
            sa.func.count(),
            sa.func.sum(sa.case((late.is_(True), 1), else_=0)),
        )
        .join(Suggestion, Suggestion.id == SuggestionEvent.suggestion_id)
        .where(
            SuggestionEvent.action.in_(
                [*DISPATCH_ACTIONS, *CALLBACK_ACTIONS, Action.SIGN, Action.REPLY, Action.RETURN]
            ),
            *where,
        )
        .group_by(
            SuggestionEvent.to_department_id,
            SuggestionEvent.from_department_id,
            Suggestion.domain_id,
            SuggestionEvent.action,
            outcome,
        )
    )
    for to_id, from_id, domain_id, action, result, count, late_count in events:
        if action == Action.RETURN:
            row((from_id, domain_id)).returned += count
            continue
        figures = row((to_id, domain_id))
        if action in DISPATCH_ACTIONS:
            figures.dispatched += count
        elif action == Action.SIGN:
            figures.signed += count
            figures.signed_late += late_count or 0
        elif action == Action.REPLY:
            figures.replied += count
            figures.replied_late += late_count or 0
        elif action == Action.CALLBACK_DISSATISFIED or result == Satisfaction.DISSATISFIED:
            figures.dissatisfied += count
        elif result == Satisfaction.SATISFIED:
            figures.satisfied += count
        elif result == Satisfaction.BASICALLY_SATISFIED:
            figures.basically_satisfied += count
    return rows


def department_stats(scope: Scope, now: datetime, figures: dict | None = None) -> list[HotlineFigures]:
    """Per-department figures for the scope's suggestions: the rates, and open/overdue counts now."""
    figures = hotline_figures(scope, now) if figures is None else figures
    summed: dict[int, HotlineFigures] = {}
    for (department_id, _domain_id), row in figures.items():
        summed.setdefault(department_id, HotlineFigures("")).add(row)
    result = []
    for department_id, name in db.session.execute(sa.select(Department.id, Department.name).order_by(Department.id)):
        row = summed.get(department_id)
        if row is not None and (row.open or row.dispatched):
            row.name = name
            result.append(row)
    return result


def total_figures(rows: list[HotlineFigures]) -> HotlineFigures:
    total = HotlineFigures("合计")
    for row in rows:
        total.add(row)
    return total


def domain_rates(scope: Scope, now: datetime, figures: dict | None = None) -> list[HotlineFigures]:
    """The same rates per domain (the same name counts together across years), in the domains' order."""
    figures = hotline_figures(scope, now) if figures is None else figures
    names = dict(db.session.execute(sa.select(CampaignDomain.id, CampaignDomain.name)).all())
    merged: dict[str, HotlineFigures] = {}
    for (_department_id, domain_id), row in figures.items():
        name = names.get(domain_id, UNDECIDED_DOMAIN)
        merged.setdefault(name, HotlineFigures(name)).add(row)
    return _in_domain_order(merged)


def _in_domain_order(found: dict) -> list:
    ordered = [found.pop(name) for name in domain_names() if name in found]
    undecided = found.pop(UNDECIDED_DOMAIN, None)
    return ordered + list(found.values()) + ([undecided] if undecided else [])


def campaign_totals(scope: Scope, routed: dict | None = None) -> dict:
    """Whole-scope figures: volume, manual share, repeat rate, adoption rate."""
    total, merged, evaluated, adopted = db.session.execute(
        sa.select(
            sa.func.count(Suggestion.id),
            *(
                sa.func.sum(sa.case((condition, 1), else_=0))
                for condition in (
                    Suggestion.status == Status.MERGED,
                    Suggestion.adoption.in_(DECIDED),
                    Suggestion.adoption.in_(FED_ADOPTIONS),
                )
            ),
        ).where(*scope.conditions())
    ).one()
    total, merged, evaluated, adopted = total or 0, merged or 0, evaluated or 0, adopted or 0
    flagged = (routed or items_with_routing_events(scope))[Action.FLAG_FOR_TRIAGE]
    return {
        "received": total,
        "manual_share": ratio(flagged, total),
        "repeat_rate": ratio(merged, total),
        "adoption_rate": ratio(adopted, evaluated),
        "evaluated": evaluated,
        "adopted": adopted,
    }


ROUTING_ACTIONS = (Action.FLAG_FOR_TRIAGE, Action.AUTO_DISPATCH)


def items_with_routing_events(scope: Scope) -> dict[Action, int]:
    """How many of the scope's suggestions went to manual dispatch, and how many were dispatched automatically
    (one pass over the events for both)."""
    rows = db.session.execute(
        sa.select(SuggestionEvent.action, sa.func.count(sa.distinct(SuggestionEvent.suggestion_id)))
        .join(Suggestion, Suggestion.id == SuggestionEvent.suggestion_id)
        .where(SuggestionEvent.action.in_(ROUTING_ACTIONS), *scope.conditions())
        .group_by(SuggestionEvent.action)
    )
    return {action: 0 for action in ROUTING_ACTIONS} | {Action(action): count for action, count in rows}


def routing_totals(scope: Scope, routed: dict | None = None) -> dict:
    """How well routing works: dispatched without a person, corrected by staff, proposed to a district government."""
    where = scope.conditions()
    received = db.session.scalar(sa.select(sa.func.count(Suggestion.id)).where(*where)) or 0
    automatic = (routed or items_with_routing_events(scope))[Action.AUTO_DISPATCH]
    corrected = (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(RouteCorrection.suggestion_id)))
            .join(Suggestion, Suggestion.id == RouteCorrection.suggestion_id)
            .where(*where)
        )
        or 0
    )
    local = (
        db.session.scalar(
            sa.select(sa.func.count(Suggestion.id))
            .join(Department, Department.id == Suggestion.predicted_department_id)
            .where(Department.handler_type == LOCAL_GOVERNMENT, *where)
        )
        or 0
    )
    return {
        "automatic_share": ratio(automatic, received),
        "corrected_share": ratio(corrected, received),
        "local_share": ratio(local, received),
        "corrected": corrected,
    }


# -- the campaign: counts and adoption by day, domain, district, channel, status, year, poster and project ---------

DECIDED = (Adoption.ADOPTED, Adoption.PARTIALLY_ADOPTED, Adoption.ALREADY_PLANNED, Adoption.NOT_ADOPTED)


@dataclass
class Count:
    label: str
    count: int


@dataclass
class AdoptionRow:
    """Ideas of one domain (or project): received, decided, and what the decisions were."""

    label: str
    received: int = 0
    decided: int = 0
    fed: int = 0  # 采纳 + 部分采纳
    already_planned: int = 0
    not_adopted: int = 0

    @property
    def adoption_rate(self) -> float | None:
        """采纳率 = (采纳 + 部分采纳) ÷ decided (研究中 is not decided yet)."""
        return ratio(self.fed, self.decided)


def _adoption_columns():
    return (
        sa.func.count(Suggestion.id),
        sa.func.sum(sa.case((Suggestion.adoption.in_(DECIDED), 1), else_=0)),
        sa.func.sum(sa.case((Suggestion.adoption.in_(FED_ADOPTIONS), 1), else_=0)),
        sa.func.sum(sa.case((Suggestion.adoption == Adoption.ALREADY_PLANNED, 1), else_=0)),
        sa.func.sum(sa.case((Suggestion.adoption == Adoption.NOT_ADOPTED, 1), else_=0)),
    )


def _adoption_row(label, received, decided, fed, planned, not_adopted) -> AdoptionRow:
    return AdoptionRow(label, received or 0, decided or 0, fed or 0, planned or 0, not_adopted or 0)


def by_domain(scope: Scope) -> list[AdoptionRow]:
    """Suggestions and adoption per domain, in the domains' order; the same name counts together across years."""
    rows = db.session.execute(
        sa.select(CampaignDomain.name, *_adoption_columns())
        .select_from(Suggestion)
        .outerjoin(CampaignDomain, CampaignDomain.id == Suggestion.domain_id)
        .where(*scope.conditions())
        .group_by(CampaignDomain.name)
    )
    return _in_domain_order(
        {name or UNDECIDED_DOMAIN: _adoption_row(name or UNDECIDED_DOMAIN, *c) for name, *c in rows}
    )


def by_district(scope: Scope) -> list[Count]:
    """Suggestions per district: all 16 districts (and 全市) in their order, with zeros; no district last."""
    counts = dict(
        db.session.execute(
            sa.select(Suggestion.district_id, sa.func.count(Suggestion.id))
            .where(*scope.conditions())
            .group_by(Suggestion.district_id)
        ).all()
    )
    result = [
        Count(name, counts.pop(district_id, 0))
        for district_id, name in db.session.execute(
            sa.select(District.id, District.name).order_by(District.position, District.id)
        )
    ]
    missing = sum(counts.values())
    return result + ([Count("未填写", missing)] if missing else [])


def by_channel(scope: Scope) -> list[Count]:
    counts = dict(
        db.session.execute(
            sa.select(Suggestion.channel, sa.func.count(Suggestion.id))
            .where(*scope.conditions())
            .group_by(Suggestion.channel)
        ).all()
    )
    return [Count(channel.label, counts[channel]) for channel in Channel if channel in counts]


def by_status(scope: Scope) -> list[Count]:
    """Suggestions per current state, in the workflow's order."""
    counts = dict(
        db.session.execute(
            sa.select(Suggestion.status, sa.func.count(Suggestion.id))
            .where(*scope.conditions())
            .group_by(Suggestion.status)
        ).all()
    )
    return [Count(label, counts[status]) for status, label in STATUS_LABELS.items() if status in counts]


def by_year(domain: str = "") -> list[Count]:
    """Suggestions per campaign year, latest first; items outside any campaign last."""
    rows = db.session.execute(
        sa.select(Campaign.year, sa.func.count(Suggestion.id))
        .select_from(Suggestion)
        .outerjoin(Campaign, Campaign.id == Suggestion.campaign_id)
        .where(*Scope(None, domain).conditions())
        .group_by(Campaign.year)
        .order_by(Campaign.year.desc().nulls_last())
    )
    return [Count(f"{year}年" if year else "征集期外", count) for year, count in rows]


def by_poster(scope: Scope) -> list[Count]:
    """QR suggestions per poster location, most first."""
    rows = db.session.execute(
        sa.select(QrPoster.location, QrPoster.id, sa.func.count(Suggestion.id))
        .join(QrPoster, QrPoster.id == Suggestion.poster_id)
        .where(*scope.conditions())
        .group_by(QrPoster.id, QrPoster.location)
        .order_by(sa.func.count(Suggestion.id).desc(), QrPoster.id)
    )
    return [Count(f"{location}（{poster_id}号）", count) for location, poster_id, count in rows]


def by_project(scope: Scope) -> list[AdoptionRow]:
    """Per project of the year's campaign: ideas linked to it and their decisions.

    Its ``adoption_rate`` is the share of the decided ideas of the project's domain that fed this project.
    """
    projects = sa.select(Project).order_by(Project.year, Project.number)
    if scope.year is not None:
        projects = projects.where(Project.campaign_id.in_(sa.select(Campaign.id).where(Campaign.year == scope.year)))
    if scope.domain and scope.domain != NO_DOMAIN:
        projects = projects.where(
            Project.domain_id.in_(sa.select(CampaignDomain.id).where(CampaignDomain.name == scope.domain))
        )
    linked = {
        project_id: counts
        for project_id, *counts in db.session.execute(
            sa.select(Suggestion.project_id, *_adoption_columns())
            .where(Suggestion.project_id.is_not(None))
            .group_by(Suggestion.project_id)
        )
    }
    decided_in_domain = dict(
        db.session.execute(
            sa.select(Suggestion.domain_id, sa.func.count(Suggestion.id))
            .where(Suggestion.adoption.in_(DECIDED), Suggestion.domain_id.is_not(None))
            .group_by(Suggestion.domain_id)
        ).all()
    )
    result = []
    for project in db.session.scalars(projects):
        _received, _decided, fed, planned, _not = linked.get(project.id, (0, 0, 0, 0, 0))
        row = _adoption_row(f"{project.year}年第{project.number}项 {project.title}", 0, 0, fed, planned, 0)
        row.received = row.fed + row.already_planned
        row.decided = decided_in_domain.get(project.domain_id, 0) if project.domain_id else row.received
        result.append(row)
    return result


def funnel(scope: Scope) -> list[Count]:
    """From an idea to a project: received → answered → decided → adopted → in a project under way or done."""
    where = scope.conditions()
    count = sa.select(sa.func.count(Suggestion.id)).where(*where)
    underway = (
        sa.select(Project.id)
        .where(Project.status.in_([ProjectStatus.UNDERWAY, ProjectStatus.COMPLETED]))
        .scalar_subquery()
    )
    stages = [
        ("收到建议", count),
        ("已答复", count.where(Suggestion.status.in_(ANSWERED))),
        ("已作采纳决定", count.where(Suggestion.adoption.in_(DECIDED))),
        ("采纳或部分采纳", count.where(Suggestion.adoption.in_(FED_ADOPTIONS))),
        (
            "所入项目已实施或完成",
            count.where(Suggestion.adoption.in_(FED_ADOPTIONS), Suggestion.project_id.in_(underway)),
        ),
    ]
    return [Count(label, db.session.scalar(query) or 0) for label, query in stages]


def by_day(scope: Scope) -> list[Count]:
    """Suggestions per day received (Beijing time), every day from the first to the last, zeros included."""
    day = _local_day(Suggestion.received_at)
    counts = {
        _as_date(value): n
        for value, n in db.session.execute(
            sa.select(day, sa.func.count(Suggestion.id)).where(*scope.conditions()).group_by(day)
        )
    }
    if not counts:
        return []
    first, last = min(counts), max(counts)
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    return [Count(d.isoformat(), counts.get(d, 0)) for d in days]


def by_week(days: list[Count]) -> list[Count]:
    """The daily counts summed per ISO week (Monday to Sunday), labelled by the week's Monday."""
    weeks: dict[date, int] = {}
    for row in days:
        day = date.fromisoformat(row.label)
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + row.count
    return [Count(f"{monday.isoformat()} 起", n) for monday, n in sorted(weeks.items())]


def _local_day(column):
    """The Beijing date of a UTC timestamp column, in SQL (the database groups, not Python)."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.date(sa.func.timezone(clock.LOCAL_TZ.key, column))
    offset = clock.LOCAL_TZ.utcoffset(datetime(2000, 1, 1))
    return sa.func.date(column, f"+{int(offset.total_seconds() // 3600)} hours")


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
