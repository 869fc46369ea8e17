"""Prediction -> category -> department, thresholds, and model (re)loading."""

import logging
import os
import shutil
import time

import pytest

from suggestions import routing
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
    assert routing.threshold_for(model, None, 0.6) == model.card["threshold"]
    assert routing.threshold_for(model, 0.8, 0.6) == 0.8


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
    def test_missing_file_logs_a_warning_and_returns_none(self, tmp_path, caplog):
        holder = routing.ModelHolder(tmp_path / "none.joblib", reload_seconds=0)
        with caplog.at_level(logging.WARNING, logger="suggestions.routing"):
            assert holder.get() is None
        assert "routing everything to manual dispatch" in caplog.text
        assert "未找到分类模型文件" in holder.current_problem()

    def test_corrupt_file_is_reported_not_raised(self, tmp_path):
        path = tmp_path / "bad.joblib"
        path.write_bytes(b"not a model")
        holder = routing.ModelHolder(path, reload_seconds=0)
        assert holder.get() is None
        assert "无法加载" in holder.problem

    def test_promoted_file_is_picked_up_without_restart(self, tmp_path, tiny_model_path):
        path = tmp_path / "current.joblib"
        holder = routing.ModelHolder(path, reload_seconds=0)
        assert holder.get() is None
        shutil.copy(tiny_model_path, tmp_path / "incoming.joblib")
        os.replace(tmp_path / "incoming.joblib", path)
        first = holder.get()
        assert first is not None and holder.problem is None
        assert holder.get() is first  # unchanged file: no reload

    def test_checks_the_file_at_most_every_reload_interval(self, tmp_path, tiny_model_path):
        path = tmp_path / "current.joblib"
        holder = routing.ModelHolder(path, reload_seconds=3600)
        assert holder.get() is None
        shutil.copy(tiny_model_path, path)
        assert holder.get() is None  # not looked at again yet
        holder._checked_at = time.monotonic() - 7200
        assert holder.get() is not None
