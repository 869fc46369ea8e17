"""Staff accounts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from suggestions.extensions import db
from suggestions.models.base import UTCDateTime, created_at, enum_column, intpk
from suggestions.models.reference import Department
from suggestions.workflow import Role


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(64))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, "staff_role"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's id: raising it ends all sessions of the account (logout, new password, 停用).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    department: Mapped[Department | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("role != 'officer' OR department_id IS NOT NULL", name="officer_has_department"),
    )

    def set_password(self, password: str) -> None:
        """Set a new password; sessions opened with the old one end."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Make every session cookie issued to this account so far worthless (checked on each request)."""
        self.session_version = (self.session_version or 0) + 1

    def get_id(self) -> str:
        """The session's user id: the account and its session version (see ``web.login``)."""
        return f"{self.id}.{self.session_version or 0}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<StaffUser {self.id} {self.username} {self.role}>"
