"""Per domain, the themes residents raise most: the hot issues of a campaign by domain, for the yearly report.

An issue belongs to the domain most of its suggestions are filed under (未确定 when they have none).  Issues
marked 非热点 are left out.  ``rows`` gives the table the page shows and the CSV download writes.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import Campaign, CampaignDomain, HotIssue, HotIssueMember, Suggestion
from suggestions.web.templating import format_time

PER_DOMAIN = 10
NO_DOMAIN = "未确定"
COLUMNS = ("领域", "排名", "主题", "热度", "居民数", "建议数", "地点", "关键词", "首次", "最近", "处理情况")


@dataclass(frozen=True)
class Theme:
    domain: str
    rank: int
    issue: HotIssue

    @property
    def decision(self) -> str:
        parts = []
        if self.issue.project is not None:
            parts.append(f"已关联{self.issue.project.year}年第{self.issue.project.number}项")
        if self.issue.proposed_year:
            parts.append(f"拟列入{self.issue.proposed_year}年备选")
        return "；".join(parts)

    def as_row(self) -> list:
        issue = self.issue
        return [
            self.domain,
            self.rank,
            issue.label,
            f"{issue.heat:.1f}",
            issue.residents,
            issue.messages,
            "、".join(issue.places),
            "、".join(issue.keywords),
            format_time(issue.first_at, "%Y-%m-%d"),
            format_time(issue.last_at, "%Y-%m-%d"),
            self.decision,
        ]


def by_domain(campaign: Campaign, *, per_domain: int = PER_DOMAIN) -> dict[str, list[Theme]]:
    """The campaign's domains in their order (then 未确定), each with its hottest issues."""
    issues = {
        issue.id: issue
        for issue in db.session.scalars(
            sa.select(HotIssue).where(
                HotIssue.campaign_id == campaign.id, HotIssue.active.is_(True), HotIssue.not_hot.is_(False)
            )
        )
    }
    votes: dict[int, Counter] = defaultdict(Counter)
    if issues:
        rows = db.session.execute(
            sa.select(HotIssueMember.issue_id, CampaignDomain.name, sa.func.count())
            .join(Suggestion, Suggestion.id == HotIssueMember.suggestion_id)
            .outerjoin(CampaignDomain, CampaignDomain.id == Suggestion.domain_id)
            .join(HotIssue, HotIssue.id == HotIssueMember.issue_id)
            .where(HotIssue.campaign_id == campaign.id)
            .group_by(HotIssueMember.issue_id, CampaignDomain.name)
        ).all()
        for issue_id, domain, count in rows:
            if issue_id in issues:
                votes[issue_id][domain or NO_DOMAIN] += count
    grouped: dict[str, list[HotIssue]] = {domain.name: [] for domain in campaign.domains}
    grouped[NO_DOMAIN] = []
    for issue_id, issue in issues.items():
        # The most common domain; a tie goes to the campaign's order, so the answer is stable.
        order = {name: n for n, name in enumerate(grouped)}
        domain = min(votes[issue_id].items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order))))[0]
        grouped.setdefault(domain, []).append(issue)
    themes = {}
    for domain, members in grouped.items():
        members.sort(key=lambda i: (-i.heat, -i.residents, i.id))
        themes[domain] = [Theme(domain, n, issue) for n, issue in enumerate(members[:per_domain], start=1)]
    return themes


def csv_text(themes: dict[str, list[Theme]]) -> str:
    """The table as CSV, UTF-8 with a byte-order mark so that spreadsheet programs read the Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for rows in themes.values():
        for theme in rows:
            writer.writerow([_safe_cell(value) for value in theme.as_row()])
    return "\ufeff" + out.getvalue()


def _safe_cell(value):
    """Keep a spreadsheet from reading a cell as a formula (residents' text can start with = + - @)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
