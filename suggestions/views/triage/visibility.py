"""Who may see which item, and the choice lists the staff forms need."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from suggestions import clock
from suggestions.campaign.taxonomy import taxonomy_campaign
from suggestions.extensions import db
from suggestions.models import Campaign, Project, StaffUser, Suggestion
from suggestions.views.common import active_categories, active_departments
from suggestions.workflow import Role

STAFF = (Role.OPERATOR, Role.DISPATCHER, Role.OFFICER, Role.ADMIN)
DISPATCHERS = (Role.DISPATCHER, Role.ADMIN)


def visible_suggestion(suggestion_id: int) -> Suggestion:
    """Load an item the current user may see; another department's item is 'not found' to an officer."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None or not can_see(current_user, suggestion):
        abort(404)
    return suggestion


def can_see(user: StaffUser, suggestion: Suggestion) -> bool:
    if user.role == Role.OFFICER:
        return suggestion.department_id is not None and suggestion.department_id == user.department_id
    return True


def department_choices(placeholder: str = "请选择") -> list[tuple]:
    return [(None, placeholder)] + [(d.id, d.name) for d in active_departments()]


def category_choices(placeholder: str = "请选择") -> list[tuple]:
    return [(None, placeholder)] + [(c.id, c.name) for c in active_categories()]


def officer_choices(department_id: int | None) -> list[tuple]:
    officers = db.session.scalars(
        sa.select(StaffUser)
        .where(StaffUser.department_id == department_id, StaffUser.role == Role.OFFICER, StaffUser.is_active)
        .order_by(StaffUser.display_name)
    )
    return [(None, "请选择")] + [(o.id, o.display_name) for o in officers]


def suggestion_taxonomy(suggestion: Suggestion) -> Campaign | None:
    """The campaign whose domains apply to an item: its own, else the one in force when it came in."""
    if suggestion.campaign is not None:
        return suggestion.campaign
    if suggestion.domain is not None:
        return suggestion.domain.campaign
    return taxonomy_campaign(clock.local(suggestion.received_at).date())


def project_choices() -> list[tuple]:
    """Projects of next year (what adopted suggestions feed into), then this year's."""
    year = clock.local_today().year
    projects = db.session.scalars(
        sa.select(Project).where(Project.year.in_([year, year + 1])).order_by(Project.year.desc(), Project.number)
    )
    return [(None, "请选择")] + [(p.id, f"{p.year}年 第{p.number}项 {p.title}") for p in projects]
