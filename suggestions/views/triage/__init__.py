"""Staff work: queues, the suggestion page and its actions (dispatchers, officers, operators)."""

from flask import Blueprint

bp = Blueprint("triage", __name__)

from suggestions.views.triage import actions, detail, export, lists  # noqa: E402,F401  (routes register on bp)
