"""Rate-limit counters shared by every worker and every app server (they live in the application's database)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from suggestions.extensions import db


class RateCounter(db.Model):
    """One window's count for one limit key (its bucket); expired rows are reused in place (see web/ratelimit.py)."""

    __tablename__ = "rate_counters"

    bucket: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer)
    # Seconds since the epoch (time.time()), the clock the limits library counts windows in.
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)

    def __repr__(self) -> str:
        return f"<RateCounter {self.bucket} {self.count}>"
