"""Blueprints, one per audience."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from suggestions.views import admin, api, auth, hotline, public, stats, triage

    for module in (public, auth, hotline, triage, admin, stats, api):
        app.register_blueprint(module.bp)
