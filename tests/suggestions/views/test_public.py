"""The public form, the tracking page and their error handling."""

import re

import pytest
import sqlalchemy as sa

from suggestions import casework
from suggestions.extensions import db
from suggestions.models import Suggestion, SuggestionEvent
from suggestions.workflow import Channel, Status
from tests import factories

TRANSPORT_TEXT = "小区门口的公交线路太少，早高峰公交车班次间隔太长，建议增加公交班次并增设站点。"


def form_data(**overrides):
    data = {
        "title": "增加公交班次",
        "body": TRANSPORT_TEXT,
        "district": str(factories.district_named("河西区").id),
        "domain": "",
        "contact_name": "",
        "phone": "",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count(model=Suggestion):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def tracking_code(html: str) -> str:
    return re.search(r"JDZ-\d{4}-\d{5}-\d{5}", html).group(0)


def test_form_shows_the_fields_in_chinese(client, seeded):
    html = client.get("/").get_data(as_text=True)
    for label in ("标题", "建议内容", "所在区", "建议领域", "称呼", "手机号码", "个人信息保护说明"):
        assert label in html
    assert 'lang="zh-CN"' in html
    for topic in ("就业", "养老", "食品安全", "文化体育"):
        assert f">{topic}</option>" in html
    assert "全市" in html and "滨海新区" in html


def test_submission_is_committed_and_in_its_department_queue_when_the_answer_comes(client, seeded):
    response = client.post("/", data=form_data(phone="138 1234 5678", contact_name="王女士"))
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    code = tracking_code(html)
    suggestion = db.session.scalar(sa.select(Suggestion))
    assert suggestion.tracking_code == code
    assert suggestion.channel == Channel.WEB
    assert suggestion.predicted_category == "交通运输"
    assert suggestion.status == Status.DISPATCHED
    assert suggestion.department.name == "市交通运输委员会"
    assert "您的建议已转交「市交通运输委员会」" in html
    assert suggestion.consent_version and suggestion.consented_at
    assert suggestion.phone_masked == "138****5678"
    assert "13812345678" not in html
    assert "已转交承办部门" in client.get(f"/track/{suggestion.tracking_code}").get_data(as_text=True)


def test_every_submission_goes_through_submit_and_one_route_event(client, seeded):
    client.post("/", data=form_data())
    events = db.session.scalars(sa.select(SuggestionEvent).order_by(SuggestionEvent.id)).all()
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("submit", None, Status.ACCEPTED),
        ("auto_dispatch", Status.ACCEPTED, Status.DISPATCHED),
    ]
    assert events[1].details["changed"]["department_id"][1] == events[1].to_department_id


def test_anonymous_submission_shows_a_secret_once(client, seeded):
    html = client.post("/", data=form_data()).get_data(as_text=True)
    assert "查询密钥" in html
    assert re.search(r"(?<![0-9A-Z-])[A-Z2-9]{4}-[A-Z2-9]{4}(?![0-9A-Z-])", html)


def test_qr_route_records_the_qr_channel(client, seeded):
    assert client.post("/qr", data=form_data()).status_code == 201
    assert db.session.scalar(sa.select(Suggestion.channel)) == Channel.QR


