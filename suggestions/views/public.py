"""Public pages: the suggestion form (web and QR), the tracking page and the privacy notice."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from suggestions import casework, clock, intake
from suggestions.campaign import notifications
from suggestions.campaign.taxonomy import open_campaign
from suggestions.extensions import csrf, db, limiter
from suggestions.forms import PublicSuggestionForm, RateForm, TrackForm
from suggestions.hotissues.similar import similar_ideas, supportable
from suggestions.insight import queues
from suggestions.intake.tracking import parse_tracking_code
from suggestions.models import QrPoster, Suggestion
from suggestions.privacy.vault import is_mobile, normalize_phone
from suggestions.routing.decision import route_text
from suggestions.views.common import campaigns_exist, district_choices, domain_choices, phone_vault, visitor_id
from suggestions.web.errors import render_error
from suggestions.web.ratelimit import Throttle, minutes
from suggestions.web.templating import format_time
from suggestions.workflow import PUBLIC_STATUS_LABELS, Channel, Satisfaction, Status, WorkflowError

bp = Blueprint("public", __name__)

TRACKED_SESSION_KEY = "tracked"


def _phone_key() -> str:
    return "phone:" + phone_vault().phone_hash(normalize_phone(request.form.get("phone", "")))


def _without_phone() -> bool:
    return not is_mobile(normalize_phone(request.form.get("phone", "")))


def _visitor_key() -> str:
    """This browser at this address: residents sharing one address (a community centre's Wi-Fi, a carrier's NAT)
    each get their own count.  A post without the token the form page gave (no cookie) shares one count per
    address with every other such post."""
    return f"visitor:{session.get('visitor', '-')}@{get_remote_address()}"


def _public_limits(view):
    """Per-visitor, per-address (a higher ceiling) and per-phone limits on submissions (GET is never limited)."""
    view = limiter.limit(lambda: current_app.config["PUBLIC_SUBMIT_LIMIT"], key_func=_visitor_key, methods=["POST"])(
        view
    )
    view = limiter.limit(lambda: current_app.config["PUBLIC_ADDRESS_LIMIT"], methods=["POST"])(view)
    return limiter.limit(
        lambda: current_app.config["PHONE_SUBMIT_LIMIT"],
        key_func=_phone_key,
        methods=["POST"],
        exempt_when=_without_phone,
    )(view)


@bp.route("/", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so a failed check can re-show the resident's text
@_public_limits
def submit():
    return _submit(Channel.WEB)


@bp.route("/qr", methods=["GET", "POST"])
@csrf.exempt
@_public_limits
def submit_qr():
    return _submit(Channel.QR)


def _submit(channel: Channel):
    campaign = open_campaign(clock.local_today())
    if campaign is None and campaigns_exist():
        return render_template("public/closed.html"), 200 if request.method == "GET" else 403
    form = public_form(campaign)
    poster = scanned_poster() if channel == Channel.QR else None
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        if poster is not None and poster.district_id:
            form.district.data = poster.district_id
        visitor_id()
    if form.validate_on_submit():
        given = intake.Intake(
            body=form.body.data,
            title=form.title.data or "",
            district_id=form.district.data,
            domain_id=form.domain.data,
            poster_id=poster.id if poster else None,
            contact_name=form.contact_name.data,
            phone=form.phone.data or None,
            consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            campaign_id=campaign.id if campaign else None,
            idempotency_key=intake.form_key(
                form.idempotency_key.data,
                visitor_id(),
                *(form.title.data, form.body.data, form.district.data, form.phone.data),
            ),
            confidential=form.confidential.data,
            supports_id=_supported(form, campaign),
        )
        decision = route_text(given.title, given.body, given.district_id)
        receipt = intake.submit(given, channel=channel, vault=phone_vault(), decision=decision)
        db.session.commit()
        _remember_tracked(receipt.suggestion.id)
        return render_template("public/thanks.html", receipt=receipt), 200 if receipt.replayed else 201
    status = 400 if request.method == "POST" else 200
    return render_template("public/submit.html", form=form, campaign=campaign, channel=channel), status


def _supported(form: PublicSuggestionForm, campaign) -> int | None:
    """The earlier idea the resident chose to support, if residents may support it; else a new idea, as typed."""
    value = form.supports.data or ""
    if not value.isdigit():
        return None
    idea = db.session.get(Suggestion, int(value))
    return idea.id if supportable(idea, campaign) else None


@bp.route("/similar", methods=["POST"])
@limiter.limit(lambda: current_app.config["SIMILAR_IDEAS_LIMIT"])
def similar():
    """Up to three earlier ideas like the text being typed on the form (JSON; CSRF-checked; nothing personal)."""
    title = (request.form.get("title") or "")[:200]
    body = (request.form.get("body") or "")[:2000]
    campaign = open_campaign(clock.local_today())
    return jsonify(ideas=similar_ideas(title, body, campaign))


def scanned_poster() -> QrPoster | None:
    """The poster in ``/qr?src=<id>`` (the form posts back to the same address), if it is a known one.

    A poster taken down (inactive) still counts: its copies may hang on for a while.
    """
    src = request.args.get("src", "")
    if not (src.isdigit() and len(src) <= 9):
        return None
    return db.session.get(QrPoster, int(src))


def public_form(campaign) -> PublicSuggestionForm:
    form = PublicSuggestionForm()
    form.district.choices = district_choices()
    form.domain.choices = domain_choices(campaign, "不确定，由系统判断")
    return form


@bp.errorhandler(429)
def rate_limited_submission(error):
    """Answer a rate-limited submission with the form, the resident's text kept, and a 429."""
    if request.endpoint not in ("public.submit", "public.submit_qr"):
        return render_error(429)
    form = public_form(open_campaign(clock.local_today()))
    form.validate()
    form.form_errors.append(
        "提交过于频繁，请过几分钟再点击“提交建议”。您填写的内容已保留在下面，不会丢失；急事请直接拨打12345热线反映。"
    )
    channel = Channel.QR if request.endpoint == "public.submit_qr" else Channel.WEB
    return render_template("public/submit.html", form=form, campaign=None, channel=channel), 429


