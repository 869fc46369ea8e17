"""Trained routing models the service has produced, and which one serves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from suggestions.extensions import db
from suggestions.models.base import UTCDateTime, created_at, intpk

# candidate: written, not yet compared; promoted: serving now; refused: worse than the serving model;
# retired: served earlier, replaced by a later promotion.
MODEL_STATES = ("candidate", "promoted", "refused", "retired")


class ModelVersion(db.Model):
    """One trained artifact, stored here, with its card and the comparison that decided its fate."""

    __tablename__ = "model_versions"

    id: Mapped[intpk]
    version: Mapped[str] = mapped_column(sa.String(64), unique=True)
    artifact: Mapped[bytes] = mapped_column(
        sa.LargeBinary, deferred=True, comment="classifier.dumps of the model: every app server loads it from here"
    )
    state: Mapped[str] = mapped_column(sa.String(16), default="candidate", comment="one of MODEL_STATES")
    created_at: Mapped[created_at]
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trigger: Mapped[str] = mapped_column(sa.String(32), default="retrain", comment="initial training or retrain")
    category_corrections: Mapped[int] = mapped_column(default=0)
    handler_corrections: Mapped[int] = mapped_column(default=0)
    domain_corrections: Mapped[int] = mapped_column(default=0, server_default="0")
    macro_f1: Mapped[float | None] = mapped_column(comment="cross-validated, from the card")
    threshold: Mapped[float | None]
    coverage: Mapped[float | None] = mapped_column(comment="share routed automatically at the threshold")
    card: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    comparison: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    reasons: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)

    def __repr__(self) -> str:
        return f"<ModelVersion {self.version} {self.state}>"
