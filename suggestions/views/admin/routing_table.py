"""The category -> department routing table."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from suggestions.extensions import db
from suggestions.forms import CategoryRouteForm, DepartmentTypeForm, RoutingRuleForm
from suggestions.models import Category, Department, RoutingRule
from suggestions.routing.dispatch import set_category_department
from suggestions.views.admin import bp
from suggestions.views.triage.visibility import category_choices, department_choices
from suggestions.web import settings_admin as admin_services
from suggestions.web.login import role_required
from suggestions.workflow import Role, WorkflowError


def _route_form(category: Category | None = None) -> CategoryRouteForm:
    form = CategoryRouteForm(department=category.department_id if category else None)
    form.department.choices = department_choices("（未配置，转人工分拨）")
    return form


@bp.route("/routing")
@role_required(Role.ADMIN)
def routing():
    categories = db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)).all()
    forms = {category.id: _route_form(category) for category in categories}
    departments = db.session.scalars(
        sa.select(Department).order_by(Department.district_id.is_not(None), Department.district_id, Department.id)
    ).all()
    type_forms = {d.id: DepartmentTypeForm(handler_type=d.handler_type) for d in departments}
    return render_template(
        "admin/routing.html", categories=categories, forms=forms, departments=departments, type_forms=type_forms
    )


@bp.route("/departments/<id:department_id>/type", methods=["POST"])
@role_required(Role.ADMIN)
def update_department_type(department_id: int):
    department = db.get_or_404(Department, department_id)
    form = DepartmentTypeForm()
    if not form.validate_on_submit():
        flash("请选择有效的承办类型。", "error")
        return redirect(url_for(".routing"), 303)
    try:
        admin_services.set_department_type(department, form.handler_type.data)
    except WorkflowError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".routing"), 303)
    db.session.commit()
    flash(f"「{department.name}」的承办类型现在是「{department.handler_type}」。", "success")
    return redirect(url_for(".routing"), 303)


@bp.route("/routing/<id:category_id>", methods=["POST"])
@role_required(Role.ADMIN)
def update_route(category_id: int):
    category = db.get_or_404(Category, category_id)
    form = _route_form()
    if not form.validate_on_submit():
        flash("请选择有效的承办部门。", "error")
        return redirect(url_for(".routing"), 303)
    department = db.session.get(Department, form.department.data) if form.department.data else None
    set_category_department(category, department)
    db.session.commit()
    flash(f"「{category.name}」现在派往「{department.name if department else '人工分拨'}」。", "success")
    return redirect(url_for(".routing"), 303)


@bp.route("/rules", methods=["GET", "POST"])
@bp.route("/rules/<id:row_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def rules(row_id: int | None = None):
    row = db.get_or_404(RoutingRule, row_id) if row_id else None
    form = RoutingRuleForm(obj=row) if request.method == "GET" and row else RoutingRuleForm()
    if request.method == "GET" and row:
        form.department.data, form.category.data = row.department_id, row.category_id
    form.department.choices = department_choices()
    form.category.choices = category_choices("任何类别")
    if form.validate_on_submit():
        try:
            admin_services.save_routing_rule(
                row,
                name=form.name.data,
                keywords=form.keywords.data,
                excludes=form.excludes.data or "",
                department_id=form.department.data,
                category_id=form.category.data,
                priority=form.priority.data,
                is_active=form.is_active.data,
            )
        except WorkflowError as exc:
            db.session.rollback()
            form.keywords.errors.append(exc.message)
        else:
            db.session.commit()
            flash("分拨规则已保存，新提交的建议立即按新规则分拨。", "success")
            return redirect(url_for(".rules"), 303)
    rows = db.session.scalars(sa.select(RoutingRule).order_by(RoutingRule.priority, RoutingRule.id)).all()
    return render_template("admin/rules.html", form=form, rows=rows, editing=row), 400 if form.errors else 200
