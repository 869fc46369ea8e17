"""Blueprints, one per audience."""

from flask import Flask
from werkzeug.routing import IntegerConverter

# Ids the database can hold; a longer number in a URL is simply not found (SQLite would overflow).
MAX_ID = 2**53


class IdConverter(IntegerConverter):
    regex = r"\d{1,16}"

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)


def register_blueprints(app: Flask) -> None:
    from suggestions.views import (
        admin,
        api,
        dashboard,
        display,
        hot,
        hotline,
        open311,
        posters,
        projects,
        public,
        signin,
        triage,
    )

    app.url_map.converters["id"] = IdConverter

    for module in (public, projects, posters, display, signin, hotline, triage, admin, dashboard, hot, api, open311):
        app.register_blueprint(module.bp)
