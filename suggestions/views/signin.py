"""Staff login and logout."""

from __future__ import annotations

import functools
import hashlib
import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from suggestions import clock
from suggestions.extensions import db, limiter
from suggestions.forms import LoginForm
from suggestions.models import StaffUser
from suggestions.web.login import home_url
from suggestions.web.ratelimit import Throttle, minutes

bp = Blueprint("auth", __name__)


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
        who = (_account_key(form.username.data), get_remote_address())
        wait = LOGIN_FAILURES.attempt(*who)  # counted now; forgiven below if the password is right
        if wait:
            form.password.errors.append(f"登录失败次数过多，请 {minutes(wait)} 分钟后再试；忘记密码请联系管理员重置。")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.username == form.username.data))
        if not password_matches(user, form.password.data):
            form.password.errors.append("账号或密码不正确。")
            return render_template("auth/login.html", form=form), 401
        LOGIN_FAILURES.forgive(*who)
        user.last_login_at = clock.now()
        db.session.commit()
        session.clear()  # a fresh session on login: nothing from before carries over
        login_user(user)
        return redirect(_safe_next(request.args.get("next")) or home_url(user), 303)
    return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200


# Wrong passwords per (typed account, client address): one address guessing cannot lock the account for anyone
# else, and unknown accounts are counted exactly like known ones, so the answer says nothing about which exist.
LOGIN_FAILURES = Throttle("login-failures", "LOGIN_FAILURE_LIMITS")


def _account_key(username: str) -> str:
    # Hashed: people sometimes type their password into the account field.
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


@functools.cache
def _stand_in_hash() -> str:
    """A hash of nothing anyone types, made like real ones, checked when the account does not exist."""
    return generate_password_hash(secrets.token_urlsafe(16))


def password_matches(user: StaffUser | None, password: str) -> bool:
    """Whether ``password`` opens an active ``user``; the hash is always computed, so a missing or disabled
    account takes as long to refuse as a wrong password."""
    if user is None:
        check_password_hash(_stand_in_hash(), password)
        return False
    return user.check_password(password) and user.is_active


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        current_user.end_sessions()  # a copy of this session cookie (or any other) stops working too
        db.session.commit()
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for(".login"), 303)
