"""Public pages of the livelihood projects: a year's list and one project with the ideas that fed it.

Nothing personal is shown: an idea appears only as the title and excerpt a dispatcher approved for publication;
ideas without an approved excerpt are only counted.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, url_for

from suggestions import clock
from suggestions.campaign import projects as project_services
from suggestions.extensions import db
from suggestions.models import Project

bp = Blueprint("projects", __name__, url_prefix="/projects")


def default_year() -> int:
    """The latest year with projects; without any, next year (what this year's call picks)."""
    years = project_services.project_years()
    return years[0] if years else clock.local_today().year + 1


@bp.route("/")
def index():
    return redirect(url_for(".year_list", year=default_year()), 302)


@bp.route("/<int:year>")
def year_list(year: int):
    if not 2000 <= year <= 2100:
        abort(404)
    rows = db.session.scalars(project_services.projects_of_year(year)).all()
    return render_template(
        "projects/year.html",
        year=year,
        rows=rows,
        fed=project_services.fed_counts([p.id for p in rows]),
        years=project_services.project_years(),
    )


@bp.route("/<int:year>/<int:number>")
def detail(year: int, number: int):
    if not (2000 <= year <= 2100 and 1 <= number <= 99):  # the ranges projects are created with; no query beyond
        abort(404)
    project = db.session.scalar(sa.select(Project).where(Project.year == year, Project.number == number))
    if project is None:
        abort(404)
    ideas = db.session.scalars(project_services.published_ideas(project)).all()
    fed = project_services.fed_counts([project.id]).get(project.id, 0)
    return render_template("projects/detail.html", project=project, ideas=ideas, fed=fed)
