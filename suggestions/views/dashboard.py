"""Statistics for the campaign office."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request

from suggestions import clock
from suggestions.insight import metrics
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
    return render_template(
        "stats/overview.html",
        rows=metrics.department_stats(since, now),
        totals=metrics.campaign_totals(since),
        routing=metrics.routing_totals(since),
        period=period,
        periods=PERIODS,
        weight=metrics.BASICALLY_SATISFIED_WEIGHT,
    )
