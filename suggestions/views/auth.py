"""Staff login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from suggestions import clock
from suggestions.auth import home_url
from suggestions.extensions import db
from suggestions.forms import LoginForm
from suggestions.models import StaffUser

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only follow a ``next`` that stays on this site (no open redirects)."""
    if not target or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == form.username.data))
        if user is None or not user.is_active or not user.check_password(form.password.data):
            form.password.errors.append("账号或密码不正确。")
            return render_template("auth/login.html", form=form), 401
        user.last_login_at = clock.now()
        db.session.commit()
        login_user(user)
        return redirect(_safe_next(request.args.get("next")) or home_url(user), 303)
    return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for(".login"), 303)
