"""The suggestion page: content, route, deadlines, timeline, replies, notes and the actions allowed now."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from suggestions import casework
from suggestions.extensions import db
from suggestions.insight import queues
from suggestions.insight.similarity import similar_suggestions
from suggestions.models import ReplyTemplate, Suggestion
from suggestions.routing.handlers import stored_candidates
from suggestions.views.common import active_categories, active_departments
from suggestions.views.triage import bp
from suggestions.views.triage.registry import panels_for
from suggestions.views.triage.visibility import STAFF, visible_suggestion
from suggestions.web.login import role_required
from suggestions.workflow import Role

SIMILAR_DAYS = 90


def reply_templates(suggestion: Suggestion) -> list[ReplyTemplate]:
    """Templates for this item's category and state, and the general ones."""
    return list(
        db.session.scalars(
            sa.select(ReplyTemplate)
            .where(
                ReplyTemplate.is_active,
                sa.or_(ReplyTemplate.category_id.is_(None), ReplyTemplate.category_id == suggestion.category_id),
                sa.or_(ReplyTemplate.status.is_(None), ReplyTemplate.status == suggestion.status),
            )
            .order_by(ReplyTemplate.category_id.is_(None), ReplyTemplate.name)
        )
    )


def related(suggestion: Suggestion) -> tuple[list, list]:
    """Similar recent items (most similar first, with their score) and the same caller's earlier ones, for staff
    outside the departments."""
    if current_user.role == Role.OFFICER:
        return [], []
    words = queues.key_words(
        [word for word, _ in suggestion.prediction_explanation or []], suggestion.title or suggestion.body[:60]
    )
    since = suggestion.received_at - timedelta(days=SIMILAR_DAYS)
    similar = similar_suggestions(f"{suggestion.title} {suggestion.body}", words, exclude_id=suggestion.id, since=since)
    earlier = (
        db.session.scalars(queues.earlier_calls(suggestion.phone_hash, exclude_id=suggestion.id)).all()
        if suggestion.phone_hash
        else []
    )
    return similar, earlier


def render_detail(suggestion: Suggestion, queue: str, *, failed=None, refusal: str | None = None, status: int = 200):
    """The item page; ``failed`` is a submitted action form to show again with its errors and the typed text."""
    panels = panels_for(suggestion, current_user)
    forms = {action.name: action.build_form(suggestion) for action in panels}
    failed_name = None
    if failed is not None:
        failed_name = failed._prefix.rstrip("-")
        if failed_name in forms:
            forms[failed_name] = failed
    similar, earlier = related(suggestion)
    return render_template(
        "triage/detail.html",
        suggestion=suggestion,
        queue=queue if queue in (*queues.NAMED_QUEUES, "department") else "",
        events=db.session.scalars(queues.timeline(suggestion.id)).all(),
        replies=db.session.scalars(queues.public_replies(suggestion)).all(),
        notes=db.session.scalars(queues.notes(suggestion.id)).all(),
        children=db.session.scalars(queues.merged_children(suggestion.id)).all(),
        extension=casework.pending_extension(suggestion),
        categories={c.code: c for c in active_categories()},
        department_candidates=stored_candidates(suggestion, {d.id: d for d in active_departments()}),
        panels=panels,
        forms=forms,
        failed=failed_name,
        refusal=refusal,
        templates=reply_templates(suggestion) if current_user.role == Role.OFFICER else [],
        similar=similar,
        earlier=earlier,
    ), status


@bp.route("/suggestions/<id:suggestion_id>")
@role_required(*STAFF)
def detail(suggestion_id: int):
    return render_detail(visible_suggestion(suggestion_id), request.args.get("queue", ""))
