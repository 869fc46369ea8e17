"""Hotline metrics per department (see ../shared/docs/domain.md §4.3) and the campaign's figures, as aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

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
from suggestions.workflow import FED_ADOPTIONS, OPEN_STATUSES, Action, Adoption, Channel, Satisfaction, Status

DISPATCH_ACTIONS = (Action.AUTO_DISPATCH, Action.ROUTE_AT_INTAKE, Action.DISPATCH, Action.REDISPATCH)
# 满意率 counts 基本满意 with this weight (a setting in the domain doc; 1.0 = as satisfied).
BASICALLY_SATISFIED_WEIGHT = 0.8


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass
class DepartmentStats:
    name: str
    open: int = 0
    overdue: int = 0
    dispatched: int = 0
    signed: int = 0
    signed_late: int = 0
    replied: int = 0
    replied_late: int = 0
    returned: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    extras: dict = field(default_factory=dict)

    @property
    def sign_on_time_rate(self):
        return ratio(self.signed - self.signed_late, self.dispatched)

    @property
    def reply_on_time_rate(self):
        return ratio(self.replied - self.replied_late, self.replied)

    @property
    def return_rate(self):
        return ratio(self.returned, self.dispatched)

    @property
    def satisfaction_rate(self):
        reached = self.satisfied + self.basically_satisfied + self.dissatisfied
        return ratio(self.satisfied + BASICALLY_SATISFIED_WEIGHT * self.basically_satisfied, reached)

    @property
    def redo_rate(self):
        return ratio(self.dissatisfied, self.satisfied + self.basically_satisfied + self.dissatisfied)


def department_stats(since: datetime, now: datetime) -> list[DepartmentStats]:
    """Per-department figures for events since ``since``, and open/overdue counts now."""
    rows: dict[int, DepartmentStats] = {
        d.id: DepartmentStats(d.name) for d in db.session.scalars(sa.select(Department).order_by(Department.id))
    }
    open_counts = db.session.execute(
        sa.select(
            Suggestion.department_id,
            sa.func.count(),
            # A reply waiting for review runs the campaign office's clock, not the department's.
            sa.func.sum(sa.case((sa.and_(Suggestion.due_at < now, Suggestion.status != Status.REPLIED), 1), else_=0)),
        )
        .where(Suggestion.status.in_(OPEN_STATUSES), Suggestion.department_id.is_not(None))
        .group_by(Suggestion.department_id)
    )
    for department_id, count, overdue in open_counts:
        rows[department_id].open, rows[department_id].overdue = count, overdue or 0

    late = SuggestionEvent.details["late"].as_boolean()
    events = db.session.execute(
        sa.select(
            SuggestionEvent.to_department_id,
            SuggestionEvent.from_department_id,
            SuggestionEvent.action,
            sa.func.count(),
            sa.func.sum(sa.case((late.is_(True), 1), else_=0)),
        )
        .where(SuggestionEvent.created_at >= since)
        .group_by(SuggestionEvent.to_department_id, SuggestionEvent.from_department_id, SuggestionEvent.action)
    )
    for to_id, from_id, action, count, late_count in events:
        if action in DISPATCH_ACTIONS and to_id in rows:
            rows[to_id].dispatched += count
        elif action == Action.SIGN and to_id in rows:
            rows[to_id].signed += count
            rows[to_id].signed_late += late_count or 0
        elif action == Action.REPLY and to_id in rows:
            rows[to_id].replied += count
            rows[to_id].replied_late += late_count or 0
        elif action == Action.RETURN and from_id in rows:
            rows[from_id].returned += count

    outcomes = db.session.execute(
        sa.select(Suggestion.department_id, Suggestion.callback_result, sa.func.count())
        .where(Suggestion.callback_at >= since, Suggestion.callback_result.is_not(None))
        .group_by(Suggestion.department_id, Suggestion.callback_result)
    )
    for department_id, result, count in outcomes:
        if department_id in rows and result != Satisfaction.UNREACHABLE:
            setattr(rows[department_id], Satisfaction(result).value, getattr(rows[department_id], result) + count)
    return [row for row in rows.values() if row.open or row.dispatched]


def campaign_totals(since: datetime) -> dict:
    """Whole-service figures: volume, manual share, repeat rate, adoption rate."""
    received = sa.select(sa.func.count(Suggestion.id)).where(Suggestion.received_at >= since)
    total = db.session.scalar(received) or 0
    merged = db.session.scalar(received.where(Suggestion.status == Status.MERGED)) or 0
    flagged = (
        db.session.scalar(
            sa.select(sa.func.count(SuggestionEvent.id)).where(
                SuggestionEvent.created_at >= since, SuggestionEvent.action == Action.FLAG_FOR_TRIAGE
            )
        )
        or 0
    )
    evaluated = db.session.scalar(received.where(Suggestion.adoption.is_not(None))) or 0
    adopted = (
        db.session.scalar(received.where(Suggestion.adoption.in_([Adoption.ADOPTED, Adoption.PARTIALLY_ADOPTED]))) or 0
    )
    return {
        "received": total,
        "manual_share": ratio(flagged, total),
        "repeat_rate": ratio(merged, total),
        "adoption_rate": ratio(adopted, evaluated),
        "evaluated": evaluated,
        "adopted": adopted,
    }


def routing_totals(since: datetime) -> dict:
    """How well routing works: dispatched without a person, corrected by staff, proposed to a district government."""
    received = db.session.scalar(sa.select(sa.func.count(Suggestion.id)).where(Suggestion.received_at >= since)) or 0
    automatic = (
        db.session.scalar(
            sa.select(sa.func.count(SuggestionEvent.id)).where(
                SuggestionEvent.created_at >= since, SuggestionEvent.action == Action.AUTO_DISPATCH
            )
        )
        or 0
    )
    corrected = (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(RouteCorrection.suggestion_id))).where(
                RouteCorrection.created_at >= since
            )
        )
        or 0
    )
    local = (
        db.session.scalar(
            sa.select(sa.func.count(Suggestion.id))
            .join(Department, Department.id == Suggestion.predicted_department_id)
            .where(Suggestion.received_at >= since, Department.handler_type == LOCAL_GOVERNMENT)
        )
        or 0
    )
    return {
        "automatic_share": ratio(automatic, received),
        "corrected_share": ratio(corrected, received),
        "local_share": ratio(local, received),
        "corrected": corrected,
    }


# -- the campaign: counts and adoption by domain, district, channel, year, poster and project --------------------
# ``year`` is the campaign's year (None: every year).  Each function is one small aggregate query, so a chart can
# use it as it is.

DECIDED = (Adoption.ADOPTED, Adoption.PARTIALLY_ADOPTED, Adoption.ALREADY_PLANNED, Adoption.NOT_ADOPTED)
UNDECIDED_DOMAIN = "未确定"


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


def _in_year(year: int | None) -> sa.ColumnElement[bool]:
    if year is None:
        return sa.true()
    return Suggestion.campaign_id.in_(sa.select(Campaign.id).where(Campaign.year == year))


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


def by_domain(year: int | None = None) -> list[AdoptionRow]:
    """Suggestions and adoption per domain, in the domains' order; the same name counts together across years."""
    rows = db.session.execute(
        sa.select(CampaignDomain.name, *_adoption_columns())
        .select_from(Suggestion)
        .outerjoin(CampaignDomain, CampaignDomain.id == Suggestion.domain_id)
        .where(_in_year(year))
        .group_by(CampaignDomain.name)
    )
    found = {name: _adoption_row(name or UNDECIDED_DOMAIN, *counts) for name, *counts in rows}
    ordered = [found.pop(name) for name in domain_names() if name in found]
    return ordered + list(found.values())


