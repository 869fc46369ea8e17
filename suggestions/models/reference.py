"""Reference data staff can edit: departments, categories, districts, campaigns."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from suggestions.extensions import db
from suggestions.models.base import created_at, intpk


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]

    def __repr__(self) -> str:
        return f"<Department {self.id} {self.name}>"


class Category(db.Model):
    """A routing category; ``code`` equals the classifier's label, ``department`` is where it goes."""

    __tablename__ = "categories"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(sa.String(32), unique=True, comment="label used by the classifier")
    name: Mapped[str] = mapped_column(sa.String(64))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    department: Mapped[Department | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Category {self.id} {self.code} -> {self.department_id}>"


class District(db.Model):
    __tablename__ = "districts"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(32), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    is_citywide: Mapped[bool] = mapped_column(default=False, comment="全市: no single district")

    def __repr__(self) -> str:
        return f"<District {self.id} {self.name}>"


class Campaign(db.Model):
    """One year's call for suggestions, with its intake window and topic list."""

    __tablename__ = "campaigns"

    id: Mapped[intpk]
    year: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(128))
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    topics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[created_at]

    __table_args__ = (sa.CheckConstraint("opens_on <= closes_on", name="window_order"),)

    def is_open_on(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.year} {self.opens_on}..{self.closes_on}>"
