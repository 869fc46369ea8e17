"""Time limits per step, category and urgency, and the due dates they give."""

from datetime import UTC, datetime, timedelta

import pytest

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import TimeLimit
from suggestions.workflow import Step, TimeUnit, Urgency
from suggestions.workflow.deadlines import Limit, current_due, deadline_state, due_after, limit_for
from suggestions.workflow.workdays import WorkdayCalendar
from tests import factories


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=clock.LOCAL_TZ)


def test_working_day_limits_end_at_the_end_of_the_day_in_beijing():
    due = due_after(beijing(2026, 9, 30, 10, 0), Limit(1, TimeUnit.WORKING_DAYS), WorkdayCalendar())
    assert clock.local(due) == beijing(2026, 10, 8, 23, 59, 59)


def test_minute_and_hour_limits_run_around_the_clock():
    start = beijing(2026, 10, 1, 23, 50)
    assert due_after(start, Limit(15, TimeUnit.MINUTES), WorkdayCalendar()) == start + timedelta(minutes=15)
    assert due_after(start, Limit(24, TimeUnit.HOURS), WorkdayCalendar()) == start + timedelta(hours=24)


def test_defaults_without_rows(app):
    assert limit_for(Step.SIGN, None, Urgency.GENERAL) == Limit(1, TimeUnit.WORKING_DAYS)
    assert limit_for(Step.REPLY, None, Urgency.GENERAL) == Limit(15, TimeUnit.WORKING_DAYS)
    assert limit_for(Step.FIRST_REPLY, None, Urgency.GENERAL) == Limit(5, TimeUnit.WORKING_DAYS)


def test_most_specific_limit_wins(app, seeded):
    transport = factories.category_coded("交通运输")
    db.session.add_all(
        [
            TimeLimit(step=Step.REPLY, amount=15, unit=TimeUnit.WORKING_DAYS),
            TimeLimit(step=Step.REPLY, urgency=Urgency.COMPLEX, amount=20, unit=TimeUnit.WORKING_DAYS),
            TimeLimit(step=Step.REPLY, category=transport, amount=10, unit=TimeUnit.WORKING_DAYS),
            TimeLimit(
                step=Step.REPLY, category=transport, urgency=Urgency.COMPLEX, amount=12, unit=TimeUnit.WORKING_DAYS
            ),
        ]
    )
    db.session.commit()
    health = factories.category_coded("卫生计生")
    assert limit_for(Step.REPLY, health.id, Urgency.GENERAL).amount == 15
    assert limit_for(Step.REPLY, health.id, Urgency.COMPLEX).amount == 20
    assert limit_for(Step.REPLY, transport.id, Urgency.GENERAL).amount == 10
    assert limit_for(Step.REPLY, transport.id, Urgency.COMPLEX).amount == 12


def test_dispatch_sets_every_department_deadline(app, seeded):
    vault = app.extensions["phone_vault"]
    received = beijing(2026, 9, 30, 10, 0).astimezone(UTC)
    suggestion = factories.submit(
        vault, category=factories.category_coded("交通运输"), received_at=received, now=received
    ).suggestion
    local = {
        name: clock.local(getattr(suggestion, name)).date().isoformat()
        for name in ("sign_due_at", "return_due_at", "first_reply_due_at", "reply_due_at")
    }
    assert local == {
        "sign_due_at": "2026-10-08",
        "return_due_at": "2026-10-08",
        "first_reply_due_at": "2026-10-13",  # 10-08, 10-09, 10-10 (调休), 10-12, 10-13
        "reply_due_at": "2026-10-27",
    }
    assert suggestion.due_at == suggestion.sign_due_at
    assert current_due(suggestion) == suggestion.sign_due_at


@pytest.mark.parametrize(("hours_left", "state"), [(-1, "overdue"), (5, "due_soon"), (23.9, "due_soon"), (48, None)])
def test_deadline_state(hours_left, state):
    now = clock.now()
    assert deadline_state(now + timedelta(hours=hours_left), now, timedelta(hours=24)) == state


def test_no_clock_means_no_flag():
    assert deadline_state(None, clock.now(), timedelta(hours=24)) is None