def _remember_tracked(suggestion_id: int) -> None:
    tracked = [i for i in session.get(TRACKED_SESSION_KEY, []) if i != suggestion_id][-19:]
    session[TRACKED_SESSION_KEY] = tracked + [suggestion_id]


@bp.route("/track", methods=["GET", "POST"])
def track():
    form = TrackForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:32]
    if form.validate_on_submit():
        code = parse_tracking_code(form.code.data) or form.code.data.upper()
        address = get_remote_address()
        # Counted before the check (racing guesses on several workers all count); a success is given back.
        wait = max(TRACK_CODE_FAILURES.attempt(code), TRACK_ADDRESS_FAILURES.attempt(address))
        if wait:
            form.credential.errors.append(
                f"验证失败次数过多，为保护建议人的信息，请 {minutes(wait)} 分钟后再试。"
                "忘记查询密钥或换了手机号的，可拨打12345热线，报追踪码查询办理情况。"
            )
            return render_template("public/track.html", form=form), 429
        suggestion = _verified_suggestion(form.code.data, form.credential.data)
        if suggestion is not None:
            TRACK_CODE_FAILURES.refund(code)
            TRACK_ADDRESS_FAILURES.refund(address)
            _remember_tracked(suggestion.id)
            return redirect(url_for(".status", code=suggestion.tracking_code), 303)
        # Unknown codes and wrong credentials get the same answer and count alike, so codes cannot be probed.
        form.credential.errors.append("追踪码或验证信息不正确，请核对后重试。")
        return render_template("public/track.html", form=form), 404
    return render_template("public/track.html", form=form), 400 if request.method == "POST" else 200


# Wrong credentials, per tracking code and per address, in growing tiers (config TRACK_*_FAILURE_LIMITS).
TRACK_CODE_FAILURES = Throttle("track-code-failures", "TRACK_CODE_FAILURE_LIMITS")
TRACK_ADDRESS_FAILURES = Throttle("track-address-failures", "TRACK_ADDRESS_FAILURE_LIMITS")


def _verified_suggestion(code: str, credential: str):
    query = queues.by_tracking_code(code)
    suggestion = db.session.scalar(query) if query is not None else None
    if suggestion is None:
        return None
    return suggestion if intake.verify_access(phone_vault(), suggestion.access_hash, credential) else None


def _tracked(code: str):
    """The suggestion behind ``code`` if this browser proved it may see it, else None."""
    query = queues.by_tracking_code(code)
    suggestion = db.session.scalar(query) if query is not None else None
    if suggestion is None or suggestion.id not in session.get(TRACKED_SESSION_KEY, []):
        return None
    return suggestion


