"""The Open311 GeoReport v2 API for partner systems, under /open311/v2/ (JSON; see partners.georeport).

Reads are public; a POST needs a partner's ``api_key`` and is limited per key (the key's own rate limit) and per
address.  Every error is the spec's list of ``{code, description}`` with a Chinese description.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, request

from suggestions import clock
from suggestions.extensions import csrf, db, limiter
from suggestions.forms.partner_forms import PartnerRequestForm
from suggestions.insight import queues
from suggestions.partners import georeport, keys, openapi
from suggestions.partners.georeport import RequestError
from suggestions.views.common import phone_vault
from suggestions.workflow import WorkflowError

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)  # server-to-server calls authenticated by api_key, not a browser session


def answer(payload, status: int = 200):
    """JSON with Chinese kept readable."""
    return current_app.response_class(
        json.dumps(payload, ensure_ascii=False), status=status, mimetype="application/json"
    )


def errors(status: int, *descriptions: str):
    return answer([{"code": status, "description": text} for text in descriptions], status)


@bp.errorhandler(RequestError)
def refused(error: RequestError):
    return errors(error.status, *error.descriptions)


def _posted_key():
    """The active key the POST carries (looked up once per request, kept in the request's environ), or None."""
    if "jindianzi.api_key" not in request.environ:
        request.environ["jindianzi.api_key"] = keys.active_key(request.form.get("api_key"))
    return request.environ["jindianzi.api_key"]


def _key_identity() -> str:
    return f"api-key:{_posted_key().id}"


def _key_limit() -> str:
    key = _posted_key()
    return key.rate_limit if key is not None else keys.DEFAULT_RATE_LIMIT


@bp.route("/services.json")
@limiter.limit(lambda: current_app.config["OPEN311_READ_LIMIT"])
def service_list():
    return answer(georeport.services())


@bp.route("/services/<code>.json")
@limiter.limit(lambda: current_app.config["OPEN311_READ_LIMIT"])
def service_definition(code: str):
    domain = georeport.find_service(code)
    if domain is None:
        return errors(404, f"service_code「{code[:20]}」不存在，请查看 services.json。")
    return answer(georeport.service_definition(domain))


@bp.route("/requests.json", methods=["GET"])
@limiter.limit(lambda: current_app.config["OPEN311_READ_LIMIT"])
def request_list():
    f = georeport.parse_filter(request.args)
    found = db.session.scalars(georeport.request_query(f, clock.now())).all()
    return answer(georeport.public_requests(list(found)))


@bp.route("/requests.json", methods=["POST"])
@limiter.limit(lambda: current_app.config["OPEN311_POST_ADDRESS_LIMIT"])
@limiter.limit(_key_limit, key_func=_key_identity, exempt_when=lambda: _posted_key() is None)
def create_request():
    if request.is_json:
        return errors(415, "请以 application/x-www-form-urlencoded 格式提交（GeoReport v2）。")
    key = _posted_key()
    if key is None:
        return errors(403, "api_key 缺失、无效或已停用。")
    form = PartnerRequestForm()
    if not form.validate():
        return errors(400, *_form_problems(form))
    try:
        receipt = georeport.submit(form, key, phone_vault())
    except WorkflowError as exc:
        db.session.rollback()
        return errors(400, exc.message)
    db.session.commit()
    suggestion = receipt.suggestion
    created = {
        "service_request_id": suggestion.tracking_code,
        "service_notice": _notice(receipt),
        "account_id": None,
    }
    if receipt.secret:
        created["access_secret"] = receipt.secret
    return answer([created], 200 if receipt.replayed else 201)


def _notice(receipt) -> str:
    if receipt.replayed:
        return f"该编号的建议此前已受理，追踪码 {receipt.suggestion.tracking_code}。"
    notice = f"建议已受理，追踪码 {receipt.suggestion.tracking_code}，可在本市民心工程“金点子”网站的查询页查看办理进度"
    if receipt.secret:
        return notice + f"；建议人未留电话，查询时请使用查询密钥 {receipt.secret}（只显示这一次）。"
    return notice + "（凭建议人留下的电话查询）。"


def _form_problems(form: PartnerRequestForm) -> list[str]:
    problems = []
    for field in form:
        for message in field.errors:
            problems.append(message if field.name in message else f"{field.name}：{message}")
    return problems


@bp.route("/requests/<code>.json")
@limiter.limit(lambda: current_app.config["OPEN311_READ_LIMIT"])
def request_detail(code: str):
    query = queues.by_tracking_code(code)
    suggestion = db.session.scalar(query) if query is not None else None
    if suggestion is None:
        return errors(404, f"没有追踪码为「{code[:30]}」的建议。")
    return answer(georeport.public_requests([suggestion]))


@bp.route("/openapi.json")
def openapi_document():
    return answer(openapi.document(georeport.services(), georeport.district_names()))
