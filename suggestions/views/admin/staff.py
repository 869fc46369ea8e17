"""Staff accounts: create, and deactivate or reactivate."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from suggestions.extensions import db
from suggestions.forms import ActionForm, StaffForm
from suggestions.models import Department, StaffUser
from suggestions.views.admin import bp
from suggestions.views.triage.visibility import department_choices
from suggestions.web import settings_admin as admin_services
from suggestions.web.login import role_required
from suggestions.workflow import Role, WorkflowError


@bp.route("/staff", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def staff():
    form = StaffForm()
    form.department.choices = department_choices("无")
    if form.validate_on_submit():
        department = db.session.get(Department, form.department.data) if form.department.data else None
        try:
            admin_services.create_staff(
                username=form.username.data,
                display_name=form.display_name.data,
                role=Role(form.role.data),
                department=department,
                password=form.password.data,
            )
        except WorkflowError as exc:
            db.session.rollback()
            form.username.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"账号 {form.username.data} 已创建。", "success")
            return redirect(url_for(".staff"), 303)
    users = db.session.scalars(sa.select(StaffUser).order_by(StaffUser.role, StaffUser.username)).all()
    return render_template("admin/staff.html", form=form, users=users, toggle=ActionForm()), (
        400 if form.errors else 200
    )


@bp.route("/staff/<id:user_id>/toggle", methods=["POST"])
@role_required(Role.ADMIN)
def toggle_staff(user_id: int):
    user = db.get_or_404(StaffUser, user_id)
    if ActionForm().validate_on_submit():
        try:
            admin_services.set_staff_active(user, not user.is_active, actor=current_user)
        except WorkflowError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"账号 {user.username} 已{'启用' if user.is_active else '停用'}。", "success")
    return redirect(url_for(".staff"), 303)
