"""The Open311 GeoReport v2 API as a partner system uses it: services, posting, reading back, every error."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import ApiKey, Suggestion
from suggestions.partners import keys
from suggestions.workflow import Channel, Status

API = "/open311/v2"
TEXT = "建议在小区门口增设公交站点，早高峰加密班次，方便老人出行。"
PHONE = "13812345678"


@pytest.fixture
def tjgov_key(seeded) -> str:
    issued = keys.issue_key(Channel.TJGOV, "天津政务网专题页")
    db.session.commit()
    return issued.key


@pytest.fixture
def service_code(client, seeded) -> str:
    return client.get(f"{API}/services.json").json[0]["service_code"]


def post(client, key, code, **fields):
    data = {"api_key": key, "service_code": code, "description": TEXT, "attribute[district]": "和平区", **fields}
    return client.post(f"{API}/requests.json", data={k: v for k, v in data.items() if v is not None})


def only(response):
    assert response.is_json, response.get_data(as_text=True)
    [item] = response.json
    return item


def descriptions(response) -> str:
    return " ".join(error["description"] for error in response.json)


class TestServices:
    def test_the_campaigns_domains_are_the_services_with_string_codes_and_chinese_names(self, client, seeded):
        services = client.get(f"{API}/services.json").json
        assert [s["service_name"] for s in services][:3] == ["就业", "教育", "社保"]
        assert all(isinstance(s["service_code"], str) and s["service_code"] for s in services)
        assert all(s["group"] and "领域" in s["description"] for s in services)

    def test_a_service_definition_lists_the_districts_as_required_attribute(self, client, service_code):
        definition = client.get(f"{API}/services/{service_code}.json").json
        district = next(a for a in definition["attributes"] if a["code"] == "district")
        assert district["required"] is True and {"key": "和平区", "name": "和平区"} in district["values"]

    @pytest.mark.parametrize("code", ["999999", "²", "1" * 40, "abc"])
    def test_an_unknown_service_is_a_404_in_the_spec_error_format(self, client, seeded, code):
        response = client.get(f"{API}/services/{code}.json")
        assert response.status_code == 404
        assert response.json[0]["code"] == 404 and "不存在" in response.json[0]["description"]


class TestPost:
    def test_a_partner_posts_a_suggestion_that_is_stored_on_its_channel_routed_and_readable(
        self, client, tjgov_key, service_code, vault
    ):
        response = post(
            client, tjgov_key, service_code, phone=PHONE, last_name="王", first_name="小明", email="wang@example.cn"
        )
        assert response.status_code == 201
        created = only(response)
        assert "access_secret" not in created  # the resident checks the tracking page with the phone
        suggestion = db.session.scalar(
            sa.select(Suggestion).where(Suggestion.tracking_code == created["service_request_id"])
        )
        assert suggestion.channel == Channel.TJGOV
        assert suggestion.district.name == "和平区" and suggestion.domain_id == int(service_code)
        assert suggestion.status in (Status.DISPATCHED, Status.NEEDS_TRIAGE)  # routed before the answer
        assert suggestion.contact_name == "王小明"
        assert PHONE not in (suggestion.phone_ciphertext or "") and vault.decrypt(suggestion.phone_ciphertext) == PHONE
        assert (
            "wang@" not in suggestion.email_ciphertext
            and vault.decrypt(suggestion.email_ciphertext) == "wang@example.cn"
        )
        assert suggestion.phone_masked == "138****5678"

    def test_the_answers_never_carry_personal_data(self, client, tjgov_key, service_code):
        created = only(
            post(
                client, tjgov_key, service_code, phone=PHONE, last_name="王", first_name="小明", email="wang@example.cn"
            )
        )
        code = created["service_request_id"]
        for response in (
            client.get(f"{API}/requests/{code}.json"),
            client.get(f"{API}/requests.json"),
            client.get(f"{API}/requests.json?service_request_id={code}"),
        ):
            text = response.get_data(as_text=True)
            assert code in text
            for personal in (PHONE, "5678", "王小明", "小明", "wang@", TEXT[:8]):
                assert personal not in text

    def test_without_a_phone_the_answer_carries_the_one_time_tracking_secret(self, client, tjgov_key, service_code):
        created = only(post(client, tjgov_key, service_code))
        assert created["access_secret"] and created["access_secret"] in created["service_notice"]

    def test_the_same_partner_id_twice_stores_one_suggestion_and_answers_with_the_first(
        self, client, tjgov_key, service_code
    ):
        first = post(client, tjgov_key, service_code, **{"attribute[partner_id]": "ZWW-2026-0001"})
        again = post(client, tjgov_key, service_code, **{"attribute[partner_id]": "ZWW-2026-0001"})
        other = post(client, tjgov_key, service_code, **{"attribute[partner_id]": "ZWW-2026-0002"})
        assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
        assert (
            only(first)["service_request_id"] == only(again)["service_request_id"] != only(other)["service_request_id"]
        )
        assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 2

    def test_the_same_partner_id_on_another_channel_is_another_suggestion(self, client, tjgov_key, service_code):
        enorth = keys.issue_key(Channel.ENORTH, "北方网专题页").key
        db.session.commit()
        a = only(post(client, tjgov_key, service_code, **{"attribute[partner_id]": "7"}))
        b = only(post(client, enorth, service_code, **{"attribute[partner_id]": "7"}))
        assert a["service_request_id"] != b["service_request_id"]
        channels = db.session.scalars(sa.select(Suggestion.channel).order_by(Suggestion.id)).all()
        assert channels == [Channel.TJGOV, Channel.ENORTH]

    def test_the_12345_system_posts_as_the_hotline(self, client, service_code):
        key = keys.issue_key(Channel.HOTLINE, "12345工单系统").key
        db.session.commit()
        only(post(client, key, service_code, phone="022-23456789"))
        suggestion = db.session.scalar(sa.select(Suggestion))
        assert suggestion.channel == Channel.HOTLINE and suggestion.phone_masked == "022****6789"

    @pytest.mark.parametrize(
        ("address", "district", "place"),
        [
            ("天津市河西区友谊路35号", "河西区", "友谊路35号"),
            ("滨海新区中新生态城", "滨海新区", "中新生态城"),
            ("南开 鞍山西道", "南开区", "鞍山西道"),
        ],
    )
    def test_the_district_and_place_can_come_from_address_string(
        self, client, tjgov_key, service_code, address, district, place
    ):
        response = post(client, tjgov_key, service_code, address_string=address, **{"attribute[district]": None})
        assert response.status_code == 201, response.get_data(as_text=True)
        suggestion = db.session.scalar(sa.select(Suggestion))
        assert suggestion.district.name == district and suggestion.body.endswith(f"地点：{place}")

    def test_a_confidential_request_is_stored_as_such(self, client, tjgov_key, service_code):
        post(client, tjgov_key, service_code, **{"attribute[confidential]": "true"})
        assert db.session.scalar(sa.select(Suggestion.confidential)) is True


class TestPostErrors:
    @pytest.mark.parametrize("api_key", [None, "", "jdz_not-a-key", "x" * 500])
    def test_a_missing_or_unknown_key_is_403_and_stores_nothing(self, client, seeded, service_code, api_key):
        response = post(client, api_key, service_code)
        assert response.status_code == 403 and response.json[0]["code"] == 403
        assert "api_key" in descriptions(response)
        assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 0

    def test_a_revoked_key_is_refused(self, client, tjgov_key, service_code):
        assert post(client, tjgov_key, service_code).status_code == 201
        keys.revoke_key(keys.active_key(tjgov_key))
        db.session.commit()
        assert post(client, tjgov_key, service_code).status_code == 403
        assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 1

    @pytest.mark.parametrize(
        ("fields", "says"),
        [
            ({"service_code": None}, "缺少 service_code"),
            ({"service_code": "999999"}, "service_code「999999」不存在"),
            ({"service_code": "abc"}, "不存在"),
            ({"service_code": "²"}, "不存在"),
            ({"service_code": "１"}, "不存在"),
            ({"description": None}, "缺少 description"),
            ({"description": "太短了"}, "10–5000 个字"),
            ({"description": "字" * 5001}, "10–5000 个字"),
            ({"description": "<script>alert(1)</script>请增加公交班次"}, "网页代码"),
            ({"attribute[district]": None}, "写明所属区"),
            ({"attribute[district]": "海淀区"}, "不是天津市的区"),
            ({"address_string": "河东区大直沽"}, "不一致"),
            ({"phone": "12345"}, "phone"),
            ({"email": "not-an-address"}, "email"),
            ({"attribute[confidential]": "maybe"}, "true 或 false"),
            ({"attribute[partner_id]": "has space"}, "partner_id"),
            ({"attribute[partner_id]": "x" * 65}, "64"),
            ({"title": "题" * 51}, "title"),
            ({"last_name": "欧阳" * 6, "first_name": "名" * 10}, "合计最多"),
        ],
    )
    def test_bad_fields_are_400_with_a_chinese_description_and_store_nothing(
        self, client, tjgov_key, service_code, fields, says
    ):
        response = post(client, tjgov_key, service_code, **fields)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert all(error["code"] == 400 for error in response.json)
        assert says in descriptions(response)
        assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 0

    def test_a_json_body_is_415(self, client, tjgov_key, service_code):
        response = client.post(f"{API}/requests.json", json={"api_key": tjgov_key, "service_code": service_code})
        assert response.status_code == 415 and "x-www-form-urlencoded" in descriptions(response)

    def test_a_closed_campaign_refuses_the_topic_pages_but_not_the_12345_system(self, client, tjgov_key, service_code):
        from datetime import date

        from suggestions.models import Campaign

        campaign = db.session.scalar(sa.select(Campaign))
        campaign.opens_on, campaign.closes_on = date(2020, 9, 1), date(2020, 9, 27)
        db.session.commit()
        hotline = keys.issue_key(Channel.HOTLINE, "12345工单系统").key
        db.session.commit()
        refused = post(client, tjgov_key, service_code)
        assert refused.status_code == 403 and "征集" in descriptions(refused)
        assert post(client, hotline, service_code).status_code == 201

    def test_an_unknown_method_is_405_with_allow_in_the_spec_format(self, client, seeded):
        response = client.put(f"{API}/requests.json")
        assert response.status_code == 405 and "POST" in response.headers["Allow"]
        assert response.json[0]["code"] == 405

    def test_an_unknown_address_under_the_api_is_a_404_in_the_spec_format(self, client, seeded):
        response = client.get(f"{API}/nothing/here")
        assert response.status_code == 404 and response.json[0]["code"] == 404


class TestRateLimit:
    @pytest.mark.app_config(RATELIMIT_ENABLED=True)
    def test_each_key_has_its_own_limit(self, client, seeded, service_code):
        from suggestions.extensions import limiter

        limiter.reset()
        slow = keys.issue_key(Channel.TJGOV, "慢", rate_limit="2 per minute").key
        fast = keys.issue_key(Channel.ENORTH, "快", rate_limit="50 per minute").key
        db.session.commit()
        assert [post(client, slow, service_code).status_code for _ in range(3)] == [201, 201, 429]
        limited = post(client, slow, service_code)
        assert limited.json[0]["code"] == 429 and "频繁" in limited.json[0]["description"]
        assert post(client, fast, service_code).status_code == 201  # the other key is not affected
        assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 3
        limiter.reset()

    @pytest.mark.app_config(RATELIMIT_ENABLED=True, OPEN311_POST_ADDRESS_LIMIT="3 per minute")
    def test_bad_keys_are_403_and_limited_per_address(self, client, seeded, service_code):
        from suggestions.extensions import limiter

        limiter.reset()
        assert [post(client, "jdz_guess", service_code).status_code for _ in range(4)] == [403, 403, 403, 429]
        limiter.reset()


class TestGet:
    def test_one_request_by_tracking_code_shows_its_public_status(self, client, tjgov_key, service_code):
        code = only(post(client, tjgov_key, service_code))["service_request_id"]
        item = only(client.get(f"{API}/requests/{code}.json"))
        assert item["service_request_id"] == code and item["status"] == "open"
        assert item["status_notes"] in ("正在分派", "已转交承办部门") and item["address"] == "和平区"
        assert item["service_code"] == service_code and item["requested_datetime"].endswith("+08:00")
        # lower case and without dashes is the same code, as on the tracking page
        assert client.get(f"{API}/requests/{code.lower().replace('-', '')}.json").status_code == 200

    @pytest.mark.parametrize("code", ["JDZ-2026-00000-00001", "nonsense", "JDZ-2026-12345-67891"])
    def test_an_unknown_tracking_code_is_404(self, client, seeded, code):
        response = client.get(f"{API}/requests/{code}.json")
        assert response.status_code == 404 and response.json[0]["code"] == 404

    def test_filters(self, client, tjgov_key, service_code, seeded):
        codes = [
            only(post(client, tjgov_key, service_code, **{"attribute[partner_id]": str(n)}))["service_request_id"]
            for n in range(3)
        ]
        other_code = client.get(f"{API}/services.json").json[1]["service_code"]
        other = only(post(client, tjgov_key, other_code))["service_request_id"]
        listed = lambda query: [i["service_request_id"] for i in client.get(f"{API}/requests.json?{query}").json]  # noqa: E731
        assert listed("") == [other, *reversed(codes)]  # newest first
        assert listed(f"service_code={service_code}") == list(reversed(codes))
        assert listed(f"service_request_id={codes[0]},{other}&service_code={service_code}") == [other, codes[0]]
        assert listed("status=open") == listed("") and listed("status=closed") == []
        assert listed("page_size=2") == [other, codes[2]] and listed("page_size=2&page=2") == [codes[1], codes[0]]
        assert listed("page=99999") == []
        assert listed("start_date=2000-01-01&end_date=2000-12-31") == []
        assert len(listed("start_date=2000-01-01")) == 4

    def test_closed_items_are_closed_and_list_their_department(self, client, housing_item):
        suggestion = housing_item(Status.CLOSED)
        item = only(client.get(f"{API}/requests.json?status=closed"))
        assert item["service_request_id"] == suggestion.tracking_code and item["status_notes"] == "已办结"
        assert item["agency_responsible"] == "市住房和城乡建设委员会" and item["expected_datetime"] is None
        assert client.get(f"{API}/requests.json?status=open").json == []

    @pytest.mark.parametrize(
        "query",
        [
            "start_date=yesterday",
            "end_date=2026-13-01",
            "start_date=0001-01-01T00:00:00%2B14:00",
            "start_date=2026-10-02&end_date=2026-10-01",
            "page=0",
            "page=99999999999999999999999",
            "page_size=100000",
            "page=-1",
            "status=pending",
            "service_code=nope",
            "service_code=%C2%B2",
            "page=%C2%B2",
            "service_request_id=JDZ-1",
            "service_request_id=" + ",".join(["JDZ-2026-48291-73605"] * 51),
        ],
    )
    def test_bad_filters_are_400_never_500(self, client, seeded, query):
        response = client.get(f"{API}/requests.json?{query}")
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.json[0]["code"] == 400 and response.json[0]["description"]


class TestChannels:
    def test_partner_suggestions_are_counted_and_filtered_by_their_channel(
        self, client, auth, staff, tjgov_key, service_code
    ):
        for n in range(2):
            post(client, tjgov_key, service_code, **{"attribute[partner_id]": f"a{n}"})
        auth.login(staff["dispatcher"])
        stats = client.get("/stats/").get_data(as_text=True)
        assert "天津政务网" in stats
        queue = client.get("/queue?channel=tjgov").get_data(as_text=True)
        codes = db.session.scalars(sa.select(Suggestion.tracking_code)).all()
        assert all(code in queue for code in codes)
        assert 'value="enorth"' in client.get("/queue").get_data(as_text=True)
        assert not any(code in client.get("/queue?channel=enorth").get_data(as_text=True) for code in codes)


def test_the_openapi_document_says_the_district_is_required(client, seeded):
    document = client.get(f"{API}/openapi.json").json
    post_schema = document["paths"]["/open311/v2/requests.json"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"
    ]["schema"]
    new = document["components"]["schemas"]["NewRequest"]
    assert post_schema == {"$ref": "#/components/schemas/NewRequest"}
    assert "attribute[district]" in new["required"] and "和平区" in new["properties"]["attribute[district]"]["enum"]


def test_the_api_needs_no_csrf_token(app, tjgov_key, service_code):
    app.config["WTF_CSRF_ENABLED"] = True
    response = post(app.test_client(), tjgov_key, service_code)
    assert response.status_code == 201


def test_keys_are_stored_hashed(tjgov_key):
    row = db.session.scalar(sa.select(ApiKey))
    assert tjgov_key not in (row.key_hash, row.key_prefix) and row.key_hash == keys.key_hash(tjgov_key)
