"""Each year's campaign, its ordered domains with default departments, and copying them into a new year."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for

from suggestions.campaign import taxonomy
from suggestions.extensions import db
from suggestions.forms import CampaignForm, CopyDomainsForm, DomainForm
from suggestions.models import Campaign, CampaignDomain, Department
from suggestions.views.admin import bp
from suggestions.views.triage.visibility import department_choices
from suggestions.web.login import role_required
from suggestions.workflow import Role, WorkflowError


def campaign_choices(placeholder: str, *, exclude: Campaign | None = None) -> list[tuple]:
    rows = db.session.scalars(sa.select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc()))
    return [(None, placeholder)] + [(c.id, f"{c.year}年 · {c.name}") for c in rows if c is not exclude]


@bp.route("/campaigns", methods=["GET", "POST"])
@bp.route("/campaigns/<id:row_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def campaigns(row_id: int | None = None):
    row = db.get_or_404(Campaign, row_id) if row_id else None
    form = CampaignForm(obj=row) if request.method == "GET" and row else CampaignForm()
    form.copy_from.choices = campaign_choices("不复制（稍后逐个添加）")
    if request.method == "GET" and row is None:
        latest = taxonomy.latest_campaign()
        form.copy_from.data = latest.id if latest else None
    if form.validate_on_submit():
        source = db.session.get(Campaign, form.copy_from.data) if form.copy_from.data and row is None else None
        saved = taxonomy.save_campaign(
            row,
            year=form.year.data,
            name=form.name.data,
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            copy_from=source,
        )
        db.session.commit()
        flash("征集活动已保存。" + (f"已复制{source.year}年的征集领域。" if source else ""), "success")
        return redirect(url_for(".domains", campaign_id=saved.id), 303)
    rows = db.session.scalars(sa.select(Campaign).order_by(Campaign.year.desc(), Campaign.opens_on.desc())).all()
    return render_template("admin/campaigns.html", form=form, rows=rows, editing=row), 400 if form.errors else 200


@bp.route("/campaigns/<id:campaign_id>/domains", methods=["GET", "POST"])
@bp.route("/campaigns/<id:campaign_id>/domains/<id:domain_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def domains(campaign_id: int, domain_id: int | None = None):
    """A campaign's domains in order: add, rename, set the default department and prediction signals, reorder,
    delete."""
    campaign = db.get_or_404(Campaign, campaign_id)
    editing = _domain_of(campaign, domain_id) if domain_id else None
    form = DomainForm(prefix="domain")
    form.default_department.choices = department_choices("未指定")
    if request.method == "GET" and editing:
        form.name.data, form.default_department.data = editing.name, editing.default_department_id
        for name, value in taxonomy.signals_of(editing).items():
            form[name].data = value
    copy = CopyDomainsForm(prefix="copy")
    copy.source.choices = campaign_choices("请选择", exclude=campaign)
    if form.validate_on_submit():
        department = db.session.get(Department, form.default_department.data) if form.default_department.data else None
        signals = {name: form[name].data or "" for name in taxonomy.SIGNALS}
        try:
            if editing:
                taxonomy.update_domain(editing, name=form.name.data, default_department=department, **signals)
            else:
                taxonomy.add_domain(campaign, form.name.data, department, **signals)
        except WorkflowError as exc:
            db.session.rollback()
            form.name.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"领域「{form.name.data}」已保存。", "success")
            return redirect(url_for(".domains", campaign_id=campaign.id), 303)
    return render_template(
        "admin/domains.html", campaign=campaign, form=form, copy=copy, editing=editing
    ), 400 if form.errors else 200


def _domain_of(campaign: Campaign, domain_id: int) -> CampaignDomain:
    domain = db.get_or_404(CampaignDomain, domain_id)
    if domain.campaign_id != campaign.id:
        abort(404)
    return domain


@bp.route("/campaigns/<id:campaign_id>/domains/<id:domain_id>/<any(up, down, delete):operation>", methods=["POST"])
@role_required(Role.ADMIN)
def domain_operation(campaign_id: int, domain_id: int, operation: str):
    campaign = db.get_or_404(Campaign, campaign_id)
    domain = _domain_of(campaign, domain_id)
    try:
        if operation == "delete":
            name = domain.name
            taxonomy.delete_domain(domain)
            flash(f"领域「{name}」已删除。", "success")
        else:
            taxonomy.move_domain(domain, -1 if operation == "up" else 1)
    except WorkflowError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".domains", campaign_id=campaign.id), 303)
    db.session.commit()
    return redirect(url_for(".domains", campaign_id=campaign.id), 303)


@bp.route("/campaigns/<id:campaign_id>/copy-domains", methods=["POST"])
@role_required(Role.ADMIN)
def copy_domains(campaign_id: int):
    """Add another year's domains (with their default departments) that this campaign lacks, in one step."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CopyDomainsForm(prefix="copy")
    form.source.choices = campaign_choices("请选择", exclude=campaign)
    if not form.validate_on_submit():
        flash("请选择要复制的年度。", "error")
        return redirect(url_for(".domains", campaign_id=campaign.id), 303)
    source = db.session.get(Campaign, form.source.data)
    added = taxonomy.copy_domains(source, campaign)
    db.session.commit()
    flash(f"已从{source.year}年复制 {added} 个领域。", "success")
    return redirect(url_for(".domains", campaign_id=campaign.id), 303)
