"""Training the handler-type model on weak labels: features, card, cross-validation, corrections, data checks.

Unit tests train on ``tests/data/tiny_dept.csv`` (see ``tests/classifier/conftest.py``); one slow test trains on
the real replies in ``../shared/data``.
"""

import csv
import json

import joblib
import numpy as np
import pytest

from classifier.config import DATA_DIR, REPLIES_FILE
from classifier.dataset import DatasetError
from classifier.handler import HANDLER_TYPES, HandlerModel, clean, label_reply, message_text, word_spans
from classifier.handler_training import _prepare, cross_validate_handler, train_handler
from tests.classifier.conftest import TINY_DEPT


@pytest.fixture
def model(tiny_handler) -> HandlerModel:
    return tiny_handler


@pytest.fixture
def tiny_dir(tiny_dept_dir):
    return tiny_dept_dir


def test_the_fixture_replies_carry_their_dept_type():
    with TINY_DEPT.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 36
    assert all(label_reply(row["reply"])[0] == row["dept_type"] for row in rows)


def test_the_numpy_scorer_reproduces_sklearn_tfidf(model, tiny_dir):
    """Prediction recomputes TfidfVectorizer's features (char, place and word blocks) by hand; they must equal
    the training matrix."""
    data = _prepare(tiny_dir, lambda message: None)
    with TINY_DEPT.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row, expected in zip(rows, data.features.toarray(), strict=True):
        text = message_text(row["title"], row["body"])
        columns, values, _ = model._features(clean(row["title"]), text, word_spans(text))
        got = np.zeros_like(expected)
        got[columns] = values
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_card_has_counts_coverage_and_cross_validation(model):
    card = json.loads(json.dumps(model.card, ensure_ascii=False))
    assert card["label_counts"] == {t: 6 for t in ("属地政府", "公安", "教育", "交通运输", "住建", "城管")}
    assert card["weak_labels"]["coverage"] == 1.0 and card["weak_labels"]["n_replies"] == 36
    assert card["labels"] == list(model.labels) == sorted(card["label_counts"])
    cv = card["cv"]
    assert cv["scheme"].startswith("1x5") and cv["n"] == 36
    assert {"accuracy_mean", "accuracy_std", "macro_f1_mean", "local_accuracy_mean", "ece"} <= set(cv)
    assert set(cv["threshold"]) == {"threshold", "precision", "coverage", "target_precision"}
    assert card["threshold"] == model.threshold and 0 < model.threshold <= 1
    assert list(card["files"]) == [REPLIES_FILE]


def test_cross_validation_report_with_repeats(tiny_dir):
    report = cross_validate_handler(tiny_dir, n_repeats=2)
    assert report["scheme"].startswith("2x5") and report["n"] == 36
    assert 0 < report["accuracy_mean"] <= 1 and report["accuracy_std"] >= 0
    assert 0 < report["local_accuracy_mean"] <= 1 and 0 <= report["macro_f1_mean"] <= 1
    assert set(report["per_type"]) == {"属地政府", "公安", "教育", "交通运输", "住建", "城管"}
    assert report["weak_labels"]["n_labelled"] == 36


def test_corrections_join_the_weak_labels(tiny_dir):
    from classifier.dataset import Message

    corrections = [
        Message(f"c{i}", "快递包裹丢失", "快递公司不赔偿，希望邮政管理部门处理", "交通运输") for i in range(3)
    ]
    model = train_handler(tiny_dir, extra=corrections)
    assert model.card["weak_labels"]["n_corrections"] == 3
    assert model.card["cv"]["n"] == 39
    assert model.predict("快递包裹丢失", "快递公司不赔偿").handler_type == "交通运输"


def test_training_needs_the_reply_file(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        train_handler(tmp_path)
    (tmp_path / REPLIES_FILE).write_text("id,title,body\n1,a,b\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="reply"):
        train_handler(tmp_path)


def test_training_needs_two_handler_types(tmp_path):
    with TINY_DEPT.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["dept_type"] == "公安"]
    with (tmp_path / REPLIES_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ValueError, match="two handler types"):
        train_handler(tmp_path)


@pytest.mark.slow
def test_trains_on_the_real_data(tmp_path):
    """The one test that trains on ../shared/data: label coverage and cross-validated quality of the recipe."""
    model = train_handler(DATA_DIR)
    card = model.card
    assert card["weak_labels"]["n_replies"] == 2806
    assert card["weak_labels"]["coverage"] >= 0.70
    assert sum(card["label_counts"].values()) == card["weak_labels"]["n_labelled"]
    assert card["cv"]["accuracy_mean"] > 0.55 and card["cv"]["local_accuracy_mean"] > 0.75
    assert 0 < card["threshold"] < 1 and card["cv"]["threshold"]["coverage"] > 0.1
    assert card["training_seconds"] < 60
    assert set(model.labels) <= set(HANDLER_TYPES) and len(model.labels) == 21
    prediction = model.predict("小区电动车被盗", "小区连续发生电动车被盗，报警后派出所民警来看过，但一直没有破案。")
    assert prediction.handler_type == "公安"
    joblib.dump(model, tmp_path / "handler.joblib", compress=3)
    assert (tmp_path / "handler.joblib").stat().st_size < 5_000_000
