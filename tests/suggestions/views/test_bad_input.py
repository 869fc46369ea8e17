"""The bad-input corpus: every case answers 4xx with a Chinese message, never 500, and stores nothing."""

import re

import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import AuditEntry, Suggestion, SuggestionEvent
from tests import factories

CJK = re.compile(r"[\u4e00-\u9fff]")
GOOD_BODY = "小区门口公交站点太少，建议增加公交班次，方便老人出行。"


def counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Suggestion, SuggestionEvent, AuditEntry)
    )


def public_data(**overrides):
    data = {
        "title": "建议",
        "body": GOOD_BODY,
        "district": str(factories.district_named("河西区").id),
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_refused(response, before):
    assert 400 <= response.status_code < 500, response.status_code
    assert CJK.search(response.get_data(as_text=True)), "the answer must explain itself in Chinese"
    db.session.expire_all()
    assert counts() == before


PUBLIC_CASES = {
    "empty body": {"body": ""},
    "whitespace-only body": {"body": " \n\t\u3000 "},
    "100,000 characters": {"body": "建" * 100_000},
    "100,000 ascii characters": {"body": "a" * 100_000},
    "emoji only": {"body": "😀🎉👍" * 5},
    "emoji in the phone": {"phone": "138😀1234567"},
    "mixed-script digits in the phone": {"phone": "١٣٨١٢٣٤٥٦٧٨"},
    "control characters": {"body": "建议增加公交\x00班次方便老人出行"},
    "escape and bell": {"body": "建议增加公交\x1b[31m班次\x07方便出行"},
    "zero-width and bidi marks": {"body": "建议增加公交\u202e班次方便老人出行"},
    "invalid utf-8 decoded as replacement": {"body": "建议增加公交\ufffd\ufffd班次方便老人出行"},
    "script tag": {"body": "<script>alert(1)</script>建议增加公交班次方便出行"},
    "event handler in the title": {"title": "<img src=x onerror=alert(1)>"},
    "javascript url": {"body": "请访问 javascript:alert(document.cookie) 建议增加公交班次"},
    "sql in the district": {"district": "1 OR 1=1"},
    "sql in the phone": {"phone": "' OR '1'='1"},
    "sql in the name is too long": {"contact_name": "'; DROP TABLE suggestions; --"},
    "district of the wrong type": {"district": "河西区"},
    "forged district id": {"district": "999999"},
    "forged domain": {"domain": "国防外交"},
    "domain of another campaign": {"domain": "999999"},
    "negative district": {"district": "-1"},
    "missing consent": {"consent": None},
    "honeypot filled": {"website": "http://spam.example"},
}


@pytest.mark.parametrize("overrides", PUBLIC_CASES.values(), ids=PUBLIC_CASES.keys())
def test_public_form_corpus(client, seeded, overrides):
    before = counts()
    assert_refused(client.post("/", data=public_data(**overrides)), before)


def test_invalid_utf8_bytes_on_the_wire(client, seeded):
    before = counts()
    district = factories.district_named("河西区").id
    raw = (
        b"body=%E5%BB%BA%E8%AE%AE\xff\xfe%E5%A2%9E%E5%8A%A0%E5%85%AC%E4%BA%A4%E7%8F%AD%E6%AC%A1%E6%96%B9%E4%BE%BF&consent=y&district="
        + str(district).encode()
    )
    response = client.post("/", data=raw, content_type="application/x-www-form-urlencoded")
    assert_refused(response, before)


@pytest.mark.parametrize("payload", [{"body": GOOD_BODY, "consent": "y"}, [1, 2, 3], {"body": 123, "district": [1, 2]}])
def test_json_instead_of_a_form(client, seeded, payload):
    before = counts()
    assert_refused(client.post("/", json=payload), before)


def test_malformed_json(client, seeded):
    before = counts()
    assert_refused(client.post("/", data="{not json", content_type="application/json"), before)


def test_oversized_request_is_413_in_chinese(client, seeded):
    before = counts()
    response = client.post("/", data=public_data(body="建" * 200_000))
    assert response.status_code == 413
    assert_refused(response, before)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("token", [None, "", "forged-token", "a" * 5000])
def test_missing_or_forged_csrf_token(client, seeded, token):
    before = counts()
    data = public_data()
    if token is not None:
        data["csrf_token"] = token
    assert_refused(client.post("/", data=data), before)


def test_html_is_escaped_where_it_is_accepted(client, seeded):
    """Angle brackets that are not markup are fine, and always shown escaped."""
    client.post("/", data=public_data(body="建议公交站点距离<500米，方便老人出行 & 上学。"))
    suggestion = db.session.scalar(sa.select(Suggestion))
    assert suggestion is not None
    visitor = client
    html = visitor.get(f"/track/{suggestion.tracking_code}").get_data(as_text=True)
    assert "&lt;500米" in html and "&amp; 上学" in html


def test_sql_text_in_free_text_is_stored_literally(client, seeded):
    """Free text may quote anything; it is a bound parameter, never SQL."""
    body = "建议修路 '); DROP TABLE suggestions; -- 谢谢"
    assert client.post("/", data=public_data(body=body)).status_code == 201
    assert db.session.scalar(sa.select(Suggestion.body)) == body
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 1


TRACK_CASES = {
    "empty": {"code": "", "credential": ""},
    "whitespace": {"code": "   ", "credential": "  "},
    "sql": {"code": "' OR 1=1 --", "credential": "' OR ''='"},
    "html": {"code": "<script>alert(1)</script>", "credential": "1234"},
    "long": {"code": "J" * 10_000, "credential": "1" * 10_000},
    "emoji": {"code": "JDZ-😀", "credential": "😀😀😀😀"},
}


@pytest.mark.parametrize("data", TRACK_CASES.values(), ids=TRACK_CASES.keys())
def test_tracking_corpus(client, seeded, data):
    before = counts()
    response = client.post("/track", data=data)
    assert_refused(response, before)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


class TestHotlineCorpus:
    @pytest.fixture
    def operator(self, client, auth, staff):
        auth.login(staff["operator"])
        return client

    def call(self, **overrides):
        data = {
            "phone": "13912345678",
            "district": str(factories.district_named("南开区").id),
            "body": GOOD_BODY,
            "called_at": "2026-11-20 09:30",
            "notice_read": "y",
            "urgency": "general",
            "category": "",
            "department": "",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    @pytest.mark.parametrize(
        "overrides",
        [
            {"body": "  "},
            {"body": "\x00" * 20},
            {"body": "<iframe src=//evil>建议增加公交班次方便出行</iframe>"},
            {"phone": ""},
            {"phone": "1381234567８"},
            {"urgency": "apocalyptic"},
            {"department": "99999"},
            {"department": "1; DROP TABLE departments"},
            {"category": "-5"},
            {"called_at": "'; DROP TABLE x; --"},
            {"called_at": "2026-13-45 25:61"},
            {"district": ""},
        ],
    )
    def test_hotline_corpus(self, operator, overrides):
        before = counts()
        assert_refused(operator.post("/hotline/new", data=self.call(**overrides)), before)


class TestStaffCorpus:
    def test_forged_department_on_dispatch(self, client, auth, staff, housing_item):
        suggestion = housing_item()
        auth.login(staff["dispatcher"])
        response = client.post(
            f"/suggestions/{suggestion.id}/dispatch",
            data={"dispatch-department": "424242", "dispatch-reason": "x"},
        )
        assert response.status_code == 400 and "请从列表中选择" in response.get_data(as_text=True)
        db.session.refresh(suggestion)
        assert suggestion.department.name == "市住房和城乡建设委员会"

    def test_forged_role_on_staff_creation(self, client, auth, staff):
        auth.login(staff["admin"])
        from suggestions.models import StaffUser

        before = db.session.scalar(sa.select(sa.func.count(StaffUser.id)))
        response = client.post(
            "/admin/staff",
            data={"username": "mallory", "display_name": "M", "role": "superadmin", "password": "long-enough-1"},
        )
        assert response.status_code == 400 and CJK.search(response.get_data(as_text=True))
        assert db.session.scalar(sa.select(sa.func.count(StaffUser.id))) == before

    def test_officer_cannot_assign_to_another_departments_officer(self, client, auth, staff, housing_item):
        suggestion = housing_item()
        outsider = factories.StaffUserFactory(role="officer", department=factories.department_named("市公安局"))
        auth.login(staff["officer"])
        response = client.post(f"/suggestions/{suggestion.id}/assign", data={"assign-assignee": outsider.id})
        db.session.refresh(suggestion)
        assert suggestion.assignee_id != outsider.id
        assert response.status_code in (303, 400)

    @pytest.mark.parametrize("suffix", ["sign", "reply", "note", "return", "reveal", "reveal-text", "assign"])
    def test_another_departments_item_is_not_found(self, client, auth, staff, app, seeded, suffix):
        other = factories.submit(
            app.extensions["phone_vault"], category=factories.category_coded("交通运输")
        ).suggestion
        auth.login(staff["officer"])
        before = counts()
        assert client.get(f"/suggestions/{other.id}").status_code == 404
        response = client.post(f"/suggestions/{other.id}/{suffix}", data={"reason": "x", "body": GOOD_BODY})
        assert response.status_code == 404
        assert CJK.search(response.get_data(as_text=True))
        assert counts() == before

    @pytest.mark.parametrize("path", ["/suggestions/abc", "/suggestions/-1", "/suggestions/99999999999999999999"])
    def test_malformed_ids(self, client, auth, staff, path):
        auth.login(staff["dispatcher"])
        assert client.get(path).status_code == 404

    def test_bulk_with_garbage_ids(self, client, auth, staff):
        auth.login(staff["officer"])
        response = client.post("/queue/bulk", data={"ids": ["x", "1 OR 1=1"], "operation": "sign"})
        assert response.status_code == 303


# Issue 17.9: out-of-range numbers and dates in addresses and forms.  Every paged list, integer and date
# parameter answers 4xx (or ignores the value and shows the page) with Chinese text, never 500.
HUGE = "9223372036854775807"
ANONYMOUS_PAGES = [
    f"/adopted?page={HUGE}",
    f"/projects?page={HUGE}",
    f"/projects/{HUGE}",
    "/projects/-1",
    f"/projects/2026/{HUGE}",
    f"/projects/{HUGE}/{HUGE}",
    f"/projects/2026?page={HUGE}",
    f"/qr?src={HUGE}",
    f"/track?code={HUGE}",
    f"/track/{HUGE}",
]
STAFF_PAGES = {
    "dispatcher": [
        f"/queue?page={HUGE}",
        "/queue?page=-3",
        "/queue?page=abc",
        f"/queue?page={HUGE}{HUGE}",
        "/queue?received_from=0001-01-01",
        "/queue?received_to=9999-12-31",
        "/queue?received_from=9999-12-31&received_to=0001-01-01",
        "/queue?received_from=2026-02-30",
        f"/queue?year={HUGE}",
        f"/queue?department={HUGE}",
        f"/queue?category={HUGE}&district={HUGE}",
        f"/queue?assignee={HUGE}",
        f"/queue/export.csv?received_from=0001-01-01&page={HUGE}",
        f"/work/triage?page={HUGE}",
        f"/work/review?page={HUGE}",
        f"/work/extensions?page={HUGE}",
        f"/triage?page={HUGE}",
        f"/stats/?year={HUGE}&days={HUGE}",
        "/stats/?year=-1",
        f"/suggestions/{HUGE}",
    ],
    "officer": [f"/queue?page={HUGE}", f"/queue?assignee={HUGE}", "/queue?received_to=0001-01-01"],
    "operator": [f"/work/callbacks?page={HUGE}", f"/queue?q={HUGE}"],
    "admin": [
        f"/admin/audit?page={HUGE}",
        f"/admin/calendar?year={HUGE}",
        "/admin/calendar?year=99999",
        "/admin/calendar?year=-5",
        f"/admin/projects?year={HUGE}",
        "/admin/projects?year=-5",
    ],
}


def assert_not_a_server_error(response):
    assert response.status_code < 500, response.status_code
    assert CJK.search(response.get_data(as_text=True))


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_out_of_range_addresses_for_anyone(client, seeded, path):
    assert_not_a_server_error(client.get(path, follow_redirects=True))


@pytest.mark.parametrize(
    ("role", "path"), [(role, path) for role, paths in STAFF_PAGES.items() for path in paths], ids=lambda v: v
)
def test_out_of_range_addresses_for_staff(client, auth, staff, role, path):
    auth.login(staff[role])
    response = client.get(path)
    assert_not_a_server_error(response)
    if "?q=" not in path:  # a search for digits is just a search
        assert 400 <= response.status_code < 500, response.status_code


@pytest.mark.parametrize(
    ("called_at", "message"),
    [
        ("0001-01-01", "来电时间格式"),
        ("0001-01-01 00:00", "来电时间不能早于"),
        ("1900-01-01 08:00", "来电时间不能早于"),
        ("9999-12-31 23:59", "来电时间不能晚于现在"),
        ("10000-01-01 00:00", "来电时间格式"),
    ],
)
def test_hotline_call_time_out_of_range(client, auth, staff, called_at, message):
    auth.login(staff["operator"])
    before = counts()
    response = client.post("/hotline/new", data=TestHotlineCorpus().call(called_at=called_at))
    assert_refused(response, before)
    assert message in response.get_data(as_text=True)


ADMIN_DATES = {
    "calendar day": ("/admin/calendar", {"day": "0001-01-01", "until": "9999-12-31", "is_workday": "0"}),
    "calendar range backwards": ("/admin/calendar", {"day": "9999-12-31", "until": "0001-01-01", "is_workday": "0"}),
    "campaign dates": (
        "/admin/campaigns",
        {"year": "2027", "name": "2027年征集", "opens_on": "0001-01-01", "closes_on": "9999-12-31"},
    ),
}


@pytest.mark.parametrize(("path", "data"), ADMIN_DATES.values(), ids=ADMIN_DATES.keys())
def test_out_of_range_dates_in_admin_forms(client, auth, staff, path, data):
    auth.login(staff["admin"])
    response = client.post(path, data=data)
    assert 400 <= response.status_code < 500, response.status_code
    assert CJK.search(response.get_data(as_text=True))


def test_a_nul_byte_in_an_admin_name_is_refused(client, auth, staff):
    auth.login(staff["admin"])
    response = client.post("/admin/posters", data={"location": "南开区\x00某小区门口"})
    assert response.status_code == 400 and "不可见的控制字符" in response.get_data(as_text=True)
