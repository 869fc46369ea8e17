"""Statistics for the campaign office: the dashboard, and each of its tables as CSV and XLSX."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from markupsafe import Markup

from suggestions import clock
from suggestions.campaign import taxonomy
from suggestions.insight import dashboard as dashboards
from suggestions.insight import metrics
from suggestions.views.common import year_argument
from suggestions.web.downloads import csv_response, xlsx_response
from suggestions.web.login import role_required
from suggestions.workflow import Role

bp = Blueprint("stats", __name__, url_prefix="/stats")
ALL_YEARS = "all"


def _scope() -> metrics.Scope:
    """The campaign year (default: every year, hotline calls outside a campaign included) and the domain asked
    for; a year outside 2000–2100 is refused (400), a year or domain without a campaign is ignored."""
    years = taxonomy.campaign_years()
    asked = None if request.args.get("year") == ALL_YEARS else year_argument()
    year = asked if asked in years else None
    domain = request.args.get("domain", "")
    if domain not in (metrics.NO_DOMAIN, *taxonomy.domain_names()):
        domain = ""
    return metrics.Scope(year, domain)


@bp.route("/")
@role_required(Role.DISPATCHER, Role.ADMIN)
def overview():
    scope = _scope()
    board = dashboards.dashboard(scope, clock.now())
    shared = {"scope": scope, "year_arg": ALL_YEARS if scope.year is None else scope.year}
    if board.html is None:
        # Hundreds of table cells and chart marks: drawn once per computed dashboard, not per request.
        board.html = Markup(
            render_template("stats/_board.html", board=board, weight=metrics.BASICALLY_SATISFIED_WEIGHT, **shared)
        )
    return render_template(
        "stats/overview.html",
        board_html=board.html,
        years=taxonomy.campaign_years(),
        domains=taxonomy.domain_names(),
        all_years=ALL_YEARS,
        no_domain=metrics.NO_DOMAIN,
        **shared,
    )


@bp.route("/export/<key>.<fmt>")
@role_required(Role.DISPATCHER, Role.ADMIN)
def download(key: str, fmt: str):
    """One table of the dashboard, as the page shows it for the same year and domain."""
    scope = _scope()
    table = dashboards.dashboard(scope, clock.now()).tables.get(key)
    if table is None or fmt not in ("csv", "xlsx"):
        abort(404)
    name = "-".join(
        part
        for part in ("金点子统计", table.caption, f"{scope.year}年" if scope.year else "全部年度", scope.domain)
        if part
    )
    if fmt == "csv":
        return csv_response(table.columns, table.rows, name)
    return xlsx_response(table.caption, table.columns, table.rows, name)
