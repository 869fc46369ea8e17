"""Bulk imports of 12345 work-order files: one row per run, updated as its rows are processed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from suggestions.extensions import db
from suggestions.models.account import StaffUser
from suggestions.models.base import UTCDateTime, created_at, intpk

# running: rows are being processed; done: every row was processed; failed: the run stopped (see ``message``).
IMPORT_STATES = ("running", "done", "failed")


class ImportJob(db.Model):
    """One run of the work-order import (admin upload or ``flask suggestions import``) and its progress."""

    __tablename__ = "import_jobs"

    id: Mapped[intpk]
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, comment="last progress written")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"), comment="null: the command line")
    filename: Mapped[str] = mapped_column(sa.String(200))
    channel: Mapped[str] = mapped_column(sa.String(16), comment="the channel the work orders are filed under")
    dry_run: Mapped[bool] = mapped_column(default=False, comment="check only: no suggestion is written")
    state: Mapped[str] = mapped_column(sa.String(16), default="running", comment="one of IMPORT_STATES")
    total_rows: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0, comment="new suggestions (or, in a dry run, that would be)")
    duplicates: Mapped[int] = mapped_column(default=0, comment="work orders already imported, or repeated in the file")
    invalid: Mapped[int] = mapped_column(default=0, comment="rows refused; see error_report")
    error_report: Mapped[str] = mapped_column(sa.Text, default="", comment="CSV: row, work-order number, reason")
    message: Mapped[str] = mapped_column(sa.Text, default="")

    actor: Mapped[StaffUser | None] = relationship()

    __table_args__ = (sa.CheckConstraint("state IN ('running', 'done', 'failed')", name="known_state"),)

    def __repr__(self) -> str:
        return f"<ImportJob {self.id} {self.state} {self.processed}/{self.total_rows}>"
