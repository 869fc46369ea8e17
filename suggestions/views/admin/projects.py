"""The livelihood projects (number, domain, departments, status), their milestones, and the QR posters."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from suggestions.campaign import projects as project_services
from suggestions.extensions import db
from suggestions.forms import MilestoneForm, PosterForm, ProjectForm
from suggestions.models import Campaign, CampaignDomain, Department, Project, ProjectMilestone, QrPoster
from suggestions.views.admin import bp
from suggestions.views.admin.campaign import campaign_choices
from suggestions.views.common import active_departments, district_choices, year_argument
from suggestions.views.triage.visibility import department_choices
from suggestions.web.login import role_required
from suggestions.workflow import ProjectStatus, Role, WorkflowError


def _domain_choices() -> list[tuple]:
    rows = db.session.execute(
        sa.select(CampaignDomain.id, CampaignDomain.name, Campaign.year)
        .join(Campaign, Campaign.id == CampaignDomain.campaign_id)
        .order_by(Campaign.year.desc(), CampaignDomain.position, CampaignDomain.id)
    )
    return [(None, "未指定")] + [(domain_id, f"{year}年征集 · {name}") for domain_id, name, year in rows]


def _project_form(row: Project | None) -> ProjectForm:
    form = ProjectForm(obj=row, prefix="project") if request.method == "GET" and row else ProjectForm(prefix="project")
    form.campaign.choices = campaign_choices("请选择")
    form.domain.choices = _domain_choices()
    form.lead_department.choices = department_choices("未指定")
    form.co_departments.choices = [(d.id, d.name) for d in active_departments()]
    if request.method == "GET" and row:
        form.campaign.data, form.domain.data = row.campaign_id, row.domain_id
        form.lead_department.data, form.status.data = row.lead_department_id, row.status.value
        form.co_departments.data = [d.id for d in row.co_departments]
    return form


@bp.route("/projects", methods=["GET", "POST"])
@bp.route("/projects/<id:row_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def projects(row_id: int | None = None):
    row = db.get_or_404(Project, row_id) if row_id else None
    form = _project_form(row)
    if form.validate_on_submit():
        try:
            saved = project_services.save_project(
                row,
                campaign=db.session.get(Campaign, form.campaign.data),
                year=form.year.data,
                number=form.number.data,
                title=form.title.data,
                domain=db.session.get(CampaignDomain, form.domain.data) if form.domain.data else None,
                lead_department=db.session.get(Department, form.lead_department.data)
                if form.lead_department.data
                else None,
                co_departments=[db.session.get(Department, i) for i in form.co_departments.data or []],
                status=ProjectStatus(form.status.data),
                summary=form.summary.data or "",
            )
        except WorkflowError as exc:
            db.session.rollback()
            form.number.errors.append(exc.message)
        else:
            db.session.commit()
            flash("民心工程项目已保存。", "success")
            return redirect(url_for(".milestones", project_id=saved.id), 303)
    years = project_services.project_years()
    year = year_argument() or (row.year if row else (years[0] if years else None))
    rows = db.session.scalars(project_services.projects_of_year(year)).all() if year else []
    return render_template(
        "admin/projects.html", form=form, rows=rows, editing=row, years=years, year=year
    ), 400 if form.errors else 200


@bp.route("/projects/<id:project_id>/milestones", methods=["GET", "POST"])
@bp.route("/projects/<id:project_id>/milestones/<id:milestone_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def milestones(project_id: int, milestone_id: int | None = None):
    """A project's dated milestones and public progress notes; residents linked to it hear of each change."""
    project = db.get_or_404(Project, project_id)
    editing = db.get_or_404(ProjectMilestone, milestone_id) if milestone_id else None
    if editing is not None and editing.project_id != project.id:
        abort(404)
    form = MilestoneForm(obj=editing) if request.method == "GET" and editing else MilestoneForm()
    if form.validate_on_submit():
        change = project_services.MilestoneChange(
            form.due_on.data, form.title.data, form.progress_note.data or "", form.done_on.data
        )
        project_services.save_milestone(project, editing, change)
        db.session.commit()
        flash("项目节点已保存，已通知建议被纳入该项目的市民。", "success")
        return redirect(url_for(".milestones", project_id=project.id), 303)
    return render_template(
        "admin/milestones.html", project=project, form=form, editing=editing
    ), 400 if form.errors else 200


@bp.route("/projects/<id:project_id>/milestones/<id:milestone_id>/delete", methods=["POST"])
@role_required(Role.ADMIN)
def delete_milestone(project_id: int, milestone_id: int):
    milestone = db.get_or_404(ProjectMilestone, milestone_id)
    if milestone.project_id != project_id:
        abort(404)
    project_services.delete_milestone(milestone)
    db.session.commit()
    flash("节点已删除。", "success")
    return redirect(url_for(".milestones", project_id=project_id), 303)


@bp.route("/posters", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def posters():
    """QR posters: each location gets its own code, so the statistics show where suggestions were scanned."""
    form = PosterForm()
    form.district.choices = district_choices(placeholder="不预选")
    if form.validate_on_submit():
        poster = QrPoster(location=form.location.data, district_id=form.district.data, created_by_id=current_user.id)
        db.session.add(poster)
        db.session.commit()
        flash(f"已创建海报「{poster.location}」，可打印。", "success")
        return redirect(url_for(".posters"), 303)
    rows = db.session.scalars(sa.select(QrPoster).order_by(QrPoster.id.desc())).all()
    return render_template("admin/posters.html", form=form, rows=rows), 400 if form.errors else 200


@bp.route("/posters/<id:poster_id>/toggle", methods=["POST"])
@role_required(Role.ADMIN)
def toggle_poster(poster_id: int):
    poster = db.get_or_404(QrPoster, poster_id)
    poster.is_active = not poster.is_active
    db.session.commit()
    return redirect(url_for(".posters"), 303)
