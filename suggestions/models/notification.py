"""The outbox of messages to residents: written in the same transaction as the change they report."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from suggestions.extensions import db
from suggestions.models.base import UTCDateTime, created_at, intpk

# sms: sent to the resident's phone by `flask suggestions send-notifications`;
# page: the resident left no phone, so the message waits on the tracking page.
NOTIFICATION_MEDIA = ("sms", "page")
# pending: waits for the sender; sent: handed to the gateway (or, for page, shown from the start); failed: gave up.
NOTIFICATION_STATES = ("pending", "sent", "failed")


class Notification(db.Model):
    """One message to the resident behind a suggestion; the number is read from the suggestion when sending."""

    __tablename__ = "notifications"

    id: Mapped[intpk]
    suggestion_id: Mapped[int] = mapped_column(sa.ForeignKey("suggestions.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"))
    kind: Mapped[str] = mapped_column(sa.String(24), comment="adoption or project_update")
    medium: Mapped[str] = mapped_column(sa.String(8), comment="one of NOTIFICATION_MEDIA")
    body: Mapped[str] = mapped_column(sa.Text, comment="the message as sent; never holds a phone number")
    status: Mapped[str] = mapped_column(sa.String(8), default="pending", comment="one of NOTIFICATION_STATES")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[created_at]
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    suggestion = relationship("Suggestion")

    __table_args__ = (
        sa.CheckConstraint("medium IN ('sms', 'page')", name="known_medium"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="known_status"),
        sa.Index("ix_notifications_status_id", "status", "id"),
    )

    def __repr__(self) -> str:
        return f"<Notification {self.id} #{self.suggestion_id} {self.medium} {self.status}>"
