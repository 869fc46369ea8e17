"""Suggestions in Open311 GeoReport v2 terms: services, public requests, filters, and a partner's POST.

* A **service** is one of the campaign's domains (领域) in force today; its ``service_code`` is the domain's id
  as a string, stable across renames.
* A **request** is a suggestion; its ``service_request_id`` is the public tracking code.  What a request shows
  is what the public may see: status, domain, district, the department handling it, dates, and the excerpt a
  dispatcher approved for publication.  Never the text, the name, the phone or the e-mail.
* A partner's POST goes through ``intake.submit`` like every other channel, with the key's channel and the
  partner's own id (``attribute[partner_id]``) as the idempotency key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from suggestions import clock, intake
from suggestions.campaign.taxonomy import open_campaign, taxonomy_campaign
from suggestions.extensions import db
from suggestions.forms.partner_forms import PartnerRequestForm
from suggestions.intake.tracking import parse_tracking_code
from suggestions.models import ApiKey, Campaign, CampaignDomain, District, Suggestion, SuggestionEvent
from suggestions.privacy.vault import PhoneVault
from suggestions.routing.decision import route_text
from suggestions.workflow import PUBLIC_STATUS_LABELS, TERMINAL_STATUSES, Channel

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000
MAX_IDS = 50
DEFAULT_DAYS = 90  # the spec's default window when no date is given
OPEN, CLOSED = "open", "closed"


class RequestError(Exception):
    """A request the API refuses: the HTTP status and one Chinese description per problem."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = list(descriptions)


# -- services --------------------------------------------------------------------------------------------------


def current_campaign() -> Campaign | None:
    return taxonomy_campaign(clock.local_today())


def services() -> list[dict]:
    """The services (the domains in force today), in the order residents see them."""
    campaign = current_campaign()
    return [service(domain, campaign) for domain in (campaign.domains if campaign else [])]


def service(domain: CampaignDomain, campaign: Campaign) -> dict:
    department = domain.default_department
    description = f"{campaign.name}：{domain.name}领域的建议"
    if department is not None:
        description += f"，一般由{department.name}办理"
    return {
        "service_code": str(domain.id),
        "service_name": domain.name,
        "description": description + "。",
        "metadata": True,
        "type": "realtime",
        "keywords": domain.name,
        "group": campaign.name,
    }


def find_service(code: str | None) -> CampaignDomain | None:
    """The domain in force today whose service_code is ``code``."""
    campaign = current_campaign()
    domain = _any_domain(code)
    return domain if campaign is not None and domain is not None and domain.campaign_id == campaign.id else None


def district_names() -> list[str]:
    return list(db.session.scalars(sa.select(District.name).order_by(District.position, District.id)))


def service_definition(domain: CampaignDomain) -> dict:
    """The attributes a POST may carry for this service (GeoReport v2 service definition)."""
    return {
        "service_code": str(domain.id),
        "attributes": [
            {
                "variable": True,
                "code": "district",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "所属区；也可写在 address_string 开头，例如“和平区南京路100号”。",
                "order": 1,
                "description": "所属区",
                "values": [{"key": name, "name": name} for name in district_names()],
            },
            {
                "variable": True,
                "code": "partner_id",
                "datatype": "string",
                "required": False,
                "datatype_description": "合作方系统自己的编号（最多64个字符）；同一编号重复提交只保存一次。",
                "order": 2,
                "description": "合作方编号",
            },
            {
                "variable": True,
                "code": "confidential",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "建议人要求保密时为 true：承办部门看不到其姓名和电话。",
                "order": 3,
                "description": "保密处理",
                "values": [{"key": "true", "name": "保密"}, {"key": "false", "name": "不保密"}],
            },
        ],
    }


# -- reading requests ------------------------------------------------------------------------------------------


