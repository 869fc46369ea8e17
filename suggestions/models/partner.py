"""Partner systems' API keys (天津政务网, 北方网, the 12345 system)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from suggestions.extensions import db
from suggestions.models.account import StaffUser
from suggestions.models.base import UTCDateTime, created_at, enum_column, intpk
from suggestions.workflow import PARTNER_CHANNELS, Channel

_partner_channels = ", ".join(f"'{c.value}'" for c in PARTNER_CHANNELS)


class ApiKey(db.Model):
    """One partner system's key: only its SHA-256 is stored; the key itself is shown once, when it is made.

    Every suggestion posted with the key is recorded with the key's channel; each key has its own rate limit.
    """

    __tablename__ = "api_keys"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(64), comment="who uses it, e.g. 天津政务网专题页")
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "api_key_channel"))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="SHA-256 hex of the key")
    key_prefix: Mapped[str] = mapped_column(sa.String(16), comment="the key's first characters, to recognise it")
    rate_limit: Mapped[str] = mapped_column(sa.String(64), comment="Flask-Limiter string, e.g. 60 per minute")
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"), comment="null: the CLI")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))

    created_by: Mapped[StaffUser | None] = relationship(foreign_keys=[created_by_id], lazy="joined")
    revoked_by: Mapped[StaffUser | None] = relationship(foreign_keys=[revoked_by_id], lazy="joined")

    __table_args__ = (sa.CheckConstraint(f"channel IN ({_partner_channels})", name="partner_channel"),)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiKey {self.id} {self.channel} {self.key_prefix}>"
