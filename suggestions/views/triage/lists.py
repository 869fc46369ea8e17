"""Queue pages: a department's queue with filters and search, and the campaign office's work queues."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from suggestions import clock
from suggestions.campaign import taxonomy
from suggestions.extensions import db
from suggestions.forms import ActionForm, BulkForm, DispatchForm, QueueFilterForm
from suggestions.insight import queues
from suggestions.privacy import disclosure
from suggestions.privacy.scrubbing import scrub_text
from suggestions.privacy.vault import is_phone, normalize_phone
from suggestions.routing.handlers import stored_candidates
from suggestions.views.common import active_categories, active_departments, district_choices, page_number, phone_vault
from suggestions.views.triage import bp
from suggestions.views.triage.visibility import (
    DISPATCHERS,
    STAFF,
    category_choices,
    department_choices,
    officer_choices,
)
from suggestions.web.login import role_required
from suggestions.workflow import STATUS_LABELS, Channel, Role, Status


def due_soon_window() -> timedelta:
    return timedelta(hours=current_app.config["DUE_SOON_HOURS"])


def default_sort() -> str:
    """Officers work against deadlines: their queue starts with what is due first; others see arrival order."""
    return "due" if current_user.role == Role.OFFICER else "received"


def _filter_form() -> QueueFilterForm:
    form = QueueFilterForm(request.args)
    if not request.args.get("sort"):
        form.sort.data = default_sort()
    form.status.choices = [("", "全部在办")] + [(s.value, label) for s, label in STATUS_LABELS.items()]
    form.category.choices = category_choices("全部")
    form.district.choices = district_choices(placeholder="全部")
    form.channel.choices = [("", "全部")] + [(c.value, c.label) for c in Channel]
    form.year.choices = [(None, "全部")] + [(year, f"{year}年") for year in taxonomy.campaign_years()]
    form.domain.choices = [("", "全部"), (queues.NO_DOMAIN, "未确定")] + [(n, n) for n in taxonomy.domain_names()]
    form.department.choices = department_choices("全部部门")
    assignees = [("", "全部"), ("me", "我承办的"), ("none", "未指派")]
    if current_user.role == Role.OFFICER:
        assignees += [(str(i), name) for i, name in officer_choices(current_user.department_id)[1:]]
    form.assignee.choices = assignees
    return form


def _queue_filter(form: QueueFilterForm) -> queues.QueueFilter:
    data = form.data if form.validate() else {}
    assignee = data.get("assignee") or ""
    search = (data.get("q") or "").strip()
    # Operators and the campaign office find earlier calls by number; the number itself never reaches the address.
    phone_hash = None if current_user.role == Role.OFFICER else (data.get("caller") or None)
    return queues.QueueFilter(
        department_id=current_user.department_id if current_user.role == Role.OFFICER else data.get("department"),
        statuses=[Status(data["status"])] if data.get("status") else [],
        deadline=data.get("deadline") or "",
        category_id=data.get("category"),
        district_id=data.get("district"),
        channel=Channel(data["channel"]) if data.get("channel") else None,
        campaign_year=data.get("year"),
        domain=data.get("domain") or "",
        assignee_id=current_user.id if assignee == "me" else (int(assignee) if assignee.isdigit() else None),
        unassigned=assignee == "none",
        received_from=data.get("received_from"),
        received_to=data.get("received_to"),
        search=search,
        phone_hash=phone_hash,
        sort=data.get("sort") or default_sort(),
    )


def _search_address(values) -> dict:
    """The queue's address for the filters in ``values``, with a phone number in the search box as its hash.

    The filter form posts here, so what is typed never travels in a URL (where access logs, proxies and browser
    history keep it); a typed number becomes ``caller=<keyed hash>``.  A number inside other text is dropped
    with a message, and officers (who cannot search by number) are told so.
    """
    args = {k: v for k, v in values.items() if v and k not in ("page", "csrf_token")}
    typed = (args.get("q") or "").strip()
    number = normalize_phone(typed)
    if is_phone(number):
        del args["q"]
        if current_user.role == Role.OFFICER:
            flash("承办部门不能按来电号码查找，请输入关键词或追踪码。", "error")
        else:
            args["caller"] = phone_vault().phone_hash(number)
    elif scrub_text(typed) != typed:
        del args["q"]
        flash("搜索内容中含有电话或证件号码，已去掉。按来电号码查找时，请只填写号码。", "error")
    return args


def _number_in_address() -> bool:
    typed = (request.args.get("q") or "").strip()
    return bool(typed) and (is_phone(normalize_phone(typed)) or scrub_text(typed) != typed)


@bp.route("/queue", methods=["GET", "POST"])
@role_required(*STAFF)
def queue():
    if request.method == "POST" or _number_in_address():
        # An old bookmark or a typed address with a number in it is moved off that address at once, too.
        values = request.form if request.method == "POST" else request.args
        return redirect(url_for(".queue", **_search_address(values)), 303)
    form = _filter_form()
    wanted = _queue_filter(form)
    query = queues.filtered(wanted, clock.now(), due_soon_window())
    page = db.paginate(query, page=page_number(), per_page=current_app.config["QUEUE_PAGE_SIZE"], error_out=False)
    if wanted.phone_hash:
        # The address carries only the number's keyed hash; the audit names it as the matching items show it.
        shown = page.items[0].phone_masked if page.items else "（无匹配工单）"
        disclosure.record_phone_lookup(current_user, shown or "", found=page.total, where="queue", masked=True)
        db.session.commit()
    bulk = BulkForm()
    bulk.assignee.choices = officer_choices(current_user.department_id) if current_user.department_id else []
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    page_html = render_template(
        "triage/queue.html", page=page, filters=form, bulk=bulk, args=args, queue_name="department"
    )
    return page_html, 400 if form.errors else 200


@bp.route("/work/<name>")
@role_required(*STAFF)
def work_queue(name: str):
    """The campaign office's queues: triage, review, extensions; and the operators' callbacks."""
    if name not in queues.NAMED_QUEUES:
        abort(404)
    allowed = (Role.OPERATOR, *DISPATCHERS) if name == "callbacks" else DISPATCHERS
    if current_user.role not in allowed:
        abort(403)
    query = queues.callback_queue() if name == "callbacks" else queues.named_queue(name)
    page = db.paginate(query, page=page_number(), per_page=current_app.config["QUEUE_PAGE_SIZE"], error_out=False)
    dispatch = DispatchForm()
    departments = active_departments()
    by_id = {d.id: d for d in departments}
    return render_template(
        f"triage/work_{name}.html",
        page=page,
        name=name,
        title=queues.NAMED_QUEUES[name][0],
        form=dispatch,
        action_form=ActionForm(),
        categories={c.code: c for c in active_categories()},
        departments=departments,
        candidates={s.id: stored_candidates(s, by_id) for s in page.items} if name == "triage" else {},
        replies={
            r.suggestion_id: r for r in db.session.scalars(queues.latest_final_replies([s.id for s in page.items]))
        }
        if name == "review"
        else {},
        model_problem=current_app.extensions["classifier"].current_problem() if name == "triage" else None,
    )


@bp.route("/triage")
@role_required(*DISPATCHERS)
def manual_queue():
    return work_queue("triage")