def by_district(year: int | None = None) -> list[Count]:
    rows = db.session.execute(
        sa.select(District.name, sa.func.count(Suggestion.id))
        .select_from(Suggestion)
        .outerjoin(District, District.id == Suggestion.district_id)
        .where(_in_year(year))
        .group_by(District.name, District.position)
        .order_by(District.position)
    )
    return [Count(name or "未填写", count) for name, count in rows]


def by_channel(year: int | None = None) -> list[Count]:
    rows = db.session.execute(
        sa.select(Suggestion.channel, sa.func.count(Suggestion.id)).where(_in_year(year)).group_by(Suggestion.channel)
    )
    counts = dict(rows.all())
    return [Count(channel.label, counts[channel]) for channel in Channel if channel in counts]


def by_year() -> list[Count]:
    """Suggestions per campaign year, latest first; items outside any campaign last."""
    rows = db.session.execute(
        sa.select(Campaign.year, sa.func.count(Suggestion.id))
        .select_from(Suggestion)
        .outerjoin(Campaign, Campaign.id == Suggestion.campaign_id)
        .group_by(Campaign.year)
        .order_by(Campaign.year.desc().nulls_last())
    )
    return [Count(f"{year}年" if year else "征集期外", count) for year, count in rows]


def by_poster(year: int | None = None) -> list[Count]:
    """QR suggestions per poster location, most first."""
    rows = db.session.execute(
        sa.select(QrPoster.location, QrPoster.id, sa.func.count(Suggestion.id))
        .join(QrPoster, QrPoster.id == Suggestion.poster_id)
        .where(_in_year(year))
        .group_by(QrPoster.id, QrPoster.location)
        .order_by(sa.func.count(Suggestion.id).desc(), QrPoster.id)
    )
    return [Count(f"{location}（{poster_id}号）", count) for location, poster_id, count in rows]


def by_project(year: int | None = None) -> list[AdoptionRow]:
    """Per project of the year's campaign: ideas linked to it and their decisions.

    Its ``adoption_rate`` is the share of the ideas of the project's domain that fed this project.
    """
    projects = sa.select(Project).order_by(Project.year, Project.number)
    if year is not None:
        projects = projects.where(Project.campaign_id.in_(sa.select(Campaign.id).where(Campaign.year == year)))
    linked = dict(
        (project_id, counts)
        for project_id, *counts in db.session.execute(
            sa.select(Suggestion.project_id, *_adoption_columns())
            .where(Suggestion.project_id.is_not(None))
            .group_by(Suggestion.project_id)
        )
    )
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
