"""Statistics for the campaign office."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request

from suggestions import clock
from suggestions.campaign import taxonomy
from suggestions.insight import metrics
from suggestions.views.common import year_argument
from suggestions.web.login import role_required
from suggestions.workflow import Role

bp = Blueprint("stats", __name__, url_prefix="/stats")

PERIODS = {"7": "近7天", "30": "近30天", "90": "近90天", "365": "近一年"}


@bp.route("/")
@role_required(Role.DISPATCHER, Role.ADMIN)
def overview():
    period = request.args.get("days", "30")
    period = period if period in PERIODS else "30"
    now = clock.now()
    since = now - timedelta(days=int(period))
    years = taxonomy.campaign_years()
    year = year_argument()
    year = year if year in years else (years[0] if years else None)
    return render_template(
        "stats/overview.html",
        rows=metrics.department_stats(since, now),
        totals=metrics.campaign_totals(since),
        routing=metrics.routing_totals(since),
        period=period,
        periods=PERIODS,
        weight=metrics.BASICALLY_SATISFIED_WEIGHT,
        year=year,
        years=years,
        domains=metrics.by_domain(year),
        districts=metrics.by_district(year),
        channels=metrics.by_channel(year),
        per_year=metrics.by_year(),
        posters=metrics.by_poster(year),
        projects=metrics.by_project(year),
    )
