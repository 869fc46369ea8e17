"""Staff decisions on a hot issue: 非热点, a link to a project, a proposal for next year, a merge of all duplicates.

Each verb changes the issue row, appends a ``HotIssueEvent`` and an audit entry, and flushes; the request
commits.  A regroup keeps these decisions (see ``grouping``).  Merging an issue's duplicates goes through the one
merge service (``casework.merging.merge``), suggestion by suggestion, so each resident keeps their own reply,
callback and rating, and each merge is the item's own event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from suggestions import clock
from suggestions.casework.merging import check_merge, merge
from suggestions.extensions import db
from suggestions.models import Campaign, HotIssue, HotIssueEvent, HotIssueMember, Project, StaffUser, Suggestion
from suggestions.privacy.disclosure import record_audit
from suggestions.workflow import OPEN_STATUSES, ReasonRequired, WorkflowError


def _record(issue: HotIssue, action: str, actor: StaffUser, reason: str, details: dict, now: datetime) -> None:
    db.session.add(
        HotIssueEvent(
            issue_id=issue.id, action=action, actor_id=actor.id, reason=reason, details=details, created_at=now
        )
    )
    record_audit(actor, f"hot_issue_{action}", reason=reason, details={"issue_id": issue.id, **details}, now=now)


def mark_not_hot(
    issue: HotIssue, *, actor: StaffUser, reason: str, not_hot: bool = True, now: datetime | None = None
) -> HotIssue:
    """Mark an issue 非热点 (with a reason), or take the mark back; marked issues leave the ranking."""
    reason = (reason or "").strip()
    if not_hot and not reason:
        raise ReasonRequired("标记「非热点」需要填写原因。")
    if issue.not_hot == not_hot:
        raise WorkflowError("该问题已标记为非热点。" if not_hot else "该问题没有标记为非热点。")
    issue.not_hot = not_hot
    _record(issue, "not_hot" if not_hot else "hot_again", actor, reason, {"label": issue.label}, now or clock.now())
    return issue


def link_project(
    issue: HotIssue, project: Project, *, actor: StaffUser, reason: str = "", now: datetime | None = None
) -> HotIssue:
    """Link an issue to a livelihood project that takes it up."""
    if issue.project_id == project.id:
        raise WorkflowError("该问题已关联这个项目。")
    previous = issue.project
    issue.project = project
    details = {"project_id": project.id, "project": f"{project.year}年第{project.number}项 {project.title}"}
    if previous is not None:
        details["previous_project_id"] = previous.id
    _record(issue, "link_project", actor, (reason or "").strip(), details, now or clock.now())
    return issue


def propose(issue: HotIssue, *, actor: StaffUser, reason: str = "", now: datetime | None = None) -> HotIssue:
    """Propose an issue for next year's projects (the campaign's programme year)."""
    campaign = db.session.get(Campaign, issue.campaign_id)
    year = campaign.programme_year
    if issue.proposed_year == year:
        raise WorkflowError(f"该问题已列入{year}年民心工程备选。")
    issue.proposed_year = year
    _record(issue, "propose", actor, (reason or "").strip(), {"year": year, "label": issue.label}, now or clock.now())
    return issue


@dataclass
class MergeOutcome:
    master: Suggestion
    merged: list[Suggestion] = field(default_factory=list)
    skipped: list[tuple[Suggestion, str]] = field(default_factory=list)  # with the reason, in Chinese


def members(issue: HotIssue) -> list[Suggestion]:
    """The issue's suggestions, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Suggestion)
            .join(HotIssueMember, HotIssueMember.suggestion_id == Suggestion.id)
            .where(HotIssueMember.issue_id == issue.id)
            .order_by(Suggestion.received_at, Suggestion.id)
        )
    )


def merge_all(
    issue: HotIssue, master: Suggestion, *, actor: StaffUser, reason: str, now: datetime | None = None
) -> MergeOutcome:
    """Merge every other open suggestion of the issue into ``master``: one work order for the department.

    Suggestions that cannot be merged (already answered or closed, already merged, themselves a master of
    others) are left as they are and reported.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("「合并为一件」需要填写原因。")
    now = now or clock.now()
    group = members(issue)
    if master not in group:
        raise WorkflowError("主件必须是该热点问题中的一件建议。")
    if master.status not in OPEN_STATUSES or master.merged_into_id is not None:
        raise WorkflowError("主件已办结、不予受理或已并入其他工单，请选择一件在办的建议作主件。")
    outcome = MergeOutcome(master)
    for suggestion in group:
        if suggestion is master or suggestion.merged_into_id == master.id:
            continue
        try:
            check_merge(suggestion, master)
        except WorkflowError as refused:
            outcome.skipped.append((suggestion, str(refused)))
            continue
        merge(suggestion, master, actor=actor, reason=f"热点问题合并：{reason}", now=now)
        outcome.merged.append(suggestion)
    if not outcome.merged:
        raise WorkflowError("没有可以并入主件的建议：其余建议已办结、已并单或本身是其他工单的主件。")
    details = {
        "master_code": master.tracking_code,
        "merged": [s.tracking_code for s in outcome.merged],
        "skipped": [s.tracking_code for s, _ in outcome.skipped],
    }
    _record(issue, "merge_all", actor, reason, details, now)
    return outcome
