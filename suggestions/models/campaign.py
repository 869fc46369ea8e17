"""The campaign's own data: each year's call, its ordered domains, its livelihood projects and QR posters."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from suggestions.extensions import db
from suggestions.models.base import UTCDateTime, created_at, enum_column, intpk, split_words, utcnow
from suggestions.models.reference import Department, District
from suggestions.workflow import ProjectStatus


class Campaign(db.Model):
    """One year's call for suggestions, with its intake window; its domains are rows of ``campaign_domains``.

    ``year`` is the year of the call; the projects it picks are next year's (``programme_year``).
    """

    __tablename__ = "campaigns"

    id: Mapped[intpk]
    year: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(128))
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    created_at: Mapped[created_at]

    domains: Mapped[list[CampaignDomain]] = relationship(
        back_populates="campaign", order_by="(CampaignDomain.position, CampaignDomain.id)", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("opens_on <= closes_on", name="window_order"),)

    @property
    def programme_year(self) -> int:
        return self.year + 1

    def is_open_on(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.year} {self.opens_on}..{self.closes_on}>"


class CampaignDomain(db.Model):
    """One of a campaign's domains (领域: 就业, 养老 …), in the order residents see them.

    ``default_department`` is who usually handles the domain (养老 → 市民政局); routing may use it.
    """

    __tablename__ = "campaign_domains"

    id: Mapped[intpk]
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(32))
    default_department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("departments.id"), comment="who usually handles this domain; routing may use it"
    )
    # What predicts the domain besides the domain model (suggestions.routing.domains); words separated by 、.
    keywords: Mapped[str] = mapped_column(
        sa.String(500), default="", server_default="", comment="words that file a text here (a rule staff edit)"
    )
    excludes: Mapped[str] = mapped_column(
        sa.String(500), default="", server_default="", comment="phrases removed before matching (养老金 for 养老)"
    )
    handler_types: Mapped[str] = mapped_column(
        sa.String(200), default="", server_default="", comment="handler types (民政 …) whose items belong here"
    )
    categories: Mapped[str] = mapped_column(
        sa.String(200), default="", server_default="", comment="category codes whose items belong here"
    )

    campaign: Mapped[Campaign] = relationship(back_populates="domains")
    default_department: Mapped[Department | None] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("campaign_id", "name", name="uq_campaign_domains_campaign_name"),)

    @property
    def keyword_list(self) -> list[str]:
        return split_words(self.keywords)

    @property
    def exclude_list(self) -> list[str]:
        return split_words(self.excludes)

    @property
    def handler_type_list(self) -> list[str]:
        return split_words(self.handler_types)

    @property
    def category_list(self) -> list[str]:
        return split_words(self.categories)

    def __repr__(self) -> str:
        return f"<CampaignDomain {self.id} {self.campaign_id}:{self.name}>"


project_co_departments = sa.Table(
    "project_co_departments",
    db.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("department_id", sa.ForeignKey("departments.id"), primary_key=True),
)


class Project(db.Model):
    """One of a year's livelihood projects (民心工程) that adopted suggestions feed."""

    __tablename__ = "projects"

    id: Mapped[intpk]
    year: Mapped[int] = mapped_column(comment="the programme year (民心工程 year), usually the campaign's year + 1")
    number: Mapped[int] = mapped_column(comment="1..20 within the year")
    title: Mapped[str] = mapped_column(sa.String(128))
    lead_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaigns.id"), comment="the call whose ideas it draws on; its domain is one of that call's"
    )
    domain_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign_domains.id"))
    status: Mapped[ProjectStatus] = mapped_column(
        enum_column(ProjectStatus, "project_status"),
        default=ProjectStatus.PLANNED,
        server_default=ProjectStatus.PLANNED.value,
    )
    summary: Mapped[str] = mapped_column(sa.Text, default="", server_default="", comment="public description")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lead_department: Mapped[Department | None] = relationship(lazy="joined")
    campaign: Mapped[Campaign | None] = relationship()
    domain: Mapped[CampaignDomain | None] = relationship(lazy="joined")
    co_departments: Mapped[list[Department]] = relationship(
        secondary=project_co_departments, order_by="Department.id", lazy="selectin"
    )
    milestones: Mapped[list[ProjectMilestone]] = relationship(
        back_populates="project",
        order_by="(ProjectMilestone.due_on, ProjectMilestone.id)",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    __table_args__ = (sa.UniqueConstraint("year", "number", name="uq_projects_year_number"),)

    def __repr__(self) -> str:
        return f"<Project {self.year}-{self.number} {self.title}>"


class ProjectMilestone(db.Model):
    """A dated step of a project with a progress note the public reads."""

    __tablename__ = "project_milestones"

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(comment="planned date")
    title: Mapped[str] = mapped_column(sa.String(128))
    progress_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="", comment="public")
    done_on: Mapped[date | None] = mapped_column(comment="null while not reached")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship(back_populates="milestones")

    def __repr__(self) -> str:
        return f"<ProjectMilestone {self.id} #{self.project_id} {self.due_on}>"


class QrPoster(db.Model):
    """A printed poster whose QR code opens ``/qr?src=<id>``, so suggestions show where they were scanned."""

    __tablename__ = "qr_posters"

    id: Mapped[intpk]
    location: Mapped[str] = mapped_column(sa.String(100), comment="where it hangs, e.g. 南开区某社区服务中心")
    district_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("districts.id"), comment="preselected on the form it opens"
    )
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    district: Mapped[District | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<QrPoster {self.id} {self.location}>"
