"""Time helpers: the database stores UTC; people in Tianjin read and type Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def local_today() -> date:
    return local(now()).date()


def from_local(naive: datetime) -> datetime:
    """Interpret a wall-clock time typed in a form as Beijing time."""
    return naive.replace(tzinfo=LOCAL_TZ).astimezone(UTC)
