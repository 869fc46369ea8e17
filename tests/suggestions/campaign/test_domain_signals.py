"""Which signal files a text under a domain (routing.domains.predict_domain), first match wins."""

import pytest

from classifier import ModelOutput
from suggestions.routing.decision import RouteDecision
from suggestions.routing.domains import predict_domain
from suggestions.routing.handlers import HandlerView
from tests import factories
from tests.suggestions.campaign.conftest import domain_of


def domain_model(label, confidence, threshold=0.7):
    return ModelOutput(label, confidence, ((label, confidence),), (("小区", 0.4), ("物业", 0.3)), threshold)


def handler(handler_type, confidence, threshold=0.85):
    return HandlerView(handler_type=handler_type, confidence=confidence, threshold=threshold)


@pytest.fixture
def decision(seeded):
    return RouteDecision(category=None, confidence=None, threshold=None)


def test_keywords_win_over_a_confident_domain_model(campaign, decision):
    decision.domain_output = domain_model("医疗", 0.95)
    prediction = predict_domain("", "希望多建养老院", decision, campaign)
    assert (prediction.name, prediction.reason, prediction.confident) == ("养老", "提到：养老院", True)


def test_excluded_phrases_are_removed_before_matching(campaign, decision):
    assert predict_domain("", "养老金调整", decision, campaign).name == "社保"


def test_the_domain_model_when_it_reaches_its_threshold(campaign, decision):
    decision.domain_output = domain_model("住房", 0.9)
    prediction = predict_domain("物业不作为", "小区物业不管事", decision, campaign)
    assert (prediction.domain, prediction.confidence, prediction.confident) == (domain_of(campaign, "住房"), 0.9, True)
    assert prediction.reason == "提到：小区、物业；把握 90%"


def test_a_handler_type_that_belongs_to_one_domain(campaign, decision):
    decision.domain_output = domain_model("住房", 0.4)
    decision.handler = handler("民政", 0.9)
    prediction = predict_domain("", "社区服务", decision, campaign)
    assert (prediction.name, prediction.reason, prediction.confident) == ("养老", "承办类型「民政」", True)


def test_a_handler_type_below_its_threshold_or_shared_by_two_domains_says_nothing(campaign, decision):
    decision.handler = handler("民政", 0.5)
    assert predict_domain("", "社区服务", decision, campaign) is None
    decision.handler = handler("人社", 0.95)  # 就业 or 社保: no seeded domain claims it alone
    assert predict_domain("", "社区服务", decision, campaign) is None


def test_a_confident_category_that_belongs_to_one_domain(campaign, seeded):
    from suggestions.routing.decision import Candidate

    environment = factories.category_coded("环境保护")
    decision = RouteDecision(category=environment, category_threshold=0.8)
    decision.candidates = [Candidate(environment, "环境保护", 0.93)]
    assert predict_domain("", "河水发黑", decision, campaign).reason == "类别「环境保护」"


def test_the_domain_models_best_guess_is_kept_but_not_confident(campaign, decision):
    decision.domain_output = domain_model("教育", 0.4)
    prediction = predict_domain("", "孩子上学", decision, campaign)
    assert (prediction.name, prediction.confident) == ("教育", False)
    assert prediction.reason.endswith("把握 40%，低于把握线")


def test_other_files_the_text_under_no_domain(campaign, decision):
    decision.domain_output = domain_model("其他", 0.9)
    prediction = predict_domain("", "派出所办事慢", decision, campaign)
    assert (prediction.domain, prediction.name) == (None, "其他")


def test_an_unsure_domain_never_routes_by_itself(campaign, seeded):
    from suggestions.routing.decision import _apply_domain

    decision = RouteDecision()
    decision.domain_prediction = predict_domain(
        "", "孩子上学", RouteDecision(domain_output=domain_model("教育", 0.4)), campaign
    )
    _apply_domain(decision)
    assert decision.department is None and not decision.automatic
