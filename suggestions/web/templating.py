"""Jinja filters and globals: local time, ages, labels and navigation."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app, request
from flask_login import current_user

from suggestions import clock
from suggestions.forms.fields import BODY_MAX, BODY_MIN, TITLE_MAX
from suggestions.workflow import (
    PUBLIC_STATUS_LABELS,
    STATUS_LABELS,
    Action,
    Channel,
    DomainSource,
    Role,
    Status,
    transition_for,
)
from suggestions.workflow.deadlines import deadline_state


def format_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return clock.local(moment).strftime(pattern) if moment else ""


def format_age(moment: datetime | None) -> str:
    """Say how long ago something arrived, in days or hours."""
    if moment is None:
        return ""
    hours = int((clock.now() - moment).total_seconds() // 3600)
    if hours < 1:
        return "不到1小时"
    if hours < 24:
        return f"{hours}小时"
    return f"{hours // 24}天"


def status_label(status: Status | str | None) -> str:
    return STATUS_LABELS[Status(status)] if status else "新建"


def public_status_label(status: Status | str | None) -> str:
    return PUBLIC_STATUS_LABELS[Status(status)] if status else ""


def action_label(action: Action | str) -> str:
    return transition_for(Action(action)).label


def channel_label(channel: Channel | str) -> str:
    return Channel(channel).label


def domain_source_label(source: str | None) -> str:
    return DomainSource(source).label if source else ""


def deadline_of(suggestion) -> str | None:
    """'overdue', 'due_soon' or None for the step the item is at."""
    soon = timedelta(hours=current_app.config["DUE_SOON_HOURS"])
    return deadline_state(suggestion.due_at, clock.now(), soon)


# What the due date of an item's current step is called on queue pages.
DUE_LABELS = {
    Status.NEEDS_TRIAGE: "分拨",
    Status.RETURNED: "分拨",
    Status.DISPATCHED: "签收",
    Status.SIGNED: "答复",
    Status.IN_PROGRESS: "答复",
    Status.REDO: "答复",
    Status.EXTENSION_PENDING: "答复",
    Status.REPLIED: "审核",
    Status.CALLBACK_PENDING: "回访",
}


ELDER_COOKIE = "jdz_display"


def elder_mode() -> bool:
    """Whether this browser chose 长辈版 (large text, high contrast); see views/display.py."""
    return request.cookies.get(ELDER_COOKIE) == "elder"


def percent(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "—"


NAVIGATION = {
    Role.OPERATOR: [
        ("hotline.new_call", {}, "热线登记"),
        ("triage.work_queue", {"name": "callbacks"}, "回访"),
        ("triage.queue", {}, "工单查询"),
    ],
    Role.DISPATCHER: [
        ("triage.work_queue", {"name": "triage"}, "待人工分拨"),
        ("triage.work_queue", {"name": "review"}, "待审核"),
        ("triage.work_queue", {"name": "extensions"}, "延期审批"),
        ("triage.queue", {}, "全部工单"),
        ("hot.board", {}, "热点问题"),
        ("stats.overview", {}, "统计"),
    ],
    Role.OFFICER: [("triage.queue", {}, "本部门工单"), ("triage.queue", {"assignee": "me"}, "我承办的")],
    Role.ADMIN: [
        ("triage.work_queue", {"name": "triage"}, "待人工分拨"),
        ("triage.queue", {}, "全部工单"),
        ("hot.board", {}, "热点问题"),
        ("stats.overview", {}, "统计"),
        ("admin.index", {}, "系统管理"),
    ],
}


def navigation() -> list[tuple[str, dict, str]]:
    if current_user.is_authenticated:
        return NAVIGATION[current_user.role]
    return []


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        localtime=format_time,
        age=format_age,
        status_label=status_label,
        public_status_label=public_status_label,
        action_label=action_label,
        channel_label=channel_label,
        domain_source_label=domain_source_label,
        percent=percent,
    )
    app.jinja_env.globals.update(
        navigation=navigation,
        deadline_of=deadline_of,
        limits={"title": TITLE_MAX, "body": BODY_MAX, "body_min": BODY_MIN},
        due_labels=DUE_LABELS,
        elder_mode=elder_mode,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
