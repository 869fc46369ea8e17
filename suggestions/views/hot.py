"""Hot issues for the campaign office: the ranking, one issue with its suggestions and decisions, per-domain themes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from classifier.topics import HEAT_EXPLANATION
from suggestions import clock
from suggestions.campaign.taxonomy import taxonomy_campaign
from suggestions.extensions import db
from suggestions.forms import LinkProjectForm, MergeAllForm, OptionalReasonForm, ReasonForm
from suggestions.hotissues import board, decisions, themes
from suggestions.models import Campaign, HotIssue, HotIssueEvent, Project, Suggestion
from suggestions.privacy.disclosure import record_audit
from suggestions.web.login import role_required
from suggestions.workflow import OPEN_STATUSES, Role, WorkflowError

bp = Blueprint("hot", __name__, url_prefix="/hot")

OFFICE = (Role.DISPATCHER, Role.ADMIN)
EVENT_LABELS = {
    "not_hot": "标记为非热点",
    "hot_again": "取消非热点标记",
    "link_project": "关联民心工程项目",
    "propose": "列入明年民心工程备选",
    "merge_all": "合并为一件工单",
}


def _campaign() -> Campaign | None:
    """The campaign chosen by ``?year=``, else the one whose domains apply today."""
    year = request.args.get("year", type=int)
    if year is not None:
        return db.session.scalar(sa.select(Campaign).where(Campaign.year == year).order_by(Campaign.id.desc()))
    return taxonomy_campaign(clock.local_today())


def _campaigns() -> list[Campaign]:
    return list(db.session.scalars(sa.select(Campaign).order_by(Campaign.year.desc())))


@bp.route("/", endpoint="board")
@role_required(*OFFICE)
def board_page():
    campaign = _campaign()
    page = max(request.args.get("page", 1, type=int), 1)
    show_not_hot = request.args.get("show") == "not_hot"
    cards, total = board.ranked(campaign.id, page=page, not_hot=show_not_hot) if campaign else ([], 0)
    return render_template(
        "hot/board.html",
        campaign=campaign,
        campaigns=_campaigns(),
        cards=cards,
        total=total,
        page=page,
        pages=max(1, -(-total // board.PER_PAGE)),
        first_rank=(page - 1) * board.PER_PAGE + 1,
        show_not_hot=show_not_hot,
        explanation=HEAT_EXPLANATION,
    )


def _issue(issue_id: int) -> HotIssue:
    issue = db.session.get(HotIssue, issue_id)
    if issue is None:
        abort(404)
    return issue


def _forms(issue: HotIssue, members) -> dict:
    link = LinkProjectForm(prefix="link")
    campaign = db.session.get(Campaign, issue.campaign_id)
    projects = db.session.scalars(
        sa.select(Project).where(Project.year >= campaign.year).order_by(Project.year.desc(), Project.number)
    ).all()
    link.project.choices = [(None, "请选择")] + [(p.id, f"{p.year}年第{p.number}项 {p.title}") for p in projects]
    merge = MergeAllForm(prefix="merge")
    merge.master.choices = [(None, "请选择")] + [
        (s.id, f"{s.tracking_code} {s.title or s.body[:20]}")
        for s in members
        if s.status in OPEN_STATUSES and s.merged_into_id is None
    ]
    return {
        "not_hot": ReasonForm(prefix="nothot"),
        "hot_again": OptionalReasonForm(prefix="hotagain"),
        "link": link,
        "propose": OptionalReasonForm(prefix="propose"),
        "merge": merge,
    }


def _render_detail(issue: HotIssue, forms: dict | None = None, status: int = 200):
    members = decisions.members(issue)
    forms = forms or _forms(issue, members)
    events = db.session.scalars(
        sa.select(HotIssueEvent).where(HotIssueEvent.issue_id == issue.id).order_by(HotIssueEvent.id.desc())
    ).all()
    campaign = db.session.get(Campaign, issue.campaign_id)
    return (
        render_template(
            "hot/detail.html",
            issue=issue,
            card=board.cards([issue])[0],
            members=members,
            forms=forms,
            events=events,
            event_labels=EVENT_LABELS,
            campaign=campaign,
            explanation=HEAT_EXPLANATION,
        ),
        status,
    )


@bp.route("/<id:issue_id>")
@role_required(*OFFICE)
def detail(issue_id: int):
    return _render_detail(_issue(issue_id))


@bp.route("/<id:issue_id>/<any(not_hot, hot_again, link, propose, merge):verb>", methods=["POST"])
@role_required(*OFFICE)
def act(issue_id: int, verb: str):
    """The one POST handler of an issue's decisions: validate the form, call the verb, commit, say what happened."""
    issue = _issue(issue_id)
    forms = _forms(issue, decisions.members(issue))
    form = forms[verb]
    if form.validate_on_submit():
        try:
            message = _apply(issue, verb, form)
        except WorkflowError as refused:
            db.session.rollback()
            issue = _issue(issue_id)
            forms = _forms(issue, decisions.members(issue))
            forms[verb].process(request.form)
            forms[verb].form_errors.append(str(refused))
            return _render_detail(issue, forms, 400)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for(".detail", issue_id=issue_id), 303)
    return _render_detail(issue, forms, 400)


def _apply(issue: HotIssue, verb: str, form) -> str:
    reason = form.reason.data or ""
    if verb == "not_hot":
        decisions.mark_not_hot(issue, actor=current_user, reason=reason)
        return "已标记为非热点，该问题不再出现在热点排行中。"
    if verb == "hot_again":
        decisions.mark_not_hot(issue, actor=current_user, reason=reason, not_hot=False)
        return "已取消非热点标记。"
    if verb == "link":
        project = db.session.get(Project, form.project.data)
        if project is None:
            raise WorkflowError("所选项目不存在。")
        decisions.link_project(issue, project, actor=current_user, reason=reason)
        return f"已关联项目：{project.title}。"
    if verb == "propose":
        decisions.propose(issue, actor=current_user, reason=reason)
        return f"已列入{issue.proposed_year}年民心工程备选。"
    master = db.session.get(Suggestion, form.master.data)
    if master is None:
        raise WorkflowError("所选主件不存在。")
    outcome = decisions.merge_all(issue, master, actor=current_user, reason=reason)
    skipped = f"，{len(outcome.skipped)} 件已办结或不能并单，未动" if outcome.skipped else ""
    return f"已将 {len(outcome.merged)} 件建议并入 {master.tracking_code}{skipped}；每位市民仍能看到答复并接受回访。"


@bp.route("/themes")
@role_required(*OFFICE)
def themes_page():
    campaign = _campaign()
    table = themes.by_domain(campaign) if campaign else {}
    return render_template(
        "hot/themes.html", campaign=campaign, campaigns=_campaigns(), table=table, columns=themes.COLUMNS
    )


@bp.route("/themes/export.csv")
@role_required(*OFFICE)
def themes_csv():
    campaign = _campaign()
    if campaign is None:
        abort(404)
    text = themes.csv_text(themes.by_domain(campaign))
    record_audit(current_user, "export_themes", details={"year": campaign.year})
    db.session.commit()
    response = Response(text, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename=hot-themes-{campaign.year}.csv"
    response.headers["Cache-Control"] = "no-store"
    return response
