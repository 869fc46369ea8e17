"""Operators enter calls; the channel is always 12345."""

import re

import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import Suggestion
from suggestions.workflow import Action, Channel, Status
from tests import factories

CALL = "反映小区门口公交站点太少，公交线路绕远，早高峰公交车太挤，希望增加公交班次。"


def call_data(**overrides):
    data = {
        "phone": "13912345678",
        "district": str(factories.district_named("南开区").id),
        "body": CALL,
        "called_at": "2026-11-20T09:30",
        "notice_read": "y",
        "category": "",
        "department": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def operator_client(client, auth, staff):
    auth.login(staff["operator"])
    return client


def test_form_for_operators_puts_focus_on_the_phone_field(operator_client):
    html = operator_client.get("/hotline/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*autofocus[^>]*name="phone"|<input[^>]*name="phone"[^>]*autofocus', html)
    assert "保存并继续" in html and "预测分拨" in html
    assert "01 和平区" in html  # numbered districts can be picked by typing


@pytest.mark.parametrize("role", ["dispatcher", "officer", "admin"])
def test_other_roles_cannot_use_the_hotline_form(client, auth, staff, role):
    auth.login(staff[role])
    assert client.get("/hotline/new").status_code == 403
    assert client.post("/hotline/new", data={}).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, seeded):
    response = client.get("/hotline/new")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_save_and_continue_records_a_hotline_call_and_returns_a_fresh_form(operator_client, staff):
    response = operator_client.post("/hotline/new", data=call_data(channel="web"))
    assert response.status_code == 303
    suggestion = db.session.scalar(sa.select(Suggestion))
    assert suggestion.channel == Channel.HOTLINE
    assert suggestion.operator_id == staff["operator"].id
    assert suggestion.phone_masked == "139****5678"
    assert suggestion.received_at.isoformat().startswith("2026-11-20T01:30")  # 09:30 Beijing time
    page = operator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert suggestion.tracking_code in page
    assert 'value="13912345678"' not in page  # a fresh, empty form


def test_call_time_can_be_typed_as_just_the_time_of_day(operator_client):
    from suggestions import clock

    operator_client.post("/hotline/new", data=call_data(called_at="00:01"))
    suggestion = db.session.scalar(sa.select(Suggestion))
    assert clock.local(suggestion.received_at).strftime("%H:%M") == "00:01"
    assert clock.local(suggestion.received_at).date() == clock.local_today()


def test_preview_shows_category_department_and_confidence_without_saving(operator_client):
    response = operator_client.post("/hotline/new", data=call_data(preview="1"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "交通运输" in html and "市交通运输委员会" in html and "置信度" in html
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 0


def test_live_prediction_endpoint_returns_route_and_candidates(operator_client):
    response = operator_client.post("/hotline/predict", data={"body": CALL}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    data = response.json
    assert data["category"] == "交通运输"
    assert data["department"] == "市交通运输委员会"
    assert 0 < data["confidence"] <= 1
    assert len(data["candidates"]) == 3
    assert data["explanation"] and all(word in CALL for word in data["explanation"])
    assert data["handler"] is None  # the tiny model has no handler-type model
    assert data["department_candidates"][0] == {
        "department": "市交通运输委员会",
        "probability": data["confidence"],
        "basis": "按类别",
    }


def test_live_prediction_takes_the_district_and_refuses_a_forged_one(operator_client):
    district = factories.district_named("河西区")
    ok = operator_client.post("/hotline/predict", data={"body": CALL, "district": district.id})
    assert ok.status_code == 200
    forged = operator_client.post("/hotline/predict", data={"body": CALL, "district": "99999"})
    assert forged.status_code == 400 and forged.json["error"]


def test_live_prediction_shows_similar_items_and_the_callers_earlier_calls(operator_client, app):
    vault = app.extensions["phone_vault"]
    transport = factories.category_coded("交通运输")
    earlier = factories.submit(
        vault, category=transport, phone="13912345678", body="公交车太挤了，早高峰上不去车。"
    ).suggestion
    similar = factories.submit(
        vault, category=transport, phone="13700000000", body="小区门口公交站点太少，公交线路绕远，建议调整。"
    ).suggestion
    response = operator_client.post(
        "/hotline/predict", data={"body": CALL, "phone": "139 1234 5678"}, headers={"Accept": "application/json"}
    )
    data = response.json
    assert [item["code"] for item in data["earlier_calls"]] == [earlier.tracking_code]
    assert similar.tracking_code in [item["code"] for item in data["similar"]]
    assert "13912345678" not in response.get_data(as_text=True)


def test_live_prediction_without_text_is_a_400_in_chinese(operator_client):
    response = operator_client.post("/hotline/predict", data={"body": ""}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"] == "请先填写来电内容。"


def test_operator_overrides_the_department(operator_client):
    police = factories.department_named("市公安局")
    operator_client.post("/hotline/new", data=call_data(department=str(police.id)))
    suggestion = db.session.scalar(sa.select(Suggestion))
    assert suggestion.department == police
    assert suggestion.status == Status.DISPATCHED
    assert suggestion.predicted_category == "交通运输"  # the model's view is kept for retraining


def test_operator_overrides_the_category_and_its_department_follows(operator_client):
    health = factories.category_coded("卫生计生")
    operator_client.post("/hotline/new", data=call_data(category=str(health.id)))
    suggestion = db.session.scalar(sa.select(Suggestion))
    assert (suggestion.category, suggestion.department.name) == (health, "市卫生健康委员会")


def test_operator_sends_the_call_to_manual_dispatch(operator_client):
    operator_client.post("/hotline/new", data=call_data(department="triage"))
    suggestion = db.session.scalar(sa.select(Suggestion))
    assert suggestion.status == Status.NEEDS_TRIAGE
    events = db.session.scalars(suggestion.events.select()).all()
    assert events[-1].action == Action.FLAG_FOR_TRIAGE


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": ""}, "请填写来电号码"),
        ({"phone": "110"}, "带区号的固定电话"),
        ({"phone": "23456789"}, "固定电话请加区号"),
        ({"phone": "0221234"}, "带区号的固定电话"),
        ({"body": "短"}, "应为 10–5000 个字"),
        ({"called_at": "yesterday"}, "来电时间格式应为"),
        ({"called_at": "2099-01-01 09:00"}, "来电时间不能晚于现在"),
        ({"called_at": ""}, "请填写来电时间"),
        ({"notice_read": None}, "宣读个人信息保护告知"),
        ({"department": "99999"}, None),
    ],
)
def test_bad_call_input_gets_a_400_and_stores_nothing(operator_client, overrides, message):
    response = operator_client.post("/hotline/new", data=call_data(**overrides))
    assert response.status_code == 400
    if message:
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 0


class TestCallersWithoutAMobile:
    """Issue 16.9: landline callers and callers who withhold the number could not be saved."""

    @pytest.mark.parametrize(
        ("typed", "stored", "masked"),
        [("022-2345 6789", "02223456789", "022****6789"), ("(0316)1234567", "03161234567", "0316****4567")],
    )
    def test_a_landline_with_its_area_code_is_saved_and_matches_repeat_calls(
        self, operator_client, app, typed, stored, masked
    ):
        assert operator_client.post("/hotline/new", data=call_data(phone=typed)).status_code == 303
        suggestion = db.session.scalar(sa.select(Suggestion))
        vault = app.extensions["phone_vault"]
        assert suggestion.phone_masked == masked and vault.decrypt(suggestion.phone_ciphertext) == stored
        assert suggestion.phone_hash == vault.phone_hash(stored)
        # The queue's search box posts the number; the list is shown at an address with its hash (issue 17.5).
        found = operator_client.post("/queue", data={"q": typed}, follow_redirects=True).get_data(as_text=True)
        assert suggestion.tracking_code in found
        preview = operator_client.post("/hotline/predict", data={"body": CALL, "phone": typed}).get_json()
        assert [item["code"] for item in preview["earlier_calls"]] == [suggestion.tracking_code]

    def test_a_caller_who_withholds_the_number_is_saved_without_one(self, operator_client):
        data = call_data(phone="139 1234 5678", phone_withheld="y")  # typed before the caller declined
        response = operator_client.post("/hotline/new", data=data)
        assert response.status_code == 303
        suggestion = db.session.scalar(sa.select(Suggestion))
        assert suggestion.phone_withheld and suggestion.phone_ciphertext is None and suggestion.phone_hash is None
        page = operator_client.get(response.headers["Location"]).get_data(as_text=True)
        assert "查询密钥" in page  # the caller can still open the tracking page

    def test_the_form_offers_the_choice_and_wires_it_to_the_number(self, operator_client):
        html = operator_client.get("/hotline/new").get_data(as_text=True)
        box = re.search(r'<input[^>]*name="phone_withheld"[^>]*>', html).group(0)
        assert 'data-disables="phone"' in box and "来电人不愿留号" in html
