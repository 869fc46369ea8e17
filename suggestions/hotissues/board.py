"""Read side of hot issues: the /hot ranking with each issue's districts, channels and daily counts, and a sparkline.

The ranking reads the issue rows (heat is stored, brought up to date by each join and by the nightly regroup);
the figures about members (districts, channels, days) are read for the issues on one page only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from markupsafe import Markup

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import District, HotIssue, HotIssueMember, Suggestion
from suggestions.workflow import Channel

PER_PAGE = 20
SPARK_DAYS = 60  # the sparkline shows at most the issue's last 60 days


@dataclass
class IssueCard:
    issue: HotIssue
    districts: list[tuple[str, int]] = field(default_factory=list)
    channels: list[tuple[str, int]] = field(default_factory=list)
    daily: list[tuple[date, int]] = field(default_factory=list)

    @property
    def sparkline(self) -> Markup:
        return sparkline_svg(self.daily)

    @property
    def daily_text(self) -> str:
        return daily_text(self.daily)


def ranked(campaign_id: int, *, page: int = 1, not_hot: bool = False) -> tuple[list[IssueCard], int]:
    """One page of a campaign's active issues, hottest first; ``not_hot`` lists those marked 非热点 instead."""
    where = (HotIssue.campaign_id == campaign_id, HotIssue.active.is_(True), HotIssue.not_hot.is_(not_hot))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(HotIssue).where(*where)) or 0
    issues = db.session.scalars(
        sa.select(HotIssue)
        .where(*where)
        .order_by(HotIssue.heat.desc(), HotIssue.residents.desc(), HotIssue.id)
        .offset((max(page, 1) - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return cards(issues), total


def cards(issues: list[HotIssue]) -> list[IssueCard]:
    """Each issue with the districts, channels and days of its suggestions."""
    by_id = {issue.id: IssueCard(issue) for issue in issues}
    if not by_id:
        return []
    rows = db.session.execute(
        sa.select(HotIssueMember.issue_id, Suggestion.received_at, District.name, Suggestion.channel)
        .join(Suggestion, Suggestion.id == HotIssueMember.suggestion_id)
        .outerjoin(District, District.id == Suggestion.district_id)
        .where(HotIssueMember.issue_id.in_(list(by_id)))
    ).all()
    districts: dict[int, Counter] = {i: Counter() for i in by_id}
    channels: dict[int, Counter] = {i: Counter() for i in by_id}
    days: dict[int, Counter] = {i: Counter() for i in by_id}
    for issue_id, received_at, district, channel in rows:
        districts[issue_id][district or "未填写"] += 1
        channels[issue_id][Channel(channel).label] += 1
        days[issue_id][clock.local(received_at).date()] += 1
    for issue_id, card in by_id.items():
        card.districts = districts[issue_id].most_common()
        card.channels = channels[issue_id].most_common()
        card.daily = daily_counts(days[issue_id])
    return [by_id[issue.id] for issue in issues]


def daily_counts(per_day: Counter) -> list[tuple[date, int]]:
    """Counts for every day from the first to the last (at most ``SPARK_DAYS``, the latest ones), zeros included."""
    if not per_day:
        return []
    last = max(per_day)
    first = max(min(per_day), last - timedelta(days=SPARK_DAYS - 1))
    return [
        (first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0)) for n in range((last - first).days + 1)
    ]


def sparkline_svg(daily: list[tuple[date, int]], *, width: int = 120, height: int = 28) -> Markup:
    """A bar sparkline of daily counts as inline SVG; decorative (the text beside it says the same)."""
    if not daily:
        return Markup("")
    top = max(count for _, count in daily) or 1
    step = width / len(daily)
    bars = []
    for n, (_, count) in enumerate(daily):
        if count:
            h = max(2.0, (height - 2) * count / top)
            bars.append(
                f'<rect x="{n * step:.2f}" y="{height - h:.2f}" width="{max(step - 0.5, 1):.2f}" height="{h:.2f}"/>'
            )
    baseline = f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" class="sparkline__base"/>'
    return Markup(
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-hidden="true" focusable="false">{baseline}{"".join(bars)}</svg>'
    )


def daily_text(daily: list[tuple[date, int]]) -> str:
    """The sparkline in words: the days with suggestions and how many."""
    shown = [(day, count) for day, count in daily if count]
    if not shown:
        return "暂无按日数据"
    parts = "、".join(f"{day.month}月{day.day}日{count}件" for day, count in shown[-12:])
    earlier = len(shown) - 12
    prefix = f"另有更早{earlier}天；" if earlier > 0 else ""
    return f"每日件数：{prefix}{parts}"
