"""Suggestions, their append-only history and their replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from suggestions.extensions import db
from suggestions.models.base import UTCDateTime, created_at, enum_column, intpk
from suggestions.models.reference import Campaign, Category, Department, District
from suggestions.models.staff import StaffUser
from suggestions.workflow import DEPARTMENT_STATUSES, OPEN_STATUSES, Action, Channel, Status

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
        sa.CheckConstraint("channel != 'hotline' OR phone_ciphertext IS NOT NULL", name="hotline_has_phone"),
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
