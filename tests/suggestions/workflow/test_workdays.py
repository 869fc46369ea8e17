"""Working days on the Chinese calendar, with holidays, 调休 and admin overrides."""

from datetime import date

import pytest

from suggestions.extensions import db
from suggestions.models import CalendarDay
from suggestions.workflow.workdays import WorkdayCalendar, load_calendar, package_covers, years_needing_setup


@pytest.mark.parametrize(
    ("start", "count", "due", "why"),
    [
        (date(2026, 9, 30), 1, date(2026, 10, 8), "国庆 2026: 10-01..10-07 off"),
        (date(2026, 9, 19), 1, date(2026, 9, 20), "Sunday 9-20 is a 调休 working day"),
        (date(2026, 10, 9), 1, date(2026, 10, 10), "Saturday 10-10 is a 调休 working day"),
        (date(2026, 9, 30), 15, date(2026, 10, 27), "15 working days across 国庆"),
        (date(2026, 2, 13), 1, date(2026, 2, 14), "Saturday 2-14 is a 调休 working day before 春节"),
        (date(2026, 2, 13), 5, date(2026, 2, 27), "春节 2026: 2-15..2-23 off"),
        (date(2026, 2, 13), 15, date(2026, 3, 12), "Saturday 2-28 works after 春节"),
        (date(2025, 9, 30), 1, date(2025, 10, 9), "国庆/中秋 2025: 10-01..10-08 off"),
        (date(2025, 10, 10), 1, date(2025, 10, 11), "Saturday 2025-10-11 is a 调休 working day"),
        (date(2026, 11, 20), 1, date(2026, 11, 23), "an ordinary weekend"),
    ],
)
def test_add_working_days(start, count, due, why):
    assert WorkdayCalendar().add_working_days(start, count) == due, why


def test_admin_override_wins_over_the_package():
    calendar = WorkdayCalendar({date(2026, 11, 23): False})
    assert calendar.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 24)


def test_uncovered_year_falls_back_to_weekdays_and_is_reported(caplog):
    assert not package_covers(2099)
    calendar = WorkdayCalendar()
    assert calendar.add_working_days(date(2099, 1, 2), 1) == date(2099, 1, 5)  # Friday -> Monday
    assert 2099 in calendar.unconfigured_years
    assert "no holiday data for 2099" in caplog.text


def test_admin_table_covers_a_future_year(app, seeded):
    db.session.add_all(
        [
            CalendarDay(day=date(2099, 1, 5), is_workday=False, note="元旦"),
            CalendarDay(day=date(2099, 1, 3), is_workday=True, note="调休"),
        ]
    )
    db.session.commit()
    calendar = load_calendar(date(2099, 1, 1))
    assert calendar.add_working_days(date(2099, 1, 2), 1) == date(2099, 1, 3)
    assert calendar.add_working_days(date(2099, 1, 2), 2) == date(2099, 1, 6)


def test_years_needing_setup(app, seeded):
    missing = years_needing_setup(date(2098, 6, 1))
    assert missing == [2098, 2099]
    db.session.add(CalendarDay(day=date(2099, 1, 1), is_workday=False, note="元旦"))
    db.session.commit()
    assert years_needing_setup(date(2098, 6, 1)) == [2098]


def test_working_days_between():
    assert WorkdayCalendar().working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
