"""12345 operators: enter a call while the caller is on the line."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from suggestions import clock, intake
from suggestions.campaign.taxonomy import open_campaign, taxonomy_campaign
from suggestions.extensions import db, limiter
from suggestions.forms import HotlineCallForm, PredictForm
from suggestions.insight import queues
from suggestions.insight.similarity import similar_suggestions
from suggestions.models import Category, Department
from suggestions.privacy import disclosure
from suggestions.privacy.vault import is_phone, normalize_phone
from suggestions.routing.decision import RouteDecision, route_text
from suggestions.views.common import (
    active_categories,
    active_departments,
    district_choices,
    domain_choices,
    phone_vault,
    visitor_id,
)
from suggestions.web.login import role_required
from suggestions.workflow import STATUS_LABELS, Channel, Role, Urgency

bp = Blueprint("hotline", __name__, url_prefix="/hotline")

TRIAGE_CHOICE = "triage"


def _call_form() -> HotlineCallForm:
    form = HotlineCallForm()
    form.district.choices = district_choices(numbered=True)
    form.domain.choices = domain_choices(taxonomy_campaign(clock.local_today()), "来电人未说明")
    form.category.choices = [(None, "按系统预测")] + [(c.id, c.name) for c in active_categories()]
    form.department.choices = [("", "按类别对应部门"), (TRIAGE_CHOICE, "转人工分拨")] + [
        (str(d.id), d.name) for d in active_departments()
    ]
    return form


def _operator_route(form: HotlineCallForm, decision: RouteDecision) -> RouteDecision:
    """The operator's choice of department (or manual dispatch) and category over the proposal; without one the
    proposal is applied as the model made it (automatic when confident, else manual dispatch)."""
    category = db.session.get(Category, form.category.data) if form.category.data else None
    if form.department.data == TRIAGE_CHOICE:
        return decision.chose(None, category)
    if form.department.data:
        return decision.chose(db.session.get(Department, int(form.department.data)), category)
    if category is not None:
        return decision.chose(category.department, category)
    return decision


def _caller_key() -> str:
    return "caller:" + phone_vault().phone_hash(normalize_phone(request.form.get("phone", "")))


def _no_caller() -> bool:
    return bool(request.form.get("phone_withheld")) or not is_phone(normalize_phone(request.form.get("phone", "")))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
@limiter.limit(lambda: current_app.config["HOTLINE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["HOTLINE_PHONE_LIMIT"],
    key_func=_caller_key,
    methods=["POST"],
    exempt_when=lambda: _no_caller() or "preview" in request.form,
)
def new_call():
    form = _call_form()
    if request.method == "GET":
        form.called_at.data = clock.local(clock.now()).replace(second=0, microsecond=0, tzinfo=None)
        form.idempotency_key.data = uuid.uuid4().hex
        visitor_id()
    decision = None
    if form.validate_on_submit():
        decision = route_text(form.title.data or "", form.body.data, form.district.data)
        if "preview" not in request.form:
            receipt = intake.submit(
                intake.Intake(
                    body=form.body.data,
                    title=form.title.data or "",
                    district_id=form.district.data,
                    domain_id=form.domain.data,
                    contact_name=form.contact_name.data,
                    phone=form.phone.data or None,
                    phone_withheld=form.phone_withheld.data,
                    consent_version="hotline-script",
                    received_at=clock.from_local(form.called_at.data),
                    campaign_id=_campaign_id(),
                    # Bound to this operator's session and the call's text: see intake.form_key.
                    idempotency_key=intake.form_key(
                        form.idempotency_key.data,
                        f"{visitor_id()}:{current_user.id}",
                        *(form.title.data, form.body.data, form.district.data, form.phone.data, form.called_at.data),
                    ),
                    urgency=Urgency(form.urgency.data),
                    confidential=form.confidential.data,
                ),
                channel=Channel.HOTLINE,
                decision=_operator_route(form, decision),
                vault=phone_vault(),
                actor=current_user,
            )
            db.session.commit()
            suggestion = receipt.suggestion
            where = suggestion.department.name if suggestion.department else "待人工分拨"
            if receipt.secret:
                # No number to check the tracking page with: the caller needs the one-time key.
                tell = f"请告知来电人追踪码和查询密钥 {receipt.secret}（只显示这一次）。"
            else:
                tell = "请告知来电人追踪码。"
            flash(f"已保存：追踪码 {suggestion.tracking_code}，已转「{where}」。{tell}", "success")
            return redirect(url_for(".new_call"), 303)
    status = 400 if request.method == "POST" and "preview" not in request.form and form.errors else 200
    return render_template("hotline/new_call.html", form=form, decision=decision), status


def _campaign_id() -> int | None:
    campaign = open_campaign(clock.local_today())
    return campaign.id if campaign else None


@bp.route("/predict", methods=["POST"])
@role_required(Role.OPERATOR)
@limiter.limit(lambda: current_app.config["HOTLINE_LIMIT"])
def predict():
    """Return the route the classifier proposes for the text typed so far."""
    form = PredictForm()
    form.district.choices = district_choices()
    if not form.validate_on_submit():
        return jsonify(error="请先填写来电内容。"), 400
    decision = route_text(form.title.data or "", form.body.data, form.district.data)
    data = decision_json(decision)
    words = queues.key_words([word for word, _ in decision.explanation], form.title.data or form.body.data[:60])
    since = clock.now() - timedelta(days=SIMILAR_DAYS)
    text = f"{form.title.data or ''} {form.body.data}"
    data["similar"] = [
        {**_brief(item.suggestion), "similarity": round(item.score, 2)}
        for item in similar_suggestions(text, words, exclude_id=None, since=since)
    ]
    phone = normalize_phone(form.phone.data)
    earlier = []
    if is_phone(phone):
        earlier = [
            _brief(s)
            for s in db.session.scalars(queues.earlier_calls(phone_vault().phone_hash(phone), exclude_id=None))
        ]
        disclosure.record_phone_lookup(current_user, phone, found=len(earlier), where="hotline")
        db.session.commit()
    data["earlier_calls"] = earlier
    return jsonify(data)


SIMILAR_DAYS = 90


def _brief(suggestion) -> dict:
    """What an operator needs to recognise an earlier item, without personal data."""
    return {
        "code": suggestion.tracking_code,
        "title": suggestion.title or suggestion.body[:30],
        "status": STATUS_LABELS[suggestion.status],
        "department": suggestion.department.name if suggestion.department else None,
        "received": clock.local(suggestion.received_at).strftime("%Y-%m-%d"),
        "url": url_for("triage.detail", suggestion_id=suggestion.id),
    }


def decision_json(decision: RouteDecision) -> dict:
    return {
        "category": decision.category.name if decision.category else None,
        "department": decision.department.name if decision.department else None,
        "confidence": decision.confidence,
        "threshold": decision.threshold,
        "automatic": decision.automatic,
        "reason": decision.reason,
        "route_reason": decision.route_reason,
        "explanation": [word for word, _ in decision.explanation],
        "handler": {
            "type": decision.handler.handler_type,
            "confidence": decision.handler.confidence,
            "explanation": [word for word, _ in decision.handler.explanation],
        }
        if decision.handler
        else None,
        "department_candidates": [
            {"department": c.department.name, "probability": c.probability, "basis": c.basis_label}
            for c in decision.department_candidates
        ],
        "candidates": [
            {
                "category": c.category.name if c.category else c.label,
                "department": c.department.name if c.department else None,
                "probability": c.probability,
            }
            for c in decision.candidates
        ],
    }