def test_channel_cannot_be_forged_from_the_form(client, seeded):
    client.post("/", data=form_data(channel="hotline"))
    assert db.session.scalar(sa.select(Suggestion.channel)) == Channel.WEB


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"body": ""}, "请填写建议内容"),
        ({"body": "太短了"}, "应为 10–5000 个字"),
        ({"body": "长" * 5001}, "应为 10–5000 个字，当前 5001 个字"),
        ({"title": "题" * 51}, "最多 50 个字"),
        ({"district": ""}, "请选择所在区"),
        ({"district": "99999"}, "请从列表中选择"),
        ({"district": "abc"}, None),
        ({"phone": "12345"}, "11位中国大陆手机号码"),
        ({"phone": "23812345678"}, "11位中国大陆手机号码"),
        ({"consent": None}, "请阅读并同意"),
        ({"domain": "99999"}, "请从列表中选择"),
    ],
)
def test_bad_input_gets_a_4xx_with_a_message_and_stores_nothing(client, seeded, overrides, message):
    response = client.post("/", data=form_data(**overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请修改以下内容后再提交" in html
    if message:
        assert message in html
    assert count() == 0
    assert count(SuggestionEvent) == 0


def test_a_long_suggestion_is_stored_whole_and_the_receipt_says_so(client, seeded):
    """Issue 16.2: a 5,000-character paste used to be cut to 2,000 by the page without a word."""
    long_text = TRANSPORT_TEXT + "具体情况如下。" * ((5000 - len(TRANSPORT_TEXT)) // 7)
    response = client.post("/", data=form_data(body=long_text))
    assert response.status_code == 201
    assert db.session.scalar(sa.select(Suggestion.body)) == long_text
    assert f"您的建议全文（{len(long_text)} 字）已完整保存" in response.get_data(as_text=True)


def test_a_too_long_suggestion_is_refused_with_every_character_kept(client, seeded):
    too_long = TRANSPORT_TEXT + "长" * 5000
    response = client.post("/", data=form_data(body=too_long))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"当前 {len(too_long)} 个字" in html
    assert too_long in html
    assert count() == 0


def test_the_form_does_not_let_the_browser_cut_a_paste(client, seeded):
    """No maxlength on the text fields; the counter (data-limit) says how long the text may be."""
    html = client.get("/").get_data(as_text=True)
    body = re.search(r"<textarea[^>]*id=\"body\"[^>]*>", html).group(0)
    assert "maxlength" not in body and 'data-limit="5000"' in body
    title = re.search(r"<input[^>]*id=\"title\"[^>]*>", html).group(0)
    assert "maxlength" not in title and 'data-limit="50"' in title


def test_bad_input_keeps_what_the_resident_typed(client, seeded):
    html = client.post("/", data=form_data(consent=None)).get_data(as_text=True)
    assert TRANSPORT_TEXT in html


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_csrf_is_enforced_on_the_public_form(client, seeded):
    response = client.post("/", data=form_data())
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "页面已过期" in html
    assert TRANSPORT_TEXT in html  # the resident's text survives and can be resubmitted
    assert count() == 0


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_csrf_token_from_the_page_lets_the_submission_through(client, seeded):
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/", data=form_data(csrf_token=token)).status_code == 201
    assert count() == 1


def test_double_submit_with_the_same_key_stores_one_suggestion(client, seeded):
    page = client.get("/").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    first = client.post("/", data=form_data(idempotency_key=key))
    second = client.post("/", data=form_data(idempotency_key=key))
    assert (first.status_code, second.status_code) == (201, 200)
    assert tracking_code(first.get_data(as_text=True)) == tracking_code(second.get_data(as_text=True))
    assert count() == 1


def test_closed_campaign_says_so_and_stores_nothing(client, seeded):
    from datetime import date

    from suggestions.models import Campaign

    campaign = db.session.scalar(sa.select(Campaign))
    campaign.opens_on, campaign.closes_on = date(2020, 9, 1), date(2020, 9, 27)
    db.session.commit()
    assert "尚未开始或已经结束" in client.get("/").get_data(as_text=True)
    response = client.post("/", data=form_data())
    assert response.status_code == 403
    assert count() == 0


class TestTracking:
    def submit(self, client, **overrides):
        return tracking_code(client.post("/", data=form_data(**overrides)).get_data(as_text=True))

    def test_code_and_phone_number_show_status_and_timeline(self, app, seeded):
        code = self.submit(app.test_client(), phone="13812345678")
        visitor = app.test_client()
        assert visitor.post("/track", data={"code": code, "credential": "5678"}).status_code == 404  # staff see that
        response = visitor.post("/track", data={"code": code, "credential": "138 1234 5678"})
        assert response.status_code == 303
        html = visitor.get(response.headers["Location"]).get_data(as_text=True)
        assert code in html
        assert "已受理" in html and "已转交承办部门" in html
        assert "自动派单" not in html and "待人工分拨" not in html
        assert "市交通运输委员会" in html
        # Not "138" alone: the random tracking code may contain those digits.
        assert "13812345678" not in html and "138****5678" not in html

    def test_code_and_secret_work_for_anonymous_residents(self, app, seeded):
        html = app.test_client().post("/", data=form_data()).get_data(as_text=True)
        code, secret = (
            tracking_code(html),
            re.search(r"(?<![0-9A-Z-])[A-Z2-9]{4}-[A-Z2-9]{4}(?![0-9A-Z-])", html).group(0),
        )
        visitor = app.test_client()
        response = visitor.post("/track", data={"code": code.lower(), "credential": secret.replace("-", "").lower()})
        assert response.status_code == 303

    def test_wrong_pair_and_unknown_code_get_the_same_answer(self, app, seeded):
        code = self.submit(app.test_client(), phone="13812345678")
        visitor = app.test_client()
        wrong = visitor.post("/track", data={"code": code, "credential": "13800000000"})
        unknown = visitor.post("/track", data={"code": "JDZ-2026-12345-67891", "credential": "13812345678"})
        garbage = visitor.post("/track", data={"code": "not a code", "credential": "13812345678"})
        assert wrong.status_code == unknown.status_code == garbage.status_code == 404
        message = "追踪码或验证信息不正确"
        assert all(message in r.get_data(as_text=True) for r in (wrong, unknown, garbage))

    def test_status_page_is_not_reachable_without_the_credential(self, app, seeded):
        code = self.submit(app.test_client(), phone="13812345678")
        response = app.test_client().get(f"/track/{code}")
        assert response.status_code == 303
        assert "/track?code=" in response.headers["Location"]

    def test_one_resident_cannot_see_another_residents_suggestion(self, app, seeded):
        first = self.submit(app.test_client(), phone="13812345678")
        second = self.submit(app.test_client(), phone="13900009999")
        visitor = app.test_client()
        visitor.post("/track", data={"code": first, "credential": "13812345678"})
        assert visitor.get(f"/track/{first}").status_code == 200
        assert visitor.get(f"/track/{second}").status_code == 303
        assert visitor.post("/track", data={"code": second, "credential": "13812345678"}).status_code == 404

    def test_empty_tracking_form_gets_a_400_in_chinese(self, client, seeded):
        response = client.post("/track", data={"code": "", "credential": ""})
        assert response.status_code == 400
        assert "请填写追踪码" in response.get_data(as_text=True)


def test_privacy_notice_page(client, seeded):
    html = client.get("/privacy").get_data(as_text=True)
    assert "个人信息保护说明" in html and "加密保存" in html


class TestRatingAndMerged:
    def login_to_track(self, client, suggestion, credential="13812345678"):
        response = client.post("/track", data={"code": suggestion.tracking_code, "credential": credential})
        assert response.status_code == 303
        return client.get(response.headers["Location"]).get_data(as_text=True)

    def test_resident_sees_the_reply_and_rates_it_once(self, app, housing_item):
        from suggestions.workflow import Satisfaction

        suggestion = housing_item(Status.REPLIED)
        visitor = app.test_client()
        page = self.login_to_track(visitor, suggestion)
        assert "经研究，已将您的建议纳入老旧小区改造计划" in page and "评价答复" in page
        response = visitor.post(
            f"/track/{suggestion.tracking_code}/rate", data={"rating": "basically_satisfied", "comment": "希望尽快落实"}
        )
        assert response.status_code == 303
        db.session.refresh(suggestion)
        assert suggestion.resident_rating == Satisfaction.BASICALLY_SATISFIED
        page = visitor.get(f"/track/{suggestion.tracking_code}").get_data(as_text=True)
        assert "您的评价" in page and "评价答复" not in page

    def test_dissatisfied_online_reopens_a_closed_item_and_the_page_says_what_comes_next(self, app, housing_item):
        """Issue 16.4: after 不满意 nothing happened and the resident was told nothing."""
        suggestion = housing_item(Status.CLOSED)
        visitor = app.test_client()
        self.login_to_track(visitor, suggestion)
        response = visitor.post(
            f"/track/{suggestion.tracking_code}/rate", data={"rating": "dissatisfied", "comment": "问题没有解决"}
        )
        assert response.status_code == 303
        db.session.refresh(suggestion)
        assert suggestion.status == Status.CALLBACK_PENDING
        page = visitor.get(f"/track/{suggestion.tracking_code}").get_data(as_text=True)
        next_step = re.search(r'data-testid="after-rating">(.*?)</p>', page).group(1)
        assert "12345热线将在" in next_step and "回访您" in next_step and "重新办理" in next_step
        assert "已答复，待回访" in page

    def test_rating_needs_a_choice_and_proof_of_access(self, app, housing_item):
        suggestion = housing_item(Status.REPLIED)
        stranger = app.test_client()
        assert stranger.post(f"/track/{suggestion.tracking_code}/rate", data={"rating": "satisfied"}).status_code == 303
        db.session.refresh(suggestion)
        assert suggestion.resident_rating is None
        visitor = app.test_client()
        self.login_to_track(visitor, suggestion)
        bad = visitor.post(f"/track/{suggestion.tracking_code}/rate", data={"rating": "thrilled"})
        assert bad.status_code == 400 and "您对答复的评价" in bad.get_data(as_text=True)

    def test_no_rating_form_before_the_reply(self, app, housing_item):
        suggestion = housing_item(Status.SIGNED)
        page = self.login_to_track(app.test_client(), suggestion)
        assert "评价答复" not in page and "部门已签收" in page

    def test_merged_resident_sees_the_masters_reply(self, app, housing_item, staff, vault):
        master = housing_item(Status.IN_PROGRESS)
        child = factories.submit(vault, category=factories.category_coded("城乡建设"), phone="13700001111").suggestion
        casework.merge(child, master, actor=staff["dispatcher"], reason="同一诉求")
        casework.reply(master, "已协调安排维修，预计本月完成。", actor=staff["officer"])
        db.session.commit()
        page = self.login_to_track(app.test_client(), child, "13700001111")
        assert "已与同类建议合并办理" in page
        assert "已协调安排维修，预计本月完成。" in page and "评价答复" in page
        assert master.tracking_code not in page  # another resident's item stays private

    def test_internal_notes_never_reach_the_resident(self, app, housing_item, staff):
        suggestion = housing_item(Status.SIGNED)
        casework.add_note(suggestion, "内部：该市民多次来电，情绪激动", actor=staff["officer"])
        db.session.commit()
        page = self.login_to_track(app.test_client(), suggestion)
        assert "情绪激动" not in page


class TestTrackingThrottle:
    """Issue 17.1: 1,235 guesses took 21.9 s; failed look-ups are now limited per code and per address."""

    def guess(self, client, code, credential="13800000000", address="10.0.0.1"):
        return client.post(
            "/track", data={"code": code, "credential": credential}, environ_base={"REMOTE_ADDR": address}
        )

    @pytest.mark.app_config(TRACK_CODE_FAILURE_LIMITS="3 per day", TRACK_ADDRESS_FAILURE_LIMITS="100 per hour")
    def test_a_code_is_locked_after_a_few_wrong_credentials_from_anywhere(self, app, housing_item):
        code = housing_item().tracking_code
        client = app.test_client()
        assert [self.guess(client, code, address=f"10.0.0.{i}").status_code for i in range(3)] == [404] * 3
        blocked = self.guess(client, code, "13812345678", address="10.0.0.99")  # the right number, too late
        assert blocked.status_code == 429
        html = blocked.get_data(as_text=True)
        assert "验证失败次数过多" in html and "分钟后再试" in html and "12345" in html
        assert "/track/" + code not in blocked.headers.get("Location", "")

    @pytest.mark.app_config(TRACK_CODE_FAILURE_LIMITS="100 per hour", TRACK_ADDRESS_FAILURE_LIMITS="3 per day")
    def test_an_address_trying_many_codes_is_stopped(self, app, housing_item):
        codes = [housing_item().tracking_code for _ in range(2)]
        client = app.test_client()
        guesses = ["JDZ-2026-12345-67891", codes[0], "JDZ-2026-00000-00000"]
        assert [self.guess(client, c).status_code for c in guesses] == [404, 404, 404]
        assert self.guess(client, codes[1], "13812345678").status_code == 429
        # Someone else, at another address, opens their page as usual.
        assert self.guess(app.test_client(), codes[1], "13812345678", address="10.9.9.9").status_code == 303

    @pytest.mark.app_config(TRACK_CODE_FAILURE_LIMITS="3 per day")
    def test_unknown_codes_are_locked_like_real_ones(self, app, housing_item):
        real, unknown = housing_item().tracking_code, "JDZ-2026-12345-67891"
        client = app.test_client()
        answers = {
            c: [self.guess(client, c, address=f"10.2.{n}.1").status_code for n in range(4)] for c in (real, unknown)
        }
        assert answers[real] == answers[unknown] == [404, 404, 404, 429]


class TestStaffAndTheResidentsCredential:
    """Issue 17.2: the masked number staff see contained the credential, and an officer rated an item."""

    def test_what_staff_see_does_not_open_the_tracking_page(self, app, client, auth, staff, housing_item):
        suggestion = housing_item(Status.REPLIED)
        auth.login(staff["officer"])
        page = client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
        masked = re.search(r"1\d\d\*{4}\d{4}", page).group(0)
        visitor = app.test_client()
        for seen in (masked, masked[-4:], masked.replace("*", "")):
            assert (
                visitor.post("/track", data={"code": suggestion.tracking_code, "credential": seen}).status_code == 404
            )

    def test_a_staff_session_cannot_rate_the_answer(self, app, client, auth, staff, housing_item):
        suggestion = housing_item(Status.REPLIED)
        auth.login(staff["officer"])
        assert (
            client.post("/track", data={"code": suggestion.tracking_code, "credential": "13812345678"}).status_code
            == 303
        )
        page = client.get(f"/track/{suggestion.tracking_code}").get_data(as_text=True)
        assert "工作人员登录状态下不能评价答复" in page and "提交评价" not in page
        response = client.post(f"/track/{suggestion.tracking_code}/rate", data={"rating": "satisfied"})
        assert response.status_code == 403
        assert "评价只能由建议人本人作出" in response.get_data(as_text=True)
        db.session.refresh(suggestion)
        assert suggestion.resident_rating is None
        # Logged out, the same browser is the resident's again.
        auth.logout()
        assert client.post(f"/track/{suggestion.tracking_code}/rate", data={"rating": "satisfied"}).status_code == 303
        db.session.refresh(suggestion)
        assert suggestion.resident_rating is not None


class TestSharedAddress:
    """Issue 16.12: one address's limit locked out everyone behind a community centre's Wi-Fi or a carrier's NAT."""

    @pytest.mark.app_config(RATELIMIT_ENABLED=True, PUBLIC_SUBMIT_LIMIT="2 per day", PUBLIC_ADDRESS_LIMIT="5 per day")
    def test_residents_behind_one_address_each_have_their_own_limit(self, app, seeded):
        from suggestions.extensions import limiter

        limiter.reset()

        def resident():
            browser = app.test_client()
            browser.get("/")  # the form page gives the browser its visitor token
            return browser

        first, second = resident(), resident()
        assert [first.post("/", data=form_data()).status_code for _ in range(3)] == [201, 201, 429]
        assert [second.post("/", data=form_data()).status_code for _ in range(2)] == [201, 201]
        # The address as a whole has a higher ceiling: the fifth suggestion from it is the last one this minute.
        third = resident()
        assert [third.post("/", data=form_data()).status_code for _ in range(2)] == [201, 429]
        assert count() == 5

    @pytest.mark.app_config(RATELIMIT_ENABLED=True, PUBLIC_SUBMIT_LIMIT="1 per day")
    def test_a_limited_resident_is_told_what_to_do_and_keeps_the_text(self, app, seeded):
        from suggestions.extensions import limiter

        limiter.reset()
        browser = app.test_client()
        browser.get("/")
        browser.post("/", data=form_data())
        blocked = browser.post("/", data=form_data(body=TRANSPORT_TEXT + "（第二条）"))
        assert blocked.status_code == 429
        html = blocked.get_data(as_text=True)
        assert "提交过于频繁" in html and "过几分钟" in html and "12345" in html
        assert "（第二条）" in html and "<form" in html
