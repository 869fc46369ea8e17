"""Time limits per step, category and urgency, turned into due dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import Suggestion, TimeLimit
from suggestions.workflow import Status, Step, TimeUnit, Urgency
from suggestions.workflow.workdays import WorkdayCalendar, load_calendar

# Used when the time_limits table has no row for a step (the project's defaults, see ../shared/docs/domain.md).
DEFAULT_LIMITS = {
    # The receipt promises residents manual dispatch within 1 working day; review is the office's own step.
    Step.TRIAGE: (1, TimeUnit.WORKING_DAYS),
    Step.SIGN: (1, TimeUnit.WORKING_DAYS),
    Step.RETURN: (1, TimeUnit.WORKING_DAYS),
    Step.FIRST_REPLY: (5, TimeUnit.WORKING_DAYS),
    Step.REPLY: (15, TimeUnit.WORKING_DAYS),
    Step.REVIEW: (1, TimeUnit.WORKING_DAYS),
    Step.CALLBACK: (1, TimeUnit.WORKING_DAYS),
}
END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: TimeUnit

    @property
    def label(self) -> str:
        return f"{self.amount}{self.unit.label}"


def limits_for(category_id: int | None, urgency: Urgency) -> dict[Step, Limit]:
    """Return every step's most specific limit: category and urgency, then category, then urgency, then default."""
    with db.session.no_autoflush:
        rows = db.session.execute(
            sa.select(TimeLimit.step, TimeLimit.category_id, TimeLimit.urgency, TimeLimit.amount, TimeLimit.unit).where(
                sa.or_(TimeLimit.category_id == category_id, TimeLimit.category_id.is_(None)),
                sa.or_(TimeLimit.urgency == urgency, TimeLimit.urgency.is_(None)),
            )
        ).all()
    limits = {step: Limit(*default) for step, default in DEFAULT_LIMITS.items()}
    best: dict[Step, tuple] = {}
    for step, row_category, row_urgency, amount, unit in rows:
        rank = (row_category is not None, row_urgency is not None)
        if step not in best or rank > best[step]:
            best[step] = rank
            limits[Step(step)] = Limit(amount, TimeUnit(unit))
    return limits


def limit_for(step: Step, category_id: int | None, urgency: Urgency) -> Limit:
    return limits_for(category_id, urgency)[step]


def due_after(start: datetime, limit: Limit, calendar: WorkdayCalendar) -> datetime:
    """Return when a step started at ``start`` is due.

    Minutes and hours run around the clock (7×24).  Working days count from the
    next day, and the step is due at the end of the last one, Beijing time.
    """
    if limit.unit == TimeUnit.MINUTES:
        return start + timedelta(minutes=limit.amount)
    if limit.unit == TimeUnit.HOURS:
        return start + timedelta(hours=limit.amount)
    day = calendar.add_working_days(clock.local(start).date(), limit.amount)
    return datetime.combine(day, END_OF_DAY, tzinfo=clock.LOCAL_TZ).astimezone(start.tzinfo)


class DeadlinePlanner:
    """Computes due dates for one suggestion at a moment, with one calendar load."""

    def __init__(self, suggestion: Suggestion, now: datetime):
        self.suggestion, self.now = suggestion, now
        with db.session.no_autoflush:
            self.calendar = load_calendar(clock.local(now).date())
        category_id = suggestion.category.id if suggestion.category else suggestion.category_id
        self.limits = limits_for(category_id, suggestion.urgency or Urgency.GENERAL)

    def due(self, step: Step) -> datetime:
        return due_after(self.now, self.limits[step], self.calendar)

    def extend(self, due: datetime, working_days: int) -> datetime:
        """Move a due date on by working days (an approved extension)."""
        return due_after(due, Limit(working_days, TimeUnit.WORKING_DAYS), self.calendar)


def start_department_clock(suggestion: Suggestion, now: datetime) -> None:
    """Set the department's deadlines when an item is (re)dispatched to it."""
    planner = DeadlinePlanner(suggestion, now)
    suggestion.sign_due_at = planner.due(Step.SIGN)
    suggestion.return_due_at = planner.due(Step.RETURN)
    suggestion.first_reply_due_at = planner.due(Step.FIRST_REPLY)
    suggestion.reply_due_at = planner.due(Step.REPLY)
    suggestion.first_replied_at = None
    suggestion.callback_due_at = None


# States the campaign office holds, with the step whose clock runs there and the column it is kept in.
OFFICE_STEPS = {
    Status.NEEDS_TRIAGE: (Step.TRIAGE, "triage_due_at"),
    Status.RETURNED: (Step.TRIAGE, "triage_due_at"),
    Status.REPLIED: (Step.REVIEW, "review_due_at"),
}


def start_office_clock(suggestion: Suggestion, now: datetime) -> None:
    """Start the campaign office's clock when an item comes to it (manual dispatch, a return, a reply to review)."""
    step = OFFICE_STEPS.get(suggestion.status)
    if step is not None:
        setattr(suggestion, step[1], DeadlinePlanner(suggestion, now).due(step[0]))


def current_due(suggestion: Suggestion) -> datetime | None:
    """The due date of the step the item is at now; None when no clock runs."""
    status = suggestion.status
    if status in OFFICE_STEPS:
        return getattr(suggestion, OFFICE_STEPS[status][1])
    if status == Status.DISPATCHED:
        return suggestion.sign_due_at
    if status in (Status.SIGNED, Status.IN_PROGRESS, Status.REDO, Status.EXTENSION_PENDING):
        pending = [suggestion.reply_due_at]
        if suggestion.first_replied_at is None:
            pending.append(suggestion.first_reply_due_at)
        pending = [due for due in pending if due is not None]
        return min(pending) if pending else None
    if status == Status.CALLBACK_PENDING:
        return suggestion.callback_due_at
    return None


def deadline_state(due: datetime | None, now: datetime, soon: timedelta) -> str | None:
    """'overdue' (超期), 'due_soon' (即将超期) or None."""
    if due is None:
        return None
    if now > due:
        return "overdue"
    if due - now <= soon:
        return "due_soon"
    return None