@dataclass
class RequestFilter:
    """The GET filters of ``requests.json``, already checked."""

    codes: list[str] = field(default_factory=list)
    domain_id: int | None = None
    closed: bool | None = None  # None: open and closed
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def parse_filter(args) -> RequestFilter:
    """Read the query string of ``requests.json``; raise RequestError(400) naming every bad parameter."""
    problems: list[str] = []
    f = RequestFilter()
    ids = args.get("service_request_id", "").strip()
    if ids:
        parts = [part.strip() for part in ids.split(",") if part.strip()]
        codes = [parse_tracking_code(part) for part in parts]
        if len(parts) > MAX_IDS:
            problems.append(f"service_request_id 一次最多 {MAX_IDS} 个。")
        elif None in codes:
            problems.append("service_request_id 应为追踪码，例如 JDZ-2026-48291-73605，多个用逗号隔开。")
        f.codes = [code for code in codes if code]
    code = args.get("service_code", "").strip()
    if code:
        domain = _any_domain(code)
        if domain is None:
            problems.append(f"service_code「{code[:20]}」不存在，请查看 services.json。")
        else:
            f.domain_id = domain.id
    status = args.get("status", "").strip().lower()
    if status:
        wanted = {part.strip() for part in status.split(",") if part.strip()}
        if not wanted or not wanted <= {OPEN, CLOSED}:
            problems.append("status 只能是 open 或 closed（或 open,closed）。")
        elif len(wanted) == 1:
            f.closed = wanted == {CLOSED}
    for name in ("start_date", "end_date"):
        value = args.get(name, "").strip()
        if value:
            try:
                setattr(f, name.split("_")[0], parse_datetime(value, end=name == "end_date"))
            except ValueError:
                problems.append(
                    f"{name} 不是有效的日期时间，应为 W3C 格式，例如 2026-10-01T00:00:00+08:00 或 2026-10-01。"
                )
    if f.start and f.end and f.start > f.end:
        problems.append("start_date 不能晚于 end_date。")
    f.page = _bounded_int(args, "page", 1, 1, MAX_PAGE, problems)
    f.page_size = _bounded_int(args, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, problems)
    if problems:
        raise RequestError(400, *problems)
    return f


def _any_domain(code: str | None) -> CampaignDomain | None:
    """The domain whose service_code is ``code``, of any year (an earlier year's requests can still be listed)."""
    if not code or not (code.isascii() and code.isdigit()) or len(code) > 12:
        return None
    return db.session.get(CampaignDomain, int(code))


def _bounded_int(args, name: str, default: int, low: int, high: int, problems: list[str]) -> int:
    value = args.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        problems.append(f"{name} 应为 {low}–{high} 之间的整数。")
        return default
    return int(value)


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(value: str, *, end: bool = False) -> datetime:
    """A W3C date or date-time; without a zone it is Beijing time; a bare end date includes that whole day."""
    if len(value) > 40:
        raise ValueError(value)
    try:
        if _DATE_ONLY.match(value):
            day = datetime.strptime(value, "%Y-%m-%d").date()
            moment = datetime.combine(day, time.max if end else time.min, tzinfo=clock.LOCAL_TZ)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=clock.LOCAL_TZ)
        return moment.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+14:00 has no UTC time
        raise ValueError(value) from exc


def request_query(f: RequestFilter, now: datetime) -> sa.Select:
    """Suggestions matching ``f``, newest first; given ids, only those (the spec ignores the other filters)."""
    query = sa.select(Suggestion)
    if f.codes:
        return query.where(Suggestion.tracking_code.in_(f.codes)).order_by(Suggestion.received_at.desc(), Suggestion.id)
    if f.domain_id is not None:
        query = query.where(Suggestion.domain_id == f.domain_id)
    if f.closed is not None:
        terminal = Suggestion.status.in_(sorted(TERMINAL_STATUSES))
        query = query.where(terminal if f.closed else sa.not_(terminal))
    start, end = f.start, f.end
    if start is None and end is None:
        start = now - timedelta(days=DEFAULT_DAYS)
    if start is not None:
        query = query.where(Suggestion.received_at >= start)
    if end is not None:
        query = query.where(Suggestion.received_at <= end)
    return (
        query.order_by(Suggestion.received_at.desc(), Suggestion.id.desc())
        .limit(f.page_size)
        .offset((f.page - 1) * f.page_size)
    )


def public_requests(suggestions: list[Suggestion]) -> list[dict]:
    """What the public may know of each suggestion, in GeoReport v2 fields."""
    updated = _last_status_change([s.id for s in suggestions])
    return [public_request(s, updated.get(s.id)) for s in suggestions]


def _last_status_change(ids: list[int]) -> dict[int, datetime]:
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(SuggestionEvent.suggestion_id, sa.func.max(SuggestionEvent.created_at))
        .where(SuggestionEvent.suggestion_id.in_(ids), SuggestionEvent.to_status.is_not(None))
        .group_by(SuggestionEvent.suggestion_id)
    )
    return {suggestion_id: _aware(moment) for suggestion_id, moment in rows}


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def w3c(moment: datetime | None) -> str | None:
    return clock.local(moment).isoformat(timespec="seconds") if moment else None


