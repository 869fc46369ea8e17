"""Staff accounts: create, edit (name, role, department), reset a password, and deactivate (after a
confirmation) or reactivate."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from suggestions.extensions import db
from suggestions.forms import ActionForm, ConfirmForm, PasswordResetForm, StaffEditForm, StaffForm
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


@bp.route("/staff/<id:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_staff(user_id: int):
    """One account: change its name, role and department (``form=edit``), or set a new password (``form=reset``)."""
    user = db.get_or_404(StaffUser, user_id)
    edit = StaffEditForm(prefix="edit")
    edit.department.choices = department_choices("无")
    reset = PasswordResetForm(prefix="reset")
    if request.method == "GET":
        edit.display_name.data, edit.role.data, edit.department.data = (
            user.display_name,
            user.role.value,
            user.department_id,
        )
        return render_template("admin/staff_edit.html", user=user, edit=edit, reset=reset)
    submitted = {"edit": edit, "reset": reset}.get(request.form.get("form", ""))
    if submitted is None:
        abort(400)
    if submitted.validate_on_submit():
        try:
            if submitted is edit:
                department = db.session.get(Department, edit.department.data) if edit.department.data else None
                role = Role(edit.role.data)
                admin_services.update_staff(
                    user, display_name=edit.display_name.data, role=role, department=department, actor=current_user
                )
                message = f"账号 {user.username} 的信息已保存。"
            else:
                admin_services.reset_staff_password(user, reset.password.data, actor=current_user)
                message = f"账号 {user.username} 的密码已重设：该账号在各设备上的登录均已失效，请用新密码重新登录。"
        except WorkflowError as exc:
            db.session.rollback()
            edit.role.errors = [*edit.role.errors, exc.message]
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for(".staff"), 303)
    return render_template("admin/staff_edit.html", user=user, edit=edit, reset=reset), 400


@bp.route("/staff/<id:user_id>/toggle", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def toggle_staff(user_id: int):
    """停用 goes through a confirmation page that says what it does; 启用 needs none."""
    user = db.get_or_404(StaffUser, user_id)
    if request.method == "GET":
        if not user.is_active:
            return redirect(url_for(".staff"), 303)
        return render_template("admin/staff_confirm.html", user=user, form=ConfirmForm())
    form = ConfirmForm() if user.is_active else ActionForm()
    if not form.validate_on_submit():
        flash("请在确认页面确认后再停用账号。", "error")
        return redirect(url_for(".toggle_staff", user_id=user.id), 303)
    try:
        admin_services.set_staff_active(user, not user.is_active, actor=current_user)
    except WorkflowError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"账号 {user.username} 已{'启用' if user.is_active else '停用'}。", "success")
    return redirect(url_for(".staff"), 303)
