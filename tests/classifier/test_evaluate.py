import numpy as np
import pytest

from classifier.dataset import Message
from classifier.evaluate import choose_threshold, evaluate, expected_calibration_error, quality
from classifier.specs import local_accuracy


def test_quality_metrics_on_a_known_case():
    report = quality(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert report["accuracy"] == 0.75
    assert report["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert report["confusion"] == {"labels": ["a", "b"], "matrix": [[1, 1], [0, 2]]}


def test_threshold_is_the_lowest_cut_that_keeps_the_target_precision():
    confidence = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 1, 1, 1, 0, 0], dtype=bool)
    result = choose_threshold(confidence, correct, target_precision=0.95)
    assert result == {"threshold": 0.8, "precision": 1.0, "coverage": 0.6667, "target_precision": 0.95}


def test_threshold_cuts_only_between_distinct_confidences():
    result = choose_threshold(np.array([0.9, 0.8, 0.8]), np.array([True, True, False]), target_precision=0.9)
    assert result["threshold"] == 0.9 and result["coverage"] == 0.3333


def test_threshold_when_nothing_reaches_the_target():
    result = choose_threshold(np.array([0.9, 0.8]), np.array([False, True]), target_precision=0.95)
    assert result["threshold"] == 1.0 and result["coverage"] == 0.0


def test_ece_is_zero_for_perfect_calibration():
    assert expected_calibration_error(np.array([1.0, 1.0]), np.array([1, 1])) == 0.0
    assert expected_calibration_error(np.array([0.9, 0.9]), np.array([0, 0])) == 0.9


def test_evaluate_scores_a_loaded_router(tiny_model):
    report = evaluate(
        tiny_model, [Message("1", "医院挂号难", "排队太久", "卫生计生"), Message("2", "社区治安", "", "政法")]
    )
    assert report["n"] == 2 and report["accuracy"] == 0.5 and report["model_version"] == tiny_model.version
    assert report["unknown_labels"] == ["政法"] and "政法" in report["per_class"]
    assert report["at_threshold"]["threshold"] == tiny_model.card["models"]["category"]["threshold"]


def test_evaluate_the_handler_with_its_extra_figure(tiny_full_model):
    messages = [
        Message("1", "学校补课乱收费", "中学老师组织学生有偿补课", "教育"),
        Message("2", "村道", "希望镇里修", "属地政府"),
    ]
    report = evaluate(tiny_full_model, messages, "handler", extra_metrics=local_accuracy)
    assert 0 <= report["local_accuracy"] <= 1 and report["n"] == 2


def test_evaluate_refuses_a_model_the_artifact_lacks_and_an_empty_list(tiny_model):
    with pytest.raises(ValueError, match="no handler model"):
        evaluate(tiny_model, [Message("1", "a", "b", "教育")], "handler")
    with pytest.raises(ValueError, match="no labelled"):
        evaluate(tiny_model, [])
