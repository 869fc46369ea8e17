"""The category -> department routing table."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for

from suggestions import services
from suggestions.auth import role_required
from suggestions.extensions import db
from suggestions.forms import CategoryRouteForm
from suggestions.models import Category, Department
from suggestions.views.admin import bp
from suggestions.views.triage.access import department_choices
from suggestions.workflow import Role


def _route_form(category: Category | None = None) -> CategoryRouteForm:
    form = CategoryRouteForm(department=category.department_id if category else None)
    form.department.choices = department_choices("（未配置，转人工分拨）")
    return form


@bp.route("/routing")
@role_required(Role.ADMIN)
def routing():
    categories = db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)).all()
    forms = {category.id: _route_form(category) for category in categories}
    return render_template("admin/routing.html", categories=categories, forms=forms)


@bp.route("/routing/<id:category_id>", methods=["POST"])
@role_required(Role.ADMIN)
def update_route(category_id: int):
    category = db.get_or_404(Category, category_id)
    form = _route_form()
    if not form.validate_on_submit():
        flash("请选择有效的承办部门。", "error")
        return redirect(url_for(".routing"), 303)
    department = db.session.get(Department, form.department.data) if form.department.data else None
    services.set_category_department(category, department)
    db.session.commit()
    flash(f"「{category.name}」现在派往「{department.name if department else '人工分拨'}」。", "success")
    return redirect(url_for(".routing"), 303)
