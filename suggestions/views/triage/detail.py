"""The suggestion page: content, route, deadlines, timeline, replies, notes and the actions allowed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user

from suggestions import forms, queues, services
from suggestions.auth import role_required
from suggestions.extensions import db
from suggestions.handler_routing import stored_candidates
from suggestions.models import ReplyTemplate
from suggestions.views.common import active_categories, active_departments
from suggestions.views.triage import bp
from suggestions.views.triage.access import STAFF, visible_suggestion
from suggestions.views.triage.actions import ACTION_VIEWS
from suggestions.workflow import Action, Role, Status, available_actions

# Which panel (and POST route) offers each action; several actions share one panel.
PANEL_FOR_ACTION = {
    Action.DISPATCH: "dispatch",
    Action.REDISPATCH: "dispatch",
    Action.REJECT: "reject",
    Action.MERGE: "merge",
    Action.SIGN: "sign",
    Action.RETURN: "return",
    Action.START: "start",
    Action.ASSIGN: "assign",
    Action.INTERIM_REPLY: "interim_reply",
    Action.REPLY: "reply",
    Action.REQUEST_EXTENSION: "request_extension",
    Action.APPROVE_EXTENSION: "approve_extension",
    Action.DENY_EXTENSION: "deny_extension",
    Action.APPROVE_REPLY: "approve_reply",
    Action.CLOSE_WITHOUT_CALLBACK: "approve_reply",
    Action.SEND_BACK: "send_back",
    Action.CALLBACK_SATISFIED: "callback",
    Action.MERGED_CALLBACK: "callback",
    Action.ADOPT: "adoption",
    Action.CORRECT_ROUTE: "correct_route",
    Action.NOTE: "note",
    Action.REVEAL_CONTACT: "reveal",
    Action.REVEAL_TEXT: "reveal_text",
}
REVEAL_PANELS = ("reveal", "reveal_text")


def panels_for(suggestion) -> list[str]:
    """The action panels the current user gets for this item, in table order, without repeats."""
    panels: list[str] = []
    for rule in available_actions(suggestion.status, current_user.role.value):
        panel = PANEL_FOR_ACTION.get(rule.action)
        if panel and panel not in panels:
            panels.append(panel)
    if suggestion.status == Status.MERGED and (
        suggestion.callback_result is not None or not services.answered(suggestion)
    ):
        panels = [p for p in panels if p != "callback"]
    if not suggestion.has_phone or (suggestion.confidential and current_user.role == Role.OFFICER):
        panels = [p for p in panels if p != "reveal"]
    if suggestion.body_sealed is None:
        panels = [p for p in panels if p != "reveal_text"]
    if suggestion.designated:
        panels = [p for p in panels if p != "return"]
    return panels


def action_forms(suggestion, panels: list[str]) -> dict[str, object]:
    """One form per panel, prefixed with the panel's name so ids stay unique on the page."""
    built = {}
    for panel in panels:
        if panel in REVEAL_PANELS:
            built[panel] = forms.RevealForm(prefix=panel)
            continue
        view = ACTION_VIEWS[panel]
        built[panel] = view.form(prefix=panel)
        view.prepare(built[panel], suggestion)
    return built


def reply_templates(suggestion) -> list[ReplyTemplate]:
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


def related(suggestion) -> tuple[list, list]:
    """Similar recent items and the same caller's earlier ones, for staff outside the departments."""
    if current_user.role == Role.OFFICER:
        return [], []
    words = queues.key_words(
        [word for word, _ in suggestion.prediction_explanation or []], suggestion.title or suggestion.body[:60]
    )
    since = suggestion.received_at - timedelta(days=SIMILAR_DAYS)
    similar = db.session.scalars(queues.similar_suggestions(words, exclude_id=suggestion.id, since=since)).all()
    earlier = (
        db.session.scalars(queues.earlier_calls(suggestion.phone_hash, exclude_id=suggestion.id)).all()
        if suggestion.phone_hash
        else []
    )
    return similar, earlier


SIMILAR_DAYS = 90


@bp.route("/suggestions/<id:suggestion_id>")
@role_required(*STAFF)
def detail(suggestion_id: int):
    suggestion = visible_suggestion(suggestion_id)
    queue = request.args.get("queue", "")
    panels = panels_for(suggestion)
    similar, earlier = related(suggestion)
    return render_template(
        "triage/detail.html",
        suggestion=suggestion,
        queue=queue if queue in (*queues.NAMED_QUEUES, "department") else "",
        events=db.session.scalars(queues.timeline(suggestion.id)).all(),
        replies=db.session.scalars(queues.public_replies(suggestion)).all(),
        notes=db.session.scalars(queues.notes(suggestion.id)).all(),
        children=db.session.scalars(queues.merged_children(suggestion.id)).all(),
        extension=services.pending_extension(suggestion),
        categories={c.code: c for c in active_categories()},
        department_candidates=stored_candidates(suggestion, {d.id: d for d in active_departments()}),
        panels=panels,
        forms=action_forms(suggestion, panels),
        templates=reply_templates(suggestion) if current_user.role == Role.OFFICER else [],
        similar=similar,
        earlier=earlier,
    )