@bp.route("/track/<code>")
def status(code: str):
    suggestion = _tracked(code)
    if suggestion is None:
        return redirect(url_for(".track", code=code[:32]), 303)
    return _render_status(suggestion, RateForm())


def _render_status(suggestion, rate_form, status_code: int = 200):
    events = db.session.scalars(queues.timeline(suggestion.id)).all()
    replies = db.session.scalars(queues.public_replies(suggestion)).all()
    can_rate = casework.answered(suggestion) and suggestion.resident_rating is None and not staff_session()
    return render_template(
        "public/status.html",
        suggestion=suggestion,
        timeline=public_timeline(events),
        replies=replies,
        messages=db.session.scalars(notifications.for_resident(suggestion)).all(),
        rate_form=rate_form if can_rate else None,
        staff_session=staff_session(),
        after_rating=after_rating(suggestion),
        supported=suggestion.supports,
        supported_replies=db.session.scalars(queues.public_replies(suggestion.supports)).all()
        if suggestion.supports
        else [],
    ), status_code


def after_rating(suggestion) -> str:
    """What happens next after the resident's rating, in the resident's words; empty when there is nothing to say."""
    if suggestion.resident_rating != Satisfaction.DISSATISFIED:
        return ""
    status = suggestion.status
    if status == Status.CALLBACK_PENDING:
        if not suggestion.has_phone:
            return "您对答复不满意。您没有留下电话，工作人员将根据您填写的意见决定是否转承办部门重新办理，结果会显示在本页。"
        due = f"在 {format_time(suggestion.callback_due_at)} 前" if suggestion.callback_due_at else "近期"
        return (
            f"您对答复不满意。12345热线将{due}回访您，听取您的具体意见；"
            "需要重新办理的，将转承办部门重新办理，新的答复会显示在本页。"
        )
    if status == Status.REPLIED:
        return "您对答复不满意。答复正在由民心办审核，审核后12345热线将回访您、听取您的意见，需要时转承办部门重新办理。"
    if status in (Status.REDO, Status.IN_PROGRESS, Status.SIGNED):
        return "您对答复不满意，本件已转承办部门重新办理，新的答复会显示在本页。"
    if status == Status.MERGED:
        if suggestion.has_phone and suggestion.callback_result is None:
            return "您对答复不满意。您的建议与同类建议合并办理，12345热线回访时将听取您的意见。"
        return "您对答复不满意。您的意见已记录，民心办将在同类建议的后续办理中参考。"
    if status == Status.CLOSED:
        return "您对答复不满意。回访已完成，本件已办结；如有新的情况，欢迎再次提出建议或拨打12345。"
    return ""


STAFF_MAY_NOT_RATE = (
    "工作人员登录状态下不能评价答复：评价只能由建议人本人作出。请退出工作人员账号；"
    "市民电话中表达的意见，请通过12345回访记录。"
)


def staff_session() -> bool:
    """A staff member is logged in in this browser: the resident's rating is not theirs to give."""
    return current_user.is_authenticated


@bp.route("/track/<code>/rate", methods=["POST"])
def rate(code: str):
    suggestion = _tracked(code)
    if suggestion is None:
        return redirect(url_for(".track", code=code[:32]), 303)
    if staff_session():
        return render_error(403, STAFF_MAY_NOT_RATE)
    form = RateForm()
    if not form.validate_on_submit():
        return _render_status(suggestion, form, 400)
    try:
        casework.rate(suggestion, Satisfaction(form.rating.data), comment=form.comment.data or "")
    except WorkflowError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".status", code=suggestion.tracking_code), 303)
    db.session.commit()
    flash("感谢您的评价！", "success")
    return redirect(url_for(".status", code=suggestion.tracking_code), 303)


@bp.route("/adopted")
def adopted():
    """The adopted ideas are published with the projects they fed: the latest year's project list."""
    return redirect(url_for("projects.index"), 301)


def public_timeline(events):
    """Status changes a resident can follow, without repeats of the same public step."""
    shown, last_label = [], None
    for event in events:
        if event.to_status is None:
            continue
        label = PUBLIC_STATUS_LABELS[event.to_status]
        if label != last_label:
            shown.append(event)
            last_label = label
    return shown


@bp.route("/privacy")
def privacy():
    return render_template("public/privacy.html")
