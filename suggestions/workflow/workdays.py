"""The Chinese working-day calendar: public holidays and 调休 make-up working days.

Admin overrides (``calendar_days``) win; then the ``chinesecalendar`` package,
which follows the State Council's yearly notices; for a year neither covers,
Monday to Friday are working days and the year is reported as unconfigured so
the admin is asked to enter it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import CalendarDay

log = logging.getLogger(__name__)

# No statutory holiday block is longer than this, so a working day is always found within it.
_SEARCH_LIMIT = 400


class WorkdayCalendar:
    def __init__(self, overrides: Mapping[date, bool] | None = None):
        self.overrides = dict(overrides or {})
        self.unconfigured_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self.unconfigured_years:
                log.warning("no holiday data for %s; counting Monday to Friday as working days", day.year)
            self.unconfigured_years.add(day.year)
            return day.weekday() < 5

    def add_working_days(self, start: date, count: int) -> date:
        """Return the ``count``-th working day after ``start`` (counting begins the next day)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        day, found = start, 0
        for _ in range(_SEARCH_LIMIT + count):
            day += timedelta(days=1)
            if self.is_workday(day):
                found += 1
                if found == count:
                    return day
        raise RuntimeError(f"no {count} working days found after {start}")

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days in (start, end]."""
        return sum(self.is_workday(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))


def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


# The package names holidays in English; administrators read the names the State Council's notices use.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "National Day, Mid-autumn Festival": "国庆节、中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@dataclass
class HolidayBlock:
    """One holiday of a year as the package knows it: the days off and the weekend days worked instead."""

    name: str
    days_off: list[date] = field(default_factory=list)
    make_up_days: list[date] = field(default_factory=list)


def package_holidays(year: int) -> list[HolidayBlock]:
    """The statutory holidays and 调休 make-up working days the ``chinesecalendar`` package has for ``year``."""
    blocks: dict[str, HolidayBlock] = {}
    for source, attribute in ((chinese_calendar.holidays, "days_off"), (chinese_calendar.workdays, "make_up_days")):
        for day, english in sorted(source.items()):
            if day.year != year or english is None:
                continue
            name = HOLIDAY_NAMES.get(english, english)
            getattr(blocks.setdefault(name, HolidayBlock(name)), attribute).append(day)
    return sorted(blocks.values(), key=lambda block: min(block.days_off or block.make_up_days))


def load_calendar(start: date, days: int = 120) -> WorkdayCalendar:
    """Build a calendar with the admin overrides between ``start`` and ``days`` later."""
    rows = db.session.execute(
        sa.select(CalendarDay.day, CalendarDay.is_workday).where(
            CalendarDay.day > start, CalendarDay.day <= start + timedelta(days=days)
        )
    )
    return WorkdayCalendar({day: is_workday for day, is_workday in rows})


def years_needing_setup(today: date) -> list[int]:
    """Years (this one and next) the package does not cover and the admin has not entered."""
    missing = []
    for year in (today.year, today.year + 1):
        if package_covers(year):
            continue
        entered = db.session.scalar(
            sa.select(sa.func.count()).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        )
        if not entered:
            missing.append(year)
    return missing
