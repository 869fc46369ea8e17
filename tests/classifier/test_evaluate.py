import numpy as np

from classifier.evaluate import choose_threshold, evaluate_classifier, expected_calibration_error, quality


def test_quality_metrics_on_a_known_case():
    report = quality(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert report["accuracy"] == 0.75
    assert report["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert report["confusion"] == {"labels": ["a", "b"], "matrix": [[1, 1], [0, 2]]}


def test_threshold_is_the_lowest_cut_that_keeps_95_percent_precision():
    confidence = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 1, 1, 1, 0, 0], dtype=bool)
    result = choose_threshold(confidence, correct, target_precision=0.95)
    assert result == {"threshold": 0.8, "precision": 1.0, "coverage": 0.6667, "target_precision": 0.95}


def test_threshold_when_nothing_reaches_the_target():
    result = choose_threshold(np.array([0.9, 0.8]), np.array([False, True]))
    assert result["threshold"] == 1.0 and result["coverage"] == 0.0


def test_ece_is_zero_for_perfect_calibration():
    assert expected_calibration_error(np.array([1.0, 1.0]), np.array([1, 1])) == 0.0
    assert expected_calibration_error(np.array([0.9, 0.9]), np.array([0, 0])) == 0.9


def test_evaluate_classifier_scores_a_loaded_model(tiny_model):
    from classifier.dataset import Message

    report = evaluate_classifier(tiny_model, [Message("1", "医院挂号难", "排队太久", "卫生计生")])
    assert report["n"] == 1 and report["accuracy"] == 1.0 and report["model_version"] == tiny_model.version
