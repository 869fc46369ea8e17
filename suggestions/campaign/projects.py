"""A year's livelihood projects and their milestones; a change residents care about is told to them.

Residents whose ideas are linked to a project (adopted, partly adopted, or already covered) get a message when
the project's status changes or a milestone is added, reached or given a new progress note.  Every verb
flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from suggestions.campaign import notifications
from suggestions.extensions import db
from suggestions.models import Campaign, CampaignDomain, Department, Project, ProjectMilestone, Suggestion
from suggestions.workflow import FED_ADOPTIONS, ProjectStatus, WorkflowError


def save_project(
    row: Project | None,
    *,
    campaign: Campaign | None,
    year: int,
    number: int,
    title: str,
    domain: CampaignDomain | None = None,
    lead_department: Department | None = None,
    co_departments: list[Department] | None = None,
    status: ProjectStatus = ProjectStatus.PLANNED,
    summary: str = "",
    now: datetime | None = None,
) -> Project:
    """Create (``row`` None) or update a project; a status change is told to the residents linked to it."""
    clash = db.session.scalar(sa.select(Project).where(Project.year == year, Project.number == number))
    if clash is not None and clash is not row:
        raise WorkflowError(f"{year}年已有第{number}项项目。")
    if domain is not None and (campaign is None or domain.campaign_id != campaign.id):
        raise WorkflowError("项目的领域须是所选征集活动的领域。")
    previous_status = row.status if row is not None else None
    row = row or Project()
    row.campaign, row.year, row.number, row.title = campaign, year, number, title
    row.domain, row.lead_department, row.status, row.summary = domain, lead_department, status, summary or ""
    row.co_departments = [d for d in (co_departments or []) if d is not lead_department]
    db.session.add(row)
    db.session.flush()
    if previous_status is not None and previous_status != status:
        notifications.notify_project_change(row, f"项目状态更新为“{status.label}”", now=now)
    return row


@dataclass(frozen=True)
class MilestoneChange:
    due_on: date
    title: str
    progress_note: str = ""
    done_on: date | None = None


def save_milestone(
    project: Project, row: ProjectMilestone | None, change: MilestoneChange, *, now: datetime | None = None
) -> ProjectMilestone:
    """Add or edit a milestone; residents linked to the project hear about anything the public page shows."""
    if not change.title.strip():
        raise WorkflowError("请填写节点名称。")
    before = (row.due_on, row.title, row.progress_note, row.done_on) if row is not None else None
    row = row or ProjectMilestone(project=project)
    row.due_on, row.title = change.due_on, change.title.strip()
    row.progress_note, row.done_on = (change.progress_note or "").strip(), change.done_on
    db.session.add(row)
    db.session.flush()
    if before != (row.due_on, row.title, row.progress_note, row.done_on):
        notifications.notify_project_change(project, milestone_summary(row, new=before is None), now=now)
    return row


def milestone_summary(milestone: ProjectMilestone, *, new: bool) -> str:
    if milestone.done_on is not None:
        text = f"“{milestone.title}”已于{milestone.done_on:%Y年%-m月%-d日}完成"
    elif new:
        text = f"新增节点“{milestone.title}”（计划{milestone.due_on:%Y年%-m月%-d日}）"
    else:
        text = f"节点“{milestone.title}”有更新（计划{milestone.due_on:%Y年%-m月%-d日}）"
    return f"{text}。{milestone.progress_note}" if milestone.progress_note else text


def delete_milestone(milestone: ProjectMilestone) -> None:
    milestone.project.milestones.remove(milestone)
    db.session.flush()


def projects_of_year(year: int) -> sa.Select:
    return sa.select(Project).where(Project.year == year).order_by(Project.number)


def project_years() -> list[int]:
    return list(db.session.scalars(sa.select(Project.year).distinct().order_by(Project.year.desc())))


def fed_counts(project_ids: list[int]) -> dict[int, int]:
    """How many residents' ideas fed each project (adopted or partly adopted)."""
    if not project_ids:
        return {}
    rows = db.session.execute(
        sa.select(Suggestion.project_id, sa.func.count(Suggestion.id))
        .where(Suggestion.project_id.in_(project_ids), Suggestion.adoption.in_(FED_ADOPTIONS))
        .group_by(Suggestion.project_id)
    )
    return dict(rows.all())


def published_ideas(project: Project) -> sa.Select:
    """Ideas that fed the project and whose title and excerpt a dispatcher approved, latest first."""
    return (
        sa.select(Suggestion)
        .where(
            Suggestion.project_id == project.id,
            Suggestion.adoption.in_(FED_ADOPTIONS),
            Suggestion.public_excerpt.is_not(None),
        )
        .order_by(Suggestion.adoption_decided_at.desc(), Suggestion.id.desc())
    )
