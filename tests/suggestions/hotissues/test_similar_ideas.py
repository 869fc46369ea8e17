"""Similar earlier ideas on the public form, and 「我也有同样的建议」: support with a tracking code and the answer."""

import re

import pytest
import sqlalchemy as sa

from suggestions import casework
from suggestions.extensions import db
from suggestions.models import Suggestion
from tests import factories
from tests.suggestions.hotissues.conftest import issue_of
from tests.suggestions.hotissues.ideas import LONER, PARKING

TYPED = {"title": "伊景园滨河苑车位", "body": "伊景园滨河苑开发商捆绑销售车位，不买车位就不能买房"}


def form(**overrides):
    data = {
        "title": "我也遇到捆绑车位",
        "body": "伊景园滨河苑买房必须买车位，开发商捆绑销售，请有关部门处理。",
        "district": str(factories.district_named("河西区").id),
        "domain": "",
        "contact_name": "",
        "phone": "",
        "consent": "y",
    }
    return {**data, **overrides}


@pytest.fixture
def earlier(file_idea):
    first = file_idea(*PARKING[0], phone="13812345678", contact_name="王女士")
    file_idea(*PARKING[1], phone="13987654321")
    secret = file_idea("伊景园滨河苑捆绑车位保密反映", PARKING[0][1], confidential=True)
    file_idea(*LONER[0])
    return first, secret


def test_up_to_three_similar_ideas_without_personal_data(client, earlier):
    first, secret = earlier
    response = client.post("/similar", data=TYPED)
    assert response.status_code == 200
    ideas = response.get_json()["ideas"]
    assert 1 <= len(ideas) <= 3
    assert ideas[0]["id"] == first.id and ideas[0]["title"] == first.title
    assert ideas[0]["status"] and ideas[0]["issue"] == issue_of(first).label
    assert all(set(idea) == {"id", "title", "status", "issue", "supporters"} for idea in ideas)
    assert secret.id not in [idea["id"] for idea in ideas]  # 保密 items are never shown
    text = response.get_data(as_text=True)
    for personal in ("王女士", "13812345678", "138****5678", first.tracking_code, "捆绑销售车位，不买车位"):
        assert personal not in text
    assert client.post("/similar", data={"title": "", "body": "短"}).get_json() == {"ideas": []}


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_look_up_needs_the_forms_csrf_token(client, seeded):
    assert client.post("/similar", data=TYPED).status_code == 400


@pytest.mark.app_config(RATELIMIT_ENABLED=True, SIMILAR_IDEAS_LIMIT="2 per minute")
def test_the_look_up_is_rate_limited(client, seeded):
    statuses = [client.post("/similar", data=TYPED).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_supporter_gets_a_tracking_code_and_sees_the_originals_answer(client, earlier, staff):
    first, _ = earlier
    before = issue_of(first).residents
    response = client.post("/", data=form(supports=str(first.id)))
    assert response.status_code == 201
    receipt = response.get_data(as_text=True)
    assert "您已附议" in receipt and first.title in receipt
    code = re.search(r"JDZ-\d{4}-\d{5}-\d{5}", receipt).group(0)
    support = db.session.scalar(sa.select(Suggestion).where(Suggestion.tracking_code == code))
    assert support.supports_id == first.id
    assert issue_of(support) == issue_of(first) and issue_of(first).residents == before + 1

    officer = staff["officer"]
    casework.sign(first, actor=officer)
    casework.start(first, actor=officer)
    casework.reply(first, "已约谈开发商，车位不得捆绑销售。", actor=officer)
    db.session.commit()
    html = client.get(f"/track/{code}").get_data(as_text=True)  # this browser submitted it
    assert "您附议的建议" in html and first.title in html and "已约谈开发商，车位不得捆绑销售。" in html


def test_submitting_a_new_idea_stays_the_default(client, earlier):
    first, secret = earlier
    for supports in ("", "abc", str(secret.id), "999999"):
        response = client.post("/", data=form(supports=supports, body=form()["body"] + supports))
        assert response.status_code == 201
    assert db.session.scalar(sa.select(sa.func.count()).where(Suggestion.supports_id.is_not(None))) == 0
