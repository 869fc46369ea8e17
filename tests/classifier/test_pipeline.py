import numpy as np

from classifier.dataset import load_labelled
from classifier.evaluate import choose_threshold, expected_calibration_error, quality
from classifier.pipeline import build_pipeline, linear_weights
from classifier.train import cross_validate


def test_pipeline_fits_and_names_its_steps(tiny_csv):
    messages = load_labelled(tiny_csv)
    pipeline = build_pipeline().fit([m.text for m in messages], [m.label for m in messages])
    assert [name for name, _ in pipeline.steps] == ["tfidf", "clf"]
    proba = pipeline.predict_proba(["公交线路太少"])
    assert np.isclose(proba.sum(), 1.0)
    weights = linear_weights(pipeline[-1])
    assert weights.shape == (len(pipeline.classes_), len(pipeline[0].vocabulary_))


def test_cross_validation_reports_metrics_threshold_and_calibration(tiny_csv):
    report = cross_validate(load_labelled(tiny_csv), n_splits=5, n_repeats=2, progress=lambda m: None)
    assert report["scheme"].startswith("2x5")
    assert 0.3 < report["macro_f1_mean"] <= 1.0
    assert report["macro_f1_std"] >= 0
    assert set(report["per_class"]) == {m.label for m in load_labelled(tiny_csv)}
    assert 0 <= report["ece"] <= 1
    assert 0 < report["threshold"]["threshold"] <= 1


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
