"""Suggestions, their append-only history and their replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from suggestions.extensions import db
from suggestions.models.account import StaffUser
from suggestions.models.base import UTCDateTime, created_at, enum_column, intpk
from suggestions.models.campaign import Campaign, CampaignDomain, Project, QrPoster
from suggestions.models.reference import Category, Department, District
from suggestions.workflow import (
    DEPARTMENT_STATUSES,
    LINKED_ADOPTIONS,
    OPEN_STATUSES,
    Action,
    Adoption,
    Channel,
    DomainSource,
    Satisfaction,
    Status,
    Urgency,
)

_department_states = ", ".join(f"'{s.value}'" for s in sorted(DEPARTMENT_STATUSES))
_linked_adoptions = ", ".join(f"'{a.value}'" for a in sorted(LINKED_ADOPTIONS))
_domain_sources = ", ".join(f"'{d.value}'" for d in DomainSource)


class Suggestion(db.Model):
    """A resident's suggestion: content, contact, routing and workflow state."""

    __tablename__ = "suggestions"

    id: Mapped[intpk]
    tracking_code: Mapped[str] = mapped_column(
        sa.String(24), unique=True, comment="public code: year, nine random digits and a check digit"
    )
    code_year: Mapped[int] = mapped_column(comment="year part of the public tracking code")
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "suggestion_channel"))
    status: Mapped[Status] = mapped_column(enum_column(Status, "suggestion_status"))
    title: Mapped[str] = mapped_column(sa.String(100), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"))
    poster_id: Mapped[int | None] = mapped_column(sa.ForeignKey("qr_posters.id"), comment="the QR poster scanned")
    # The domain (领域) of the campaign: the resident's or operator's choice wins; a prediction differing from it is
    # kept beside it (predicted_domain_id) for staff, never put in its place.
    domain_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign_domains.id"), index=True)
    domain_source: Mapped[str | None] = mapped_column(sa.String(16), comment="one of DomainSource: who set domain_id")
    predicted_domain_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaign_domains.id"), comment="the domain predicted from the text"
    )
    domain_confidence: Mapped[float | None] = mapped_column(comment="of the prediction")
    domain_reason: Mapped[str | None] = mapped_column(sa.String(300), comment="why the prediction chose it, in Chinese")

    contact_name: Mapped[str | None] = mapped_column(sa.String(64))
    phone_ciphertext: Mapped[str | None] = mapped_column(sa.Text, comment="Fernet token of the phone number")
    phone_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True, comment="HMAC for repeat callers")
    phone_masked: Mapped[str | None] = mapped_column(sa.String(16))
    email_ciphertext: Mapped[str | None] = mapped_column(
        sa.Text, comment="Fernet token of an e-mail address a partner system passed on"
    )
    phone_withheld: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false(), comment="不愿留号: the caller declined to give a number"
    )
    access_hash: Mapped[str] = mapped_column(sa.String(64), comment="HMAC of phone last four or one-time secret")
    confidential: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false(), comment="保密: departments never see the resident's identity"
    )
    body_sealed: Mapped[str | None] = mapped_column(
        sa.Text, comment="Fernet token of title and body as typed, when personal data was masked out of them"
    )
    consent_version: Mapped[str | None] = mapped_column(sa.String(16))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, comment="submission or call time")
    created_at: Mapped[created_at]
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    idempotency_key: Mapped[str | None] = mapped_column(
        sa.String(64), comment="unique per channel: the form's key, a partner's own id, a 12345 work-order number"
    )

    predicted_category: Mapped[str | None] = mapped_column(sa.String(32))
    prediction_confidence: Mapped[float | None]
    prediction_candidates: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    prediction_explanation: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    model_version: Mapped[str | None] = mapped_column(sa.String(64))
    route_reason: Mapped[str | None] = mapped_column(sa.String(300), comment="why routing chose the department")
    predicted_department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id"), comment="the department routing proposed, before any person's choice"
    )
    predicted_handler_type: Mapped[str | None] = mapped_column(sa.String(16))
    handler_confidence: Mapped[float | None]
    department_candidates: Mapped[list[Any] | None] = mapped_column(
        sa.JSON, comment="[[department_id, probability, basis], ...] best first"
    )

    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"), index=True)
    urgency: Mapped[Urgency] = mapped_column(
        enum_column(Urgency, "suggestion_urgency"), default=Urgency.GENERAL, server_default=Urgency.GENERAL.value
    )
    return_count: Mapped[int] = mapped_column(default=0, server_default="0")
    designated: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false(), comment="指定承办: may no longer be returned"
    )

    # Deadlines; due_at is the one that applies to the current step (indexed for queues).
    triage_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="manual dispatch (人工分拨) due")
    review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="review of the reply (审核) due")
    sign_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    callback_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_count: Mapped[int] = mapped_column(default=0, server_default="0")
    urge_count: Mapped[int] = mapped_column(default=0, server_default="0", comment="催办 so far (an overlay)")
    urged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="the latest 催办")

    callback_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    callback_result: Mapped[Satisfaction | None] = mapped_column(enum_column(Satisfaction, "callback_result"))
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resident_rating: Mapped[Satisfaction | None] = mapped_column(enum_column(Satisfaction, "resident_rating"))
    resident_comment: Mapped[str | None] = mapped_column(sa.String(200))
    resident_rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("suggestions.id"), index=True)
    supports_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("suggestions.id"), index=True, comment="「我也有同样的建议」: the earlier idea this one supports"
    )
    adoption: Mapped[Adoption | None] = mapped_column(enum_column(Adoption, "suggestion_adoption"))
    adoption_reason: Mapped[str | None] = mapped_column(sa.Text)
    adoption_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    # What the project's public page may show, as a dispatcher approved it; nothing else of the idea is public.
    public_title: Mapped[str | None] = mapped_column(sa.String(50))
    public_excerpt: Mapped[str | None] = mapped_column(sa.String(200))
    publication_approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    publication_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    district: Mapped[District | None] = relationship(lazy="joined")
    category: Mapped[Category | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id], lazy="joined")
    predicted_department: Mapped[Department | None] = relationship(foreign_keys=[predicted_department_id])
    campaign: Mapped[Campaign | None] = relationship()
    assignee: Mapped[StaffUser | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    merged_into: Mapped[Suggestion | None] = relationship(remote_side="Suggestion.id", foreign_keys=[merged_into_id])
    supports: Mapped[Suggestion | None] = relationship(remote_side="Suggestion.id", foreign_keys=[supports_id])
    project: Mapped[Project | None] = relationship()
    domain: Mapped[CampaignDomain | None] = relationship(foreign_keys=[domain_id])
    predicted_domain: Mapped[CampaignDomain | None] = relationship(foreign_keys=[predicted_domain_id])
    poster: Mapped[QrPoster | None] = relationship()
    events: WriteOnlyMapped[SuggestionEvent] = relationship(
        back_populates="suggestion", order_by="SuggestionEvent.id", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint(
            f"status NOT IN ({_department_states}) OR department_id IS NOT NULL", name="routed_has_department"
        ),
        # A hotline caller may give a mobile or a landline number, or decline (不愿留号); the form asks for one of them.
        sa.CheckConstraint("NOT (phone_withheld AND phone_ciphertext IS NOT NULL)", name="withheld_has_no_phone"),
        sa.CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_master"),
        sa.CheckConstraint("merged_into_id IS NULL OR merged_into_id != id", name="not_merged_into_itself"),
        sa.CheckConstraint("supports_id IS NULL OR supports_id != id", name="not_supporting_itself"),
        sa.CheckConstraint("assignee_id IS NULL OR department_id IS NOT NULL", name="assignee_has_department"),
        sa.CheckConstraint(f"project_id IS NULL OR adoption IN ({_linked_adoptions})", name="project_only_if_adopted"),
        sa.CheckConstraint("public_excerpt IS NULL OR project_id IS NOT NULL", name="published_only_if_linked"),
        sa.CheckConstraint(
            f"domain_source IS NULL OR domain_source IN ({_domain_sources})", name="known_domain_source"
        ),
        sa.CheckConstraint("(domain_id IS NULL) = (domain_source IS NULL)", name="domain_has_source"),
        sa.CheckConstraint("return_count >= 0 AND callback_attempts >= 0", name="counts_not_negative"),
        sa.UniqueConstraint("channel", "idempotency_key", name="uq_suggestions_channel_idempotency_key"),
        sa.Index("ix_suggestions_department_status_received", "department_id", "status", "received_at"),
        sa.Index("ix_suggestions_status_received", "status", "received_at"),
        sa.Index("ix_suggestions_department_due", "department_id", "due_at"),
        # Queue pages walk these in order and stop after one page, instead of sorting every match.
        sa.Index("ix_suggestions_department_received", "department_id", "received_at", "id"),
        # Counting a department's overdue items reads only this index.
        sa.Index("ix_suggestions_department_status_due", "department_id", "status", "due_at"),
        sa.Index("ix_suggestions_received", "received_at", "id"),
        sa.Index("ix_suggestions_status_due", "status", "due_at"),
        sa.Index("ix_suggestions_adoption", "adoption"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_phone(self) -> bool:
        return self.phone_ciphertext is not None

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
    """A department's public reply to the resident: interim (阶段性) or final."""

    __tablename__ = "replies"

    id: Mapped[intpk]
    suggestion_id: Mapped[int] = mapped_column(sa.ForeignKey("suggestions.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    is_final: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[created_at]

    department: Mapped[Department] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Reply {self.id} #{self.suggestion_id}>"


class Note(db.Model):
    """An internal note; never shown to the resident."""

    __tablename__ = "notes"

    id: Mapped[intpk]
    suggestion_id: Mapped[int] = mapped_column(sa.ForeignKey("suggestions.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[created_at]

    author: Mapped[StaffUser] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Note {self.id} #{self.suggestion_id}>"


class ExtensionRequest(db.Model):
    """A department's request for more time, and the dispatcher's decision."""

    __tablename__ = "extension_requests"

    id: Mapped[intpk]
    suggestion_id: Mapped[int] = mapped_column(sa.ForeignKey("suggestions.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"))
    working_days: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[created_at]
    approved: Mapped[bool | None] = mapped_column(comment="null while pending")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    previous_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[StaffUser] = relationship(foreign_keys=[requested_by_id], lazy="joined")

    __table_args__ = (sa.CheckConstraint("working_days > 0", name="positive_days"),)

    def __repr__(self) -> str:
        return f"<ExtensionRequest {self.id} #{self.suggestion_id} {self.approved}>"


class RouteCorrection(db.Model):
    """A person's correction of the model's route: training signal for the next model."""

    __tablename__ = "route_corrections"

    id: Mapped[intpk]
    suggestion_id: Mapped[int] = mapped_column(sa.ForeignKey("suggestions.id"), index=True)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"))
    created_at: Mapped[created_at]
    title: Mapped[str] = mapped_column(sa.String(100), default="")
    body: Mapped[str] = mapped_column(sa.Text, comment="text as the model saw it")
    model_version: Mapped[str | None] = mapped_column(sa.String(64))
    predicted_category: Mapped[str | None] = mapped_column(sa.String(32))
    predicted_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    corrected_category: Mapped[str | None] = mapped_column(sa.String(32))
    corrected_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    # Types are copied at correction time: an admin may later change a department's type.
    predicted_handler_type: Mapped[str | None] = mapped_column(sa.String(16))
    corrected_handler_type: Mapped[str | None] = mapped_column(sa.String(16))
    # Domain names, copied for the same reason: the label a domain model learns, stable if a domain is renamed.
    predicted_domain: Mapped[str | None] = mapped_column(sa.String(32), comment="the domain predicted from the text")
    corrected_domain: Mapped[str | None] = mapped_column(sa.String(32), comment="the domain a person set")

    suggestion: Mapped[Suggestion] = relationship()
    actor: Mapped[StaffUser] = relationship(lazy="joined")
    predicted_department: Mapped[Department | None] = relationship(foreign_keys=[predicted_department_id])
    corrected_department: Mapped[Department | None] = relationship(foreign_keys=[corrected_department_id])

    def __repr__(self) -> str:
        return f"<RouteCorrection {self.id} #{self.suggestion_id} {self.predicted_category}->{self.corrected_category}>"


@sa.event.listens_for(SuggestionEvent, "before_update")
@sa.event.listens_for(SuggestionEvent, "before_delete")
def _refuse_event_change(mapper, connection, target) -> None:
    """History is append-only; the database refuses this too (see the append-only migration)."""
    raise PermissionError("suggestion events are append-only")
