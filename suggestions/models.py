"""Database models.  Typed ``Mapped[...]`` columns only; models never commit."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from suggestions.extensions import db
from suggestions.workflow import DEPARTMENT_STATUSES, OPEN_STATUSES, Action, Channel, Role, Status


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Store aware datetimes as UTC and read them back aware, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def enum_column(enum_cls, name: str) -> sa.Enum:
    """Store a StrEnum by value as a portable VARCHAR with a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(UTCDateTime, default=utcnow)]


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

    department: Mapped[Department | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("role != 'officer' OR department_id IS NOT NULL", name="officer_has_department"),
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<StaffUser {self.id} {self.username} {self.role}>"


_department_states = ", ".join(f"'{s.value}'" for s in sorted(DEPARTMENT_STATUSES))


class Suggestion(db.Model):
    """A resident's suggestion: content, contact, routing and workflow state."""

    __tablename__ = "suggestions"

    id: Mapped[intpk]
    code_year: Mapped[int] = mapped_column(comment="year part of the public tracking code")
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "suggestion_channel"))
    status: Mapped[Status] = mapped_column(enum_column(Status, "suggestion_status"))
    title: Mapped[str] = mapped_column(sa.String(100), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"))
    topic_hint: Mapped[str | None] = mapped_column(sa.String(32), comment="领域 chosen by the resident")

    contact_name: Mapped[str | None] = mapped_column(sa.String(64))
    phone_ciphertext: Mapped[str | None] = mapped_column(sa.Text, comment="Fernet token of the mobile number")
    phone_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True, comment="HMAC for repeat callers")
    phone_masked: Mapped[str | None] = mapped_column(sa.String(16))
    access_hash: Mapped[str] = mapped_column(sa.String(64), comment="HMAC of phone last four or one-time secret")
    consent_version: Mapped[str | None] = mapped_column(sa.String(16))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, comment="submission or call time")
    created_at: Mapped[created_at]
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    predicted_category: Mapped[str | None] = mapped_column(sa.String(32))
    prediction_confidence: Mapped[float | None]
    prediction_candidates: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    prediction_explanation: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    model_version: Mapped[str | None] = mapped_column(sa.String(64))

    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))

    district: Mapped[District | None] = relationship(lazy="joined")
    category: Mapped[Category | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")
    campaign: Mapped[Campaign | None] = relationship()
    events: WriteOnlyMapped[SuggestionEvent] = relationship(
        back_populates="suggestion", order_by="SuggestionEvent.id", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint(
            f"status NOT IN ({_department_states}) OR department_id IS NOT NULL", name="routed_has_department"
        ),
        sa.CheckConstraint(
            "channel != 'hotline' OR phone_ciphertext IS NOT NULL", name="hotline_has_phone"
        ),
        sa.Index("ix_suggestions_department_status_received", "department_id", "status", "received_at"),
        sa.Index("ix_suggestions_status_received", "status", "received_at"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def tracking_code(self) -> str:
        return f"JDZ-{self.code_year}-{self.id:06d}"

    def __repr__(self) -> str:
        return f"<Suggestion {self.id} {self.status}>"


class SuggestionEvent(db.Model):
    """Append-only history: who changed what, when, from what, to what and why."""

    __tablename__ = "suggestion_events"

    id: Mapped[intpk]
    suggestion_id: Mapped[int] = mapped_column(sa.ForeignKey("suggestions.id"), index=True)
    created_at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"), comment="null: resident or system")
    actor_kind: Mapped[str] = mapped_column(sa.String(16), comment="role, 'resident' or 'system'")
    action: Mapped[Action] = mapped_column(enum_column(Action, "event_action"))
    from_status: Mapped[Status | None] = mapped_column(enum_column(Status, "event_from_status"))
    to_status: Mapped[Status | None] = mapped_column(enum_column(Status, "event_to_status"))
    from_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    to_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    suggestion: Mapped[Suggestion] = relationship(back_populates="events")
    actor: Mapped[StaffUser | None] = relationship(lazy="joined")
    from_department: Mapped[Department | None] = relationship(foreign_keys=[from_department_id], lazy="joined")
    to_department: Mapped[Department | None] = relationship(foreign_keys=[to_department_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<SuggestionEvent {self.id} #{self.suggestion_id} {self.action} {self.from_status}->{self.to_status}>"


class Reply(db.Model):
    """A department's public reply to the resident."""

    __tablename__ = "replies"

    id: Mapped[intpk]
    suggestion_id: Mapped[int] = mapped_column(sa.ForeignKey("suggestions.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[created_at]

    department: Mapped[Department] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Reply {self.id} #{self.suggestion_id}>"
