"""Staff authentication and role checks."""

from __future__ import annotations

from functools import wraps

from flask import abort, url_for
from flask_login import current_user, login_required

from suggestions.extensions import db, login_manager
from suggestions.models import StaffUser
from suggestions.workflow import Role


def init_app(app) -> None:
    login_manager.user_loader(_load_user)


def _load_user(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
    return user if user is not None and user.is_active else None


def role_required(*roles: Role):
    """Allow the view only to logged-in staff with one of ``roles``; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def home_url(user: StaffUser) -> str:
    """Where a staff member lands after login."""
    endpoint, args = {
        Role.OPERATOR: ("hotline.new_call", {}),
        Role.DISPATCHER: ("triage.work_queue", {"name": "triage"}),
        Role.OFFICER: ("triage.queue", {}),
        Role.ADMIN: ("admin.index", {}),
    }[user.role]
    return url_for(endpoint, **args)
