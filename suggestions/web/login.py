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


def _load_user(session_id: str) -> StaffUser | None:
    """The account behind a session, if the session is still valid.

    The id is ``<account>.<session version>`` (``StaffUser.get_id``); logout, a new password and deactivation
    raise the version, so a copied cookie stops working at once, on every worker and server.
    """
    account, _, version = session_id.partition(".")
    if not (account.isdigit() and version.isdigit()):
        return None
    user = db.session.get(StaffUser, int(account))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


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
