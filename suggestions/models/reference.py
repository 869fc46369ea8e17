"""Reference data staff can edit: departments, categories, districts, time limits, templates, rules."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from suggestions.extensions import db
from suggestions.models.base import created_at, enum_column, intpk, split_words
from suggestions.workflow import Status, Step, TimeUnit, Urgency

# Who handles a suggestion: the local government of its district (属地) or a kind of functional bureau.
# The handler-type model predicts one of these; every department has exactly one.
LOCAL_GOVERNMENT = "属地政府"
HANDLER_TYPES = (
    LOCAL_GOVERNMENT,
    "教育",
    "公安",
    "交通运输",
    "住建",
    "城管",
    "人社",
    "自然资源规划",
    "生态环境",
    "卫健",
    "水务",
    "医保",
    "市场监管",
    "文旅",
    "体育",
    "发改",
    "农业农村",
    "商务",
    "税务财政",
    "民政",
    "其他",
)


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    handler_type: Mapped[str] = mapped_column(
        sa.String(16), default="其他", server_default="其他", comment="one of HANDLER_TYPES"
    )
    district_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("districts.id"), unique=True, comment="the district a 属地 government answers for"
    )

    district: Mapped[District | None] = relationship(lazy="joined")

    @property
    def is_local_government(self) -> bool:
        return self.handler_type == LOCAL_GOVERNMENT

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


class TimeLimit(db.Model):
    """How long a step may take; the most specific row (category, urgency) wins."""

    __tablename__ = "time_limits"

    id: Mapped[intpk]
    step: Mapped[Step] = mapped_column(enum_column(Step, "time_limit_step"))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    urgency: Mapped[Urgency | None] = mapped_column(enum_column(Urgency, "time_limit_urgency"))
    amount: Mapped[int]
    unit: Mapped[TimeUnit] = mapped_column(enum_column(TimeUnit, "time_limit_unit"))

    category: Mapped[Category | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("step", "category_id", "urgency", name="uq_time_limits_scope"),
        sa.CheckConstraint("amount > 0", name="positive_amount"),
    )

    def __repr__(self) -> str:
        return f"<TimeLimit {self.step} {self.category_id}/{self.urgency} {self.amount} {self.unit}>"


class CalendarDay(db.Model):
    """An admin's override of the working-day calendar (holidays and 调休 make-up days)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.String(64), default="")

    def __repr__(self) -> str:
        return f"<CalendarDay {self.day} {'workday' if self.is_workday else 'holiday'}>"


class ReplyTemplate(db.Model):
    """Reusable reply text, offered by category and by state."""

    __tablename__ = "reply_templates"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(64))
    body: Mapped[str] = mapped_column(sa.Text)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    status: Mapped[Status | None] = mapped_column(enum_column(Status, "reply_template_status"))
    is_active: Mapped[bool] = mapped_column(default=True)

    category: Mapped[Category | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ReplyTemplate {self.id} {self.name}>"


class AuditEntry(db.Model):
    """Append-only record of sensitive actions that are not about one suggestion (exports, settings)."""

    __tablename__ = "audit_log"

    id: Mapped[intpk]
    created_at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    action: Mapped[str] = mapped_column(sa.String(32))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[StaffUser | None] = relationship(lazy="joined")  # noqa: F821  (defined in account.py)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action}>"


@sa.event.listens_for(AuditEntry, "before_update")
@sa.event.listens_for(AuditEntry, "before_delete")
def _refuse_audit_change(mapper, connection, target) -> None:
    raise PermissionError("the audit log is append-only")


class RoutingRule(db.Model):
    """A keyword rule that sends matching suggestions to a more specific department (admin-editable)."""

    __tablename__ = "routing_rules"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(64))
    keywords: Mapped[str] = mapped_column(sa.String(500), comment="words or phrases separated by 、 or commas")
    excludes: Mapped[str] = mapped_column(sa.String(500), default="", comment="words that cancel a match")
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), comment="null: any category")
    priority: Mapped[int] = mapped_column(default=100, comment="lower wins when several rules match equally")
    is_active: Mapped[bool] = mapped_column(default=True)

    department: Mapped[Department] = relationship(lazy="joined")
    category: Mapped[Category | None] = relationship(lazy="joined")

    @property
    def keyword_list(self) -> list[str]:
        return split_words(self.keywords)

    @property
    def exclude_list(self) -> list[str]:
        return split_words(self.excludes)

    def __repr__(self) -> str:
        return f"<RoutingRule {self.id} {self.name} -> {self.department_id}>"
