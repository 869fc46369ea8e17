"""Time limits and the working-day calendar."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for

from suggestions import clock
from suggestions.extensions import db
from suggestions.forms import ActionForm, CalendarDayForm, TimeLimitForm
from suggestions.models import CalendarDay, TimeLimit
from suggestions.views.admin import bp
from suggestions.views.common import year_argument
from suggestions.views.triage.visibility import category_choices
from suggestions.web import settings_admin as admin_services
from suggestions.web.login import role_required
from suggestions.workflow import Role, Step, TimeUnit, Urgency
from suggestions.workflow.workdays import package_covers, package_holidays


def _limit_form() -> TimeLimitForm:
    form = TimeLimitForm()
    form.category.choices = category_choices("全部类别")
    return form


@bp.route("/time-limits", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def time_limits():
    form = _limit_form()
    if form.validate_on_submit():
        admin_services.save_time_limit(
            Step(form.step.data),
            form.category.data,
            Urgency(form.urgency.data) if form.urgency.data else None,
            form.amount.data,
            TimeUnit(form.unit.data),
        )
        db.session.commit()
        flash("时限已保存，新派单的工单按新时限计算。", "success")
        return redirect(url_for(".time_limits"), 303)
    rows = db.session.scalars(sa.select(TimeLimit).order_by(TimeLimit.step, TimeLimit.category_id, TimeLimit.urgency))
    return render_template(
        "admin/time_limits.html", form=form, rows=rows.all(), delete_form=ActionForm()
    ), 400 if form.errors else 200


@bp.route("/time-limits/<id:row_id>/delete", methods=["POST"])
@role_required(Role.ADMIN)
def delete_time_limit(row_id: int):
    if ActionForm().validate_on_submit():
        admin_services.delete_time_limit(db.get_or_404(TimeLimit, row_id))
        db.session.commit()
        flash("已删除该时限，将使用更通用的设置。", "success")
    return redirect(url_for(".time_limits"), 303)


@bp.route("/calendar", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def calendar():
    form = CalendarDayForm()
    year = year_argument() or clock.local_today().year
    if form.validate_on_submit():
        days = form.days()
        admin_services.set_calendar_days(days, form.is_workday.data == "1", form.note.data)
        db.session.commit()
        if len(days) == 1:
            flash(f"{days[0]:%Y-%m-%d} 已保存。", "success")
        else:
            flash(f"{days[0]:%Y-%m-%d} 至 {days[-1]:%Y-%m-%d}（{len(days)} 天）已保存。", "success")
        return redirect(url_for(".calendar", year=days[0].year), 303)
    rows = db.session.scalars(
        sa.select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    ).all()
    return render_template(
        "admin/calendar.html",
        form=form,
        rows=rows,
        year=year,
        covered=package_covers(year),
        holidays=package_holidays(year),
        delete_form=ActionForm(),
    ), 400 if form.errors else 200


@bp.route("/calendar/<day>/delete", methods=["POST"])
@role_required(Role.ADMIN)
def delete_calendar_day(day: str):
    try:
        row = db.get_or_404(CalendarDay, date.fromisoformat(day))
    except ValueError:
        return redirect(url_for(".calendar"), 303)
    if ActionForm().validate_on_submit():
        admin_services.delete_calendar_day(row)
        db.session.commit()
        flash("已删除。", "success")
    return redirect(url_for(".calendar", year=row.day.year), 303)
