"""The statistics page's tables: one definition per chart, used by the page, its charts and its downloads.

Every figure is computed by ``metrics`` from the database.  With a million suggestions that takes seconds, so a
computed dashboard is kept per worker process and served again only while it is still exactly right:

* no suggestion changed since: every change of a suggestion writes an event row, so the newest event ids tell
  (the count of the newest ids as well as the largest one, because on PostgreSQL a transaction that started
  earlier may commit a smaller id after a later one);
* no time limit passed since: the next due moment of any open item ends its validity, so an item becomes late
  on the page the moment it is late, never before;
* the reference data it names (departments, districts, domains, projects and their status, posters) is the same.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from suggestions.extensions import db
from suggestions.insight import metrics
from suggestions.insight.metrics import Scope
from suggestions.models import (
    Campaign,
    CampaignDomain,
    Department,
    District,
    Project,
    QrPoster,
    Suggestion,
    SuggestionEvent,
)
from suggestions.workflow import OPEN_STATUSES

LABEL, COUNT, RATE = "label", "count", "rate"
# Ids this far below the newest still count towards the version (see the module docstring).
LATE_COMMIT_WINDOW = 1000
CACHED_SCOPES = 32
# The daily chart shows the last days of the range (a campaign's intake is about two weeks); weeks cover all of it.
RECENT_DAYS = 92


@dataclass
class Table:
    """A chart's data: ``columns`` are (heading, kind); ``chart`` says how it is drawn ('bars', 'columns' or '')
    and ``value`` which column it draws."""

    key: str
    caption: str
    columns: list[tuple[str, str]]
    rows: list[list]
    chart: str = "bars"
    value: int = 1
    note: str = ""

    @property
    def maximum(self) -> float:
        values = [row[self.value] or 0 for row in self.rows]
        return max(values, default=0) or 1


@dataclass
class Dashboard:
    scope: Scope
    totals: dict
    routing: dict
    overall: metrics.HotlineFigures
    tables: dict[str, Table] = field(default_factory=dict)
    html: str | None = None  # the page's rendering of it, kept with it


RATE_COLUMNS = [
    ("签收及时率", RATE),
    ("响应率", RATE),
    ("按期办结率", RATE),
    ("满意率", RATE),
    ("解决率", RATE),
]


def _rates(row: metrics.HotlineFigures) -> list:
    return [
        row.sign_on_time_rate,
        row.response_rate,
        row.reply_on_time_rate,
        row.satisfaction_rate,
        row.resolution_rate,
    ]


def build(scope: Scope, now: datetime) -> Dashboard:
    """Compute every table of the page for ``scope`` at ``now``."""
    figures = metrics.hotline_figures(scope, now)
    departments = metrics.department_stats(scope, now, figures)
    overall = metrics.total_figures(departments)
    days = metrics.by_day(scope)
    routed = metrics.items_with_routing_events(scope)
    board = Dashboard(scope, metrics.campaign_totals(scope, routed), metrics.routing_totals(scope, routed), overall)

    def add(table: Table) -> None:
        board.tables[table.key] = table

    add(
        Table("days", "每日收到建议", [("日期", LABEL), ("件数", COUNT)], [[r.label, r.count] for r in days], "columns")
    )
    add(
        Table(
            "weeks",
            "每周收到建议",
            [("周（周一）", LABEL), ("件数", COUNT)],
            [[r.label, r.count] for r in metrics.by_week(days)],
            "columns",
        )
    )
    add(
        Table(
            "funnel",
            "采纳漏斗：从建议到项目",
            [("环节", LABEL), ("件数", COUNT)],
            [[r.label, r.count] for r in metrics.funnel(scope)],
        )
    )
    add(
        Table(
            "domains",
            "各领域建议与采纳",
            [
                ("领域", LABEL),
                ("建议", COUNT),
                ("已评估", COUNT),
                ("采纳+部分采纳", COUNT),
                ("已有安排", COUNT),
                ("暂不采纳", COUNT),
                ("采纳率", RATE),
            ],
            [
                [r.label, r.received, r.decided, r.fed, r.already_planned, r.not_adopted, r.adoption_rate]
                for r in metrics.by_domain(scope)
            ],
        )
    )
    add(
        Table(
            "domain_rates",
            "各领域办理情况",
            [("领域", LABEL), *RATE_COLUMNS],
            [[r.name, *_rates(r)] for r in metrics.domain_rates(scope, now, figures)],
            "bars",
            3,
        )
    )
    for key, caption, heading, rows in (
        ("districts", "各区建议件数", "所在区", metrics.by_district(scope)),
        ("channels", "各渠道建议件数", "渠道", metrics.by_channel(scope)),
        ("statuses", "各办理状态件数", "状态", metrics.by_status(scope)),
        ("posters", "各二维码海报（张贴地点）扫码建议件数", "张贴地点", metrics.by_poster(scope)),
    ):
        add(Table(key, caption, [(heading, LABEL), ("件数", COUNT)], [[r.label, r.count] for r in rows]))
    add(
        Table(
            "years",
            "各年度征集建议件数（全部年度）",
            [("征集年度", LABEL), ("件数", COUNT)],
            [[r.label, r.count] for r in metrics.by_year(scope.domain)],
        )
    )
    add(
        Table(
            "projects",
            "征集对应的民心工程项目",
            [("项目", LABEL), ("纳入建议", COUNT), ("已有安排", COUNT), ("采纳率", RATE)],
            [[r.label, r.fed, r.already_planned, r.adoption_rate] for r in metrics.by_project(scope)],
        )
    )
    add(
        Table(
            "departments",
            "各承办部门办理情况",
            [
                ("承办部门", LABEL),
                ("在办", COUNT),
                ("超期", COUNT),
                ("派单", COUNT),
                *RATE_COLUMNS[:3],
                ("退单率", RATE),
                *RATE_COLUMNS[3:],
                ("重办率", RATE),
            ],
            [
                [
                    r.name,
                    r.open,
                    r.overdue,
                    r.dispatched,
                    *_rates(r)[:3],
                    r.return_rate,
                    *_rates(r)[3:],
                    r.redo_rate,
                ]
                for r in departments
            ],
            "bars",
            6,
        )
    )
    return board


# -- the per-process store -----------------------------------------------------------------------------------------

_lock = threading.Lock()


def dashboard(scope: Scope, now: datetime) -> Dashboard:
    """The dashboard for ``scope``: the kept one while it is still exactly right, else a new one."""
    store: OrderedDict = current_app.extensions.setdefault("stats_dashboards", OrderedDict())
    version = _version()
    with _lock:
        kept = store.get(scope)
    if kept is not None and kept[0] == version and (kept[1] is None or now < kept[1]):
        return kept[2]
    valid_until = _next_due(now)
    board = build(scope, now)
    with _lock:
        store[scope] = (version, valid_until, board)
        store.move_to_end(scope)
        while len(store) > CACHED_SCOPES:
            store.popitem(last=False)
    return board


def _version() -> tuple:
    newest = db.session.scalar(sa.select(sa.func.max(SuggestionEvent.id))) or 0
    recent = db.session.scalar(
        sa.select(sa.func.count(SuggestionEvent.id)).where(SuggestionEvent.id > newest - LATE_COMMIT_WINDOW)
    )
    reference = hashlib.sha256()
    for query in (
        sa.select(Department.id, Department.name, Department.handler_type),
        sa.select(District.id, District.name, District.position),
        sa.select(Campaign.id, Campaign.year),
        sa.select(CampaignDomain.id, CampaignDomain.name, CampaignDomain.position, CampaignDomain.campaign_id),
        sa.select(
            Project.id,
            Project.year,
            Project.number,
            Project.title,
            Project.status,
            Project.domain_id,
            Project.campaign_id,
        ),
        sa.select(QrPoster.id, QrPoster.location),
    ):
        for row in db.session.execute(query.order_by(*query.selected_columns[:1])):
            reference.update(repr(tuple(row)).encode())
    return (newest, recent, reference.hexdigest())


def _next_due(now: datetime) -> datetime | None:
    """The next moment an open item's figure changes by itself: its current or its reply deadline passes."""
    candidates = [
        db.session.scalar(
            sa.select(sa.func.min(Suggestion.due_at)).where(
                Suggestion.status.in_(OPEN_STATUSES), Suggestion.due_at > now
            )
        ),
        db.session.scalar(
            sa.select(sa.func.min(Suggestion.reply_due_at)).where(
                Suggestion.status.in_(metrics.REPLY_OWED), Suggestion.reply_due_at > now
            )
        ),
    ]
    candidates = [moment for moment in candidates if moment is not None]
    return min(candidates) if candidates else None
