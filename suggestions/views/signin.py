"""Staff login and logout."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from suggestions import clock
from suggestions.extensions import db, limiter
from suggestions.forms import LoginForm
from suggestions.models import StaffUser
from suggestions.web.login import home_url

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


def _safe_next(target: str | None) -> str | None:
    """Only follow a ``next`` that stays on this site (no open redirects)."""
    if not target or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        now = clock.now()
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == form.username.data))
        if user is not None and user.locked_until is not None and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            form.password.errors.append(f"密码错误次数过多，账号已临时锁定，请 {minutes} 分钟后再试或联系管理员。")
            return render_template("auth/login.html", form=form), 429
        if user is None or not user.is_active or not user.check_password(form.password.data):
            if user is not None:
                record_failed_login(user, now)
                db.session.commit()
            form.password.errors.append("账号或密码不正确。")
            return render_template("auth/login.html", form=form), 401
        user.last_login_at, user.failed_logins, user.locked_until = now, 0, None
        db.session.commit()
        session.clear()  # a fresh session on login: nothing from before carries over
        login_user(user)
        return redirect(_safe_next(request.args.get("next")) or home_url(user), 303)
    return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200


def record_failed_login(user: StaffUser, now) -> None:
    """Count a wrong password; too many in a row lock the account for a while."""
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        user.failed_logins = 0
        log.warning("staff account %s locked after repeated failed logins", user.id)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for(".login"), 303)
