"""Machine-readable endpoints."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app

from suggestions.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.route("/health")
def health():
    """Report whether the database answers and a model is loaded (for load balancers)."""
    db.session.execute(sa.text("SELECT 1"))
    model = current_app.extensions["classifier"].get()
    return {"status": "ok", "model_version": model.version if model else None}
