"""Hot issues (热点问题): the campaign's suggestions grouped by problem and place, and staff decisions on them.

An issue row is kept up to date by ``suggestions.hotissues.grouping`` (each suggestion joins one when it is
routed; a full regroup runs nightly).  Staff decisions live on the row (``not_hot``, ``project``,
``proposed_year``) and in the append-only ``hot_issue_events``; a regroup carries them over to the issue that
keeps most of the same suggestions, and keeps an issue that dissolved (``active`` false) when staff decided on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from suggestions.extensions import db
from suggestions.models.base import UTCDateTime, created_at, intpk
from suggestions.models.campaign import Project

HOT_ISSUE_ACTIONS = ("not_hot", "hot_again", "link_project", "propose", "merge_all")


class HotIssue(db.Model):
    """One problem at one place raised by several suggestions of a campaign."""

    __tablename__ = "hot_issues"

    id: Mapped[intpk]
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(32), comment="the grouping's id: 't' and the oldest member's code")
    label: Mapped[str] = mapped_column(sa.String(200), comment="place and problem, in Chinese")
    heat: Mapped[float] = mapped_column(default=0.0, comment="see classifier.topics.heat")
    residents: Mapped[int] = mapped_column(default=0, comment="distinct residents")
    messages: Mapped[int] = mapped_column(default=0, comment="member suggestions")
    votes: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    places: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    keywords: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(
        default=True, server_default=sa.true(), comment="false: no longer a group, kept for its staff decisions"
    )
    not_hot: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), comment="staff marked 非热点")
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    proposed_year: Mapped[int | None] = mapped_column(comment="proposed for this programme year's projects")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project | None] = relationship(lazy="joined")

    __table_args__ = (sa.Index("ix_hot_issues_campaign_active_heat", "campaign_id", "active", "heat"),)

    @property
    def has_decisions(self) -> bool:
        return self.not_hot or self.project_id is not None or self.proposed_year is not None

    def __repr__(self) -> str:
        return f"<HotIssue {self.id} {self.key} {self.heat:.1f}>"


class HotIssueMember(db.Model):
    """A suggestion's place in one issue (a suggestion is in at most one)."""

    __tablename__ = "hot_issue_members"

    suggestion_id: Mapped[int] = mapped_column(sa.ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("hot_issues.id", ondelete="CASCADE"), index=True)

    issue: Mapped[HotIssue] = relationship()
    suggestion: Mapped[Suggestion] = relationship()  # noqa: F821  (suggestion.py)


class HotIssueEvent(db.Model):
    """Append-only record of a staff decision on an issue: 非热点, a project link, a proposal, a merge of all."""

    __tablename__ = "hot_issue_events"

    id: Mapped[intpk]
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("hot_issues.id"), index=True)
    created_at: Mapped[created_at]
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"))
    action: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[StaffUser] = relationship(lazy="joined")  # noqa: F821  (account.py)

    __table_args__ = (
        sa.CheckConstraint(f"action IN ({', '.join(repr(a) for a in HOT_ISSUE_ACTIONS)})", name="known_action"),
    )


@sa.event.listens_for(HotIssueEvent, "before_update")
@sa.event.listens_for(HotIssueEvent, "before_delete")
def _refuse_event_change(mapper, connection, target) -> None:
    raise PermissionError("hot issue events are append-only")
