"""Training: cross-validation figures, the card, the calibrated final model."""

import numpy as np
import pytest

from classifier import artifacts
from classifier.dataset import Message, load_labelled
from classifier.train import Labelled, cross_validate, stratified_splits, train


@pytest.fixture(scope="module")
def labelled(tiny_csv):
    return Labelled.of(load_labelled(tiny_csv))


def test_cross_validation_reports_metrics_threshold_and_calibration(labelled, tiny_csv):
    progress = []
    report, temperature, threshold = cross_validate(labelled, n_repeats=2, progress=progress.append)
    assert report["scheme"].startswith("2x5")
    assert progress[-1] == "  cross-validation fold 10/10"
    assert 0.3 < report["macro_f1_mean"] <= 1.0 and report["macro_f1_std"] >= 0
    assert set(report["per_class"]) == set(labelled.labels)
    assert np.array(report["confusion"]["matrix"]).sum() == 140
    assert 0 <= report["ece"] <= 1
    assert temperature > 0 and report["temperature"] == round(temperature, 4)
    cut = report["threshold"]
    assert cut["threshold"] == threshold and 0 < threshold <= 1
    assert cut["target_precision"] == 0.95 and 0 <= cut["coverage"] <= 1
    assert "cross-fitted" in cut["method"]


def test_splits_are_repeatable_and_stratified(labelled):
    first = stratified_splits(labelled.targets, 2)
    again = stratified_splits(labelled.targets, 2)
    assert len(first) == 10
    assert all((a[1] == b[1]).all() for a, b in zip(first, again, strict=True))
    test = first[0][1]
    assert len({labelled.targets[i] for i in test}) == 7


def test_the_card_holds_cv_threshold_versions_hashes_and_the_handler(tiny_full_model, tiny_data_dir):
    card = tiny_full_model.card
    cv = card["metrics"]["cv"]
    assert cv["scheme"].startswith("2x5") and cv["n"] == 70
    assert {"macro_f1_mean", "macro_f1_std", "accuracy_mean", "per_class", "confusion", "ece"} <= set(cv)
    assert card["threshold"] == cv["threshold"]["threshold"] == tiny_full_model.category.threshold
    assert {"coverage", "precision", "target_precision"} <= set(cv["threshold"])
    assert card["versions"] == artifacts.library_versions()
    assert len(card["data"]["sha256"]) == 64 and card["data"]["taxonomy"] is None
    assert card["labels"] == tiny_full_model.labels
    assert card["training_seconds"] > 0 and card["recipe"]["svm_c"] == 1.0
    handler = card["handler"]
    assert handler["cv"]["n"] == 36 and len(handler["files"]) == 2
    assert tiny_full_model.handler.card == handler


def test_extra_rows_join_the_training_set(tmp_path, tiny_csv):
    extra = [Message("x1", "快递网点乱", "快递网点占道分拣包裹", "商贸旅游")]
    card = train(tmp_path / "m.joblib", data_path=tiny_csv, extra=extra, progress=lambda m: None)
    assert card["data"]["n"] == 71 and card["data"]["n_extra"] == 1
    assert len(card["data"]["extra_digests"]) == 1 and card["handler"] is None


def test_one_category_is_refused():
    with pytest.raises(ValueError, match="two categories"):
        Labelled.of([Message("1", "a", "b", "x"), Message("2", "c", "d", "x")])
