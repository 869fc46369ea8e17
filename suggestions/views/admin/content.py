"""Reply templates, campaigns and the livelihood projects adopted suggestions are linked to."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from suggestions.extensions import db
from suggestions.forms import CampaignForm, ProjectForm, ReplyTemplateForm
from suggestions.models import Campaign, Project, ReplyTemplate
from suggestions.views.admin import bp
from suggestions.views.triage.visibility import category_choices, department_choices
from suggestions.web import settings_admin as admin_services
from suggestions.web.login import role_required
from suggestions.workflow import Role, Status, WorkflowError


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


@bp.route("/campaigns", methods=["GET", "POST"])
@bp.route("/campaigns/<id:row_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def campaigns(row_id: int | None = None):
    row = db.get_or_404(Campaign, row_id) if row_id else None
    form = CampaignForm(obj=row) if request.method == "GET" and row else CampaignForm()
    if request.method == "GET" and row:
        form.topics.data = "、".join(row.topics)
    if form.validate_on_submit():
        admin_services.save_campaign(
            row,
            year=form.year.data,
            name=form.name.data,
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            topics=form.topic_list(),
        )
        db.session.commit()
        flash("征集活动已保存。", "success")
        return redirect(url_for(".campaigns"), 303)
    rows = db.session.scalars(sa.select(Campaign).order_by(Campaign.opens_on.desc())).all()
    return render_template("admin/campaigns.html", form=form, rows=rows, editing=row), 400 if form.errors else 200


@bp.route("/projects", methods=["GET", "POST"])
@bp.route("/projects/<id:row_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def projects(row_id: int | None = None):
    row = db.get_or_404(Project, row_id) if row_id else None
    form = ProjectForm(obj=row) if request.method == "GET" and row else ProjectForm()
    if request.method == "GET" and row:
        form.lead_department.data = row.lead_department_id
    form.lead_department.choices = department_choices("未指定")
    if form.validate_on_submit():
        try:
            admin_services.save_project(
                row,
                year=form.year.data,
                number=form.number.data,
                title=form.title.data,
                lead_department_id=form.lead_department.data,
            )
        except WorkflowError as exc:
            db.session.rollback()
            form.number.errors.append(exc.message)
        else:
            db.session.commit()
            flash("民心工程项目已保存。", "success")
            return redirect(url_for(".projects"), 303)
    rows = db.session.scalars(sa.select(Project).order_by(Project.year.desc(), Project.number)).all()
    return render_template("admin/projects.html", form=form, rows=rows, editing=row), 400 if form.errors else 200
