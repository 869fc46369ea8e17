"""Whose domain a suggestion has: the resident's or operator's choice wins and stays; a correction is an event."""

import pytest
import sqlalchemy as sa

from suggestions import routing
from suggestions.extensions import db
from suggestions.models import RouteCorrection, Suggestion
from suggestions.workflow import Action, DomainSource, Status
from tests import factories
from tests.suggestions.campaign.conftest import domain_of
from tests.suggestions.conftest import events_of

CANTEEN = "建议在社区开设老年助餐食堂，方便行动不便的独居老人就近吃上热饭。"


def public_form(campaign, **overrides):
    data = {
        "title": "社区老年食堂",
        "body": CANTEEN,
        "district": str(factories.district_named("南开区").id),
        "domain": "",
        "consent": "y",
    }
    data.update(overrides)
    return data


def latest() -> Suggestion:
    return db.session.scalar(sa.select(Suggestion).order_by(Suggestion.id.desc()))


def test_the_residents_choice_is_stored_with_its_source(client, campaign):
    elderly = domain_of(campaign, "养老")
    assert client.post("/", data=public_form(campaign, domain=str(elderly.id))).status_code == 201
    suggestion = latest()
    assert (suggestion.domain, suggestion.domain_source) == (elderly, DomainSource.RESIDENT)


def test_an_elderly_canteen_idea_without_a_domain_is_filed_under_elderly_care_and_reaches_civil_affairs(
    client, auth, staff, campaign
):
    """Issue 12's done-when: the text names a 老年食堂; nobody chose a domain."""
    response = client.post("/", data=public_form(campaign))
    assert response.status_code == 201
    assert "市民政局" in response.get_data(as_text=True)
    suggestion = latest()
    assert (suggestion.domain, suggestion.domain_source) == (domain_of(campaign, "养老"), DomainSource.PREDICTED)
    assert suggestion.domain_reason == "提到：老年食堂、助餐"
    assert suggestion.status == Status.DISPATCHED and suggestion.department.name == "市民政局"
    auth.login(staff["dispatcher"])
    page = client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "领域「养老」（提到：老年食堂、助餐）→ 市民政局" in page


def test_a_pension_question_is_social_insurance_not_elderly_care(client, campaign):
    body = "我父亲退休后养老金一直没有按时发放，希望社保部门尽快核实。"
    assert client.post("/", data=public_form(campaign, title="养老金迟发", body=body)).status_code == 201
    assert latest().domain == domain_of(campaign, "社保")
    assert latest().domain_reason == "提到：养老金"


def test_text_no_signal_knows_stays_undecided(client, campaign):
    """The app fixture's tiny model has no domain model; nothing in this text names a domain."""
    body = "建议在路口增设一个邮筒。"
    assert client.post("/", data=public_form(campaign, title="增设邮筒", body=body)).status_code == 201
    assert latest().domain is None and latest().domain_source is None


def test_a_differing_prediction_never_replaces_the_residents_choice_and_staff_see_both(client, auth, staff, campaign):
    education, elderly = domain_of(campaign, "教育"), domain_of(campaign, "养老")
    assert client.post("/", data=public_form(campaign, domain=str(education.id))).status_code == 201
    suggestion = latest()
    assert (suggestion.domain, suggestion.domain_source) == (education, DomainSource.RESIDENT)
    assert suggestion.predicted_domain == elderly
    auth.login(staff["dispatcher"])
    page = client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "教育" in page and "市民选择" in page and "系统判断：养老（提到：老年食堂、助餐）" in page


def test_keywords_an_administrator_adds_take_effect_for_the_next_suggestion(client, campaign):
    from suggestions.campaign import taxonomy

    culture = domain_of(campaign, "文化体育")
    taxonomy.update_domain(culture, name=culture.name, default_department=culture.default_department, keywords="图书馆")
    db.session.commit()
    body = "建议区图书馆延长周末开放时间。"
    assert client.post("/", data=public_form(campaign, title="图书馆开放时间", body=body)).status_code == 201
    assert (latest().domain, latest().domain_reason) == (culture, "提到：图书馆")


def test_a_domain_of_another_campaign_is_refused_with_a_message(client, campaign):
    response = client.post("/", data=public_form(campaign, domain="999999"))
    assert response.status_code == 400 and "请从列表中选择" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 0


def test_the_operators_choice_on_the_hotline_is_stored_as_the_operators(client, auth, staff, campaign):
    food = domain_of(campaign, "食品安全")
    auth.login(staff["operator"])
    data = {
        "phone": "13912345678",
        "district": str(factories.district_named("南开区").id),
        "body": "来电反映学校周边小摊贩售卖三无食品，希望加强食品安全检查。",
        "called_at": "2026-11-20 09:30",
        "notice_read": "y",
        "domain": str(food.id),
        "category": "",
        "department": "",
    }
    assert "建议领域" in client.get("/hotline/new").get_data(as_text=True)
    assert client.post("/hotline/new", data=data).status_code == 303
    suggestion = latest()
    assert (suggestion.domain, suggestion.domain_source) == (food, DomainSource.OPERATOR)


@pytest.fixture
def chosen_item(app, campaign):
    vault = app.extensions["phone_vault"]
    return factories.submit(
        vault,
        category=factories.category_coded("教育文体"),
        campaign_id=campaign.id,
        domain_id=domain_of(campaign, "教育").id,
        body=CANTEEN,
    ).suggestion


def test_a_dispatchers_correction_sets_the_domain_as_an_event_and_feeds_retraining(
    client, auth, staff, campaign, chosen_item
):
    elderly = domain_of(campaign, "养老")
    auth.login(staff["dispatcher"])
    response = client.post(
        f"/suggestions/{chosen_item.id}/correct_route",
        data={"correct_route-domain": str(elderly.id), "correct_route-reason": "实为老年助餐"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (chosen_item.domain, chosen_item.domain_source) == (elderly, DomainSource.CORRECTED)
    assert chosen_item.category.code == "教育文体"  # only the domain was corrected
    event = events_of(chosen_item)[-1]
    assert event.action == Action.CORRECT_ROUTE and event.reason == "实为老年助餐"
    assert event.details["changed"]["domain_id"] == [domain_of(campaign, "教育").id, elderly.id]
    assert event.details["changed"]["domain_source"] == ["resident", "corrected"]
    correction = db.session.scalar(sa.select(RouteCorrection))
    assert (correction.corrected_domain, correction.corrected_category) == ("养老", "教育文体")


def test_an_officers_domain_correction_is_recorded_but_does_not_change_the_item(staff, campaign, chosen_item):
    officer = factories.StaffUserFactory(role="officer", department=chosen_item.department)
    routing.correct_route(chosen_item, actor=officer, domain=domain_of(campaign, "养老"), reason="应属养老")
    assert chosen_item.domain == domain_of(campaign, "教育")
    assert db.session.scalar(sa.select(RouteCorrection.corrected_domain)) == "养老"


def test_a_correction_needs_something_to_correct(client, auth, staff, chosen_item):
    auth.login(staff["dispatcher"])
    response = client.post(f"/suggestions/{chosen_item.id}/correct_route", data={"correct_route-reason": "看看"})
    assert response.status_code == 400 and "请至少选择" in response.get_data(as_text=True)
    assert chosen_item.status == Status.DISPATCHED
