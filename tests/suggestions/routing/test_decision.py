"""Prediction -> category -> department, thresholds, and model (re)loading."""

import logging
import os
import shutil
import time

import pytest

import classifier
from suggestions.extensions import db
from suggestions.routing import decision as routing
from suggestions.routing.retraining import promote, register_file
from suggestions.routing.serving import ModelHolder
from tests import factories

TRANSPORT = "公交线路太少，建议增加公交班次，增设公交站点方便换乘。"


@pytest.fixture
def model(app):
    return app.extensions["classifier"].get()


def test_decision_uses_the_routing_table(seeded, model):
    decision = routing.decide("", TRANSPORT, model=model, threshold=0.0, fallback=0.6)
    assert decision.category.code == "交通运输"
    assert decision.department.name == "市交通运输委员会"
    assert decision.automatic
    assert [c.label for c in decision.candidates][0] == "交通运输"
    assert len(decision.candidates) == 3
    assert decision.reason.startswith("因为提到：")


def test_below_threshold_is_not_automatic_and_says_why(seeded, model):
    decision = routing.decide("", TRANSPORT, model=model, threshold=0.999, fallback=0.6)
    assert not decision.automatic
    assert "置信度低于阈值 100%" in decision.reason or "置信度低于阈值" in decision.reason


def test_threshold_defaults_to_the_model_card(seeded, model):
    output = model.predict("", TRANSPORT).category
    assert routing.threshold_for(output, None, 0.6) == model.card["models"]["category"]["threshold"]
    assert routing.threshold_for(output, 0.8, 0.6) == 0.8


def test_inactive_department_is_never_auto_routed(seeded, model):
    transport = factories.category_coded("交通运输")
    transport.department.is_active = False
    decision = routing.decide("", TRANSPORT, model=model, threshold=0.0, fallback=0.6)
    assert decision.department is None and not decision.automatic


def test_label_missing_from_the_table_goes_to_manual_dispatch(seeded, model):
    factories.category_coded("交通运输").is_active = False
    decision = routing.decide("", TRANSPORT, model=model, threshold=0.0, fallback=0.6)
    assert decision.category is None and not decision.automatic
    assert "不在分类表中" in decision.reason


def test_no_model_means_manual_dispatch(seeded):
    decision = routing.decide("", TRANSPORT, model=None, threshold=0.0, fallback=0.6)
    assert not decision.automatic and decision.problem


class TestModelHolder:
    """Every worker serves the version promoted in the database; the file only until one is promoted."""

    def test_missing_file_logs_a_warning_and_returns_none(self, app, tmp_path, caplog):
        holder = ModelHolder(tmp_path / "none.joblib", reload_seconds=0)
        with caplog.at_level(logging.WARNING, logger="suggestions.routing"):
            assert holder.get() is None
        assert "routing everything to manual dispatch" in caplog.text
        assert "未找到分类模型" in holder.current_problem()

    def test_corrupt_file_is_reported_not_raised(self, app, tmp_path):
        path = tmp_path / "bad.joblib"
        path.write_bytes(b"not a model")
        holder = ModelHolder(path, reload_seconds=0)
        assert holder.get() is None
        assert "无法加载" in holder.problem

    def test_a_replaced_file_is_picked_up_without_restart(self, app, tmp_path, tiny_model_path):
        path = tmp_path / "current.joblib"
        holder = ModelHolder(path, reload_seconds=0)
        assert holder.get() is None
        shutil.copy(tiny_model_path, tmp_path / "incoming.joblib")
        os.replace(tmp_path / "incoming.joblib", path)
        first = holder.get()
        assert first is not None and holder.problem is None
        assert holder.get() is first  # unchanged file: no reload

    def test_the_promoted_version_in_the_database_wins_over_the_file(
        self, app, tmp_path, tiny_model_path, tiny_full_model_path
    ):
        holder = ModelHolder(tiny_model_path, reload_seconds=0)
        assert holder.get().card["models"]["handler"] is None  # the file: category model only
        promote(register_file(tiny_full_model_path))
        db.session.commit()
        served = holder.get()
        assert served.version == classifier.load(tiny_full_model_path).version
        assert served.card["models"]["handler"] is not None
        # Another server's holder on the same database, without the file, serves the same version.
        elsewhere = ModelHolder(tmp_path / "absent.joblib", reload_seconds=0)
        assert elsewhere.get().version == served.version

    def test_looks_again_at_most_every_reload_interval(self, app, tmp_path, tiny_model_path):
        holder = ModelHolder(tmp_path / "current.joblib", reload_seconds=3600)
        assert holder.get() is None
        promote(register_file(tiny_model_path))
        db.session.commit()
        assert holder.get() is None  # not looked at again yet
        holder._checked_at = time.monotonic() - 7200
        assert holder.get() is not None


class TestRules:
    @pytest.fixture
    def rules(self, seeded):
        return routing.active_rules()

    @pytest.mark.parametrize(
        ("text", "department"),
        [
            ("建议社区多建养老服务中心", "市民政局"),
            ("我的养老金发放延迟了", None),
            ("养老金和养老院都要管", "市民政局"),
            ("学校周边食品安全问题", "市市场监督管理委员会"),
            ("小区燃气管道老化，冬季供热不足", "市城市管理委员会"),
            ("公园增加健身器材", "市体育局"),
            ("景区门票太贵", "市文化和旅游局"),
            ("公交线路太少", None),
        ],
    )
    def test_seeded_keyword_rules(self, rules, text, department):
        matched = routing.match_rule(text, None, rules)
        assert (matched[0].department.name if matched else None) == department

    def test_more_matched_words_win_and_category_specific_rules_come_first(self, rules, seeded):
        from suggestions.models import RoutingRule

        water = factories.department_named("市水务局")
        transport = factories.category_coded("交通运输")
        db.session.add(
            RoutingRule(name="积水", keywords="积水、排水", department=water, category=transport, priority=500)
        )
        db.session.commit()
        matched = routing.match_rule("公交站积水严重，排水不畅，垃圾也多", transport.id, routing.active_rules())
        assert matched[0].name == "积水" and matched[1] == ["积水", "排水"]
        elsewhere = routing.match_rule(
            "公交站积水严重，排水不畅，垃圾也多", factories.category_coded("卫生计生").id, routing.active_rules()
        )
        assert elsewhere[0].name == "燃气、供热、垃圾"

    def test_rule_refines_the_department_and_is_explained(self, seeded, model):
        decision = routing.decide(
            "公交站点", "公交站点周边景区游客太多，建议增加公交线路", model=model, threshold=0.0, fallback=0.6
        )
        assert decision.department.name == "市文化和旅游局"
        assert decision.rule.name == "旅游、景区"
        assert decision.route_reason == "规则「旅游、景区」（提到：景区）→ 市文化和旅游局"
        assert "规则「旅游、景区」" in decision.reason

    def test_inactive_rules_and_departments_do_not_fire(self, seeded, rules):
        rule = next(r for r in rules if r.name == "医保")
        rule.is_active = False
        db.session.commit()
        assert routing.match_rule("医保报销比例太低", None, routing.active_rules()) is None
