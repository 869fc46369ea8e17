"""Administrators' changes to reference data; each checks its invariants and flushes."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import (
    HANDLER_TYPES,
    LOCAL_GOVERNMENT,
    CalendarDay,
    Department,
    ReplyTemplate,
    RoutingRule,
    StaffUser,
    TimeLimit,
    split_words,
)
from suggestions.privacy.disclosure import record_audit
from suggestions.workflow import Role, WorkflowError

Row = TypeVar("Row", ReplyTemplate, RoutingRule)


def _save(row: Row | None, model: type[Row], values: dict) -> Row:
    """Create (``row`` None) or update a row from values a form has validated, and flush it."""
    row = row or model()
    for key, value in values.items():
        setattr(row, key, value)
    db.session.add(row)
    db.session.flush()
    return row


def save_time_limit(step, category_id, urgency, amount: int, unit) -> TimeLimit:
    """Set the limit for one (step, category, urgency) scope, replacing an existing one."""
    row = db.session.scalar(
        sa.select(TimeLimit).where(
            TimeLimit.step == step,
            TimeLimit.category_id.is_(None) if category_id is None else TimeLimit.category_id == category_id,
            TimeLimit.urgency.is_(None) if urgency is None else TimeLimit.urgency == urgency,
        )
    )
    if row is None:
        row = TimeLimit(step=step, category_id=category_id, urgency=urgency, amount=amount, unit=unit)
        db.session.add(row)
    row.amount, row.unit = amount, unit
    db.session.flush()
    return row


def delete_time_limit(row: TimeLimit) -> None:
    db.session.delete(row)
    db.session.flush()


def set_calendar_days(days: list[date], is_workday: bool, note: str) -> list[CalendarDay]:
    """Mark each of ``days`` as a holiday or a working day, replacing what was entered for it before."""
    rows = []
    for day in days:
        row = db.session.get(CalendarDay, day) or CalendarDay(day=day)
        row.is_workday, row.note = is_workday, note or ""
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def delete_calendar_day(row: CalendarDay) -> None:
    db.session.delete(row)
    db.session.flush()


def save_reply_template(row: ReplyTemplate | None, **values) -> ReplyTemplate:
    return _save(row, ReplyTemplate, values)


def create_staff(
    *, username: str, display_name: str, role: Role, department: Department | None, password: str
) -> StaffUser:
    if db.session.scalar(sa.select(StaffUser).where(StaffUser.username == username)) is not None:
        raise WorkflowError(f"账号 {username} 已存在。")
    if role == Role.OFFICER and department is None:
        raise WorkflowError("部门承办人必须选择所属部门。")
    user = StaffUser(username=username, display_name=display_name, role=role, department=department)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_staff_active(user: StaffUser, active: bool, *, actor: StaffUser) -> StaffUser:
    """Deactivate (every session ends) or reactivate an account; audited."""
    if user.id == actor.id and not active:
        raise WorkflowError("不能停用自己的账号。")
    user.is_active = active
    if not active:
        user.end_sessions()
    record_audit(actor, "staff_activated" if active else "staff_deactivated", details={"username": user.username})
    db.session.flush()
    return user


def update_staff(
    user: StaffUser, *, display_name: str, role: Role, department: Department | None, actor: StaffUser
) -> StaffUser:
    """Change an account's name, role or department; a change of role or department ends its sessions, so the
    new permissions apply from the next sign-in.  Audited with what changed."""
    if role == Role.OFFICER and department is None:
        raise WorkflowError("部门承办人必须选择所属部门。")
    if user.id == actor.id and role != Role.ADMIN:
        raise WorkflowError("不能取消自己的管理员角色，请由另一位管理员操作。")
    changed = {
        name: [str(old), str(new)]
        for name, old, new in (
            ("display_name", user.display_name, display_name),
            ("role", user.role.value, role.value),
            ("department", user.department.name if user.department else "", department.name if department else ""),
        )
        if old != new
    }
    user.display_name, user.role, user.department = display_name, role, department
    if "role" in changed or "department" in changed:
        user.end_sessions()
    if changed:
        record_audit(actor, "staff_updated", details={"username": user.username, "changed": changed})
    db.session.flush()
    return user


def reset_staff_password(user: StaffUser, password: str, *, actor: StaffUser) -> StaffUser:
    """Set a new password for an account (every session of it ends); audited, the password never is."""
    user.set_password(password)
    record_audit(actor, "staff_password_reset", details={"username": user.username})
    db.session.flush()
    return user


def save_routing_rule(row: RoutingRule | None, **values) -> RoutingRule:
    if not split_words(values["keywords"]):
        raise WorkflowError("请填写至少一个关键词。")
    return _save(row, RoutingRule, values)


def set_department_type(department: Department, handler_type: str) -> Department:
    """Say who a department is for the handler-type model; 属地 governments are tied to their district."""
    if handler_type not in HANDLER_TYPES:
        raise WorkflowError("未知的承办类型。")
    if (handler_type == LOCAL_GOVERNMENT) != (department.district_id is not None):
        raise WorkflowError("属地政府类型只用于各区人民政府，区人民政府也只能是属地政府类型。")
    department.handler_type = handler_type
    db.session.flush()
    return department
