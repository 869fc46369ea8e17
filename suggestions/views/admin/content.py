"""Reply templates offered to officers."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from suggestions.extensions import db
from suggestions.forms import ReplyTemplateForm
from suggestions.models import ReplyTemplate
from suggestions.views.admin import bp
from suggestions.views.triage.visibility import category_choices
from suggestions.web import settings_admin as admin_services
from suggestions.web.login import role_required
from suggestions.workflow import Role, Status


@bp.route("/reply-templates", methods=["GET", "POST"])
@bp.route("/reply-templates/<id:row_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def reply_templates(row_id: int | None = None):
    row = db.get_or_404(ReplyTemplate, row_id) if row_id else None
    form = ReplyTemplateForm(obj=row) if request.method == "GET" and row else ReplyTemplateForm()
    if request.method == "GET" and row:
        form.category.data, form.status.data = row.category_id, row.status.value if row.status else ""
    form.category.choices = category_choices("全部类别")
    if form.validate_on_submit():
        admin_services.save_reply_template(
            row,
            name=form.name.data,
            body=form.body.data,
            category_id=form.category.data,
            status=Status(form.status.data) if form.status.data else None,
            is_active=form.is_active.data,
        )
        db.session.commit()
        flash("答复模板已保存。", "success")
        return redirect(url_for(".reply_templates"), 303)
    rows = db.session.scalars(sa.select(ReplyTemplate).order_by(ReplyTemplate.id)).all()
    return render_template("admin/reply_templates.html", form=form, rows=rows, editing=row), (
        400 if form.errors else 200
    )
