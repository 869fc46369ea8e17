"""Hotline metrics per department (see docs/domain.md §4.3), computed with aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import LOCAL_GOVERNMENT, Department, RouteCorrection, Suggestion, SuggestionEvent
from suggestions.workflow import OPEN_STATUSES, Action, Adoption, Satisfaction, Status

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
