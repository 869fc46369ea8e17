"""Administration: routing table, time limits, calendar, reply templates, campaigns, projects, staff."""

from flask import Blueprint, render_template

from suggestions import clock
from suggestions.web.login import role_required
from suggestions.workflow import Role
from suggestions.workflow.workdays import years_needing_setup

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    return render_template("admin/index.html", missing_years=years_needing_setup(clock.local_today()))


from suggestions.views.admin import (  # noqa: E402,F401  (routes register on bp)
    api_keys,
    audit,
    campaign,
    content,
    imports,
    projects,
    routing_table,
    settings,
    staff,
    versions,
)