def public_request(s: Suggestion, updated_at: datetime | None) -> dict:
    closed = s.status in TERMINAL_STATUSES
    published = s.public_excerpt if s.publication_approved_at else None
    return {
        "service_request_id": s.tracking_code,
        "status": CLOSED if closed else OPEN,
        "status_notes": PUBLIC_STATUS_LABELS[s.status],
        "service_code": str(s.domain_id) if s.domain_id else None,
        "service_name": s.domain.name if s.domain else None,
        "description": published,
        "agency_responsible": s.department.name if s.department else None,
        "service_notice": None,
        "requested_datetime": w3c(s.received_at),
        "updated_datetime": w3c(updated_at or s.received_at),
        "expected_datetime": None if closed else w3c(s.reply_due_at),
        "address": s.district.name if s.district else None,
    }


# -- a partner's POST ------------------------------------------------------------------------------------------


def intake_from(form: PartnerRequestForm, key: ApiKey) -> tuple[intake.Intake, CampaignDomain]:
    """Turn a validated POST into an Intake; raise RequestError for what the form alone cannot check."""
    domain = find_service(form.service_code.data)
    if domain is None:
        raise RequestError(400, f"service_code「{(form.service_code.data or '')[:20]}」不存在，请查看 services.json。")
    today = clock.local_today()
    campaign = open_campaign(today)
    if campaign is None and key.channel != Channel.HOTLINE:
        # The topic pages belong to the campaign; 12345 takes calls all year and files them under today's domains.
        raise RequestError(403, "本年度民心工程建议征集尚未开始或已经结束，暂不接收建议。")
    district, place = resolve_district(form.district.data, form.address_string.data)
    body = form.description.data
    if place:
        body = f"{body}\n地点：{place}"
    given = intake.Intake(
        body=body,
        title=form.title.data or "",
        district_id=district.id,
        domain_id=domain.id,
        contact_name=form.contact_name or None,
        phone=form.phone.data or None,
        email=form.email.data or None,
        consent_version=f"open311:{key.channel.value}",
        campaign_id=campaign.id if campaign else None,
        idempotency_key=form.partner_id.data or None,
        confidential=form.is_confidential,
    )
    return given, domain


def resolve_district(named: str | None, address: str | None) -> tuple[District, str]:
    """The district (from ``attribute[district]`` or the start of ``address_string``) and the place after it."""
    districts = list(db.session.scalars(sa.select(District)))
    given = _district_called(named, districts) if named else None
    if named and given is None:
        raise RequestError(
            400, f"attribute[district]「{named[:20]}」不是天津市的区，请查看 services/{{service_code}}.json。"
        )
    address = (address or "").strip()
    found, place = _district_in(address, districts)
    if given is not None and found is not None and found.id != given.id:
        raise RequestError(400, "attribute[district] 与 address_string 中的区不一致。")
    district = given or found
    if district is None:
        raise RequestError(400, "请在 attribute[district] 或 address_string 中写明所属区，例如“和平区”。")
    return district, place


def _short(name: str) -> str:
    return name[:-2] if name.endswith("新区") else name.rstrip("区")


def _district_called(text: str, districts: list[District]) -> District | None:
    text = text.strip()
    for district in districts:
        if text in (district.name, _short(district.name)) or text == f"天津市{district.name}":
            return district
    return None


def _district_in(address: str, districts: list[District]) -> tuple[District | None, str]:
    """The district an address starts with (天津市 and the 区 may be left out), and the rest of the address."""
    rest = address.removeprefix("天津市").removeprefix("天津")
    for district in sorted(districts, key=lambda d: -len(d.name)):
        for name in (district.name, _short(district.name)):
            if name and rest.startswith(name):
                return district, rest[len(name) :].strip(" ，,")
    return None, address


def submit(form: PartnerRequestForm, key: ApiKey, vault: PhoneVault) -> intake.Receipt:
    """Record a partner's suggestion on the key's channel and route it; the caller commits."""
    given, _domain = intake_from(form, key)
    decision = route_text(given.title, given.body, given.district_id)
    return intake.submit(given, channel=key.channel, vault=vault, decision=decision)
