"""Training: one path for every model -- cross-validation figures, threshold, card, rare labels, skipped models."""

import numpy as np
import pytest

from classifier import load
from classifier.artifacts import library_versions
from classifier.config import REPLIES_FILE
from classifier.dataset import Message, load_labelled
from classifier.specs import spec
from classifier.train import MIN_EXAMPLES, Labelled, cross_validate, stratified_splits, train


@pytest.fixture(scope="module")
def labelled(tiny_csv):
    return Labelled.of(load_labelled(tiny_csv))


def test_cross_validation_reports_figures_and_a_cross_fitted_threshold(labelled):
    progress = []
    report, threshold = cross_validate(spec("category"), labelled, n_repeats=2, progress=progress.append)
    assert report["scheme"].startswith("2x5") and report["n"] == 70
    assert progress[-1] == "  category cross-validation fold 10/10"
    assert 0.3 < report["macro_f1_mean"] <= 1.0 and report["macro_f1_std"] >= 0
    assert 0.3 < report["accuracy_mean"] <= 1.0
    assert set(report["per_class"]) == set(labelled.label_order)
    assert np.array(report["confusion"]["matrix"]).sum() == 140
    assert 0 <= report["ece"] <= 1
    cut = report["threshold"]
    assert cut["threshold"] == threshold and 0 < threshold <= 1
    assert cut["target_precision"] == 0.95 and 0 <= cut["coverage"] <= 1
    assert "cross-fitted" in cut["method"]


def test_splits_are_repeatable_and_stratified(labelled):
    first, again = stratified_splits(labelled.labels, 2), stratified_splits(labelled.labels, 2)
    assert len(first) == 10
    assert all((a[1] == b[1]).all() for a, b in zip(first, again, strict=True))
    assert len({labelled.labels[i] for i in first[0][1]}) == 7


def test_the_card_holds_cv_threshold_versions_and_data_digests(tiny_full_model):
    card = tiny_full_model.card
    assert card["versions"] == library_versions() and card["models"]["domain"] is None
    # The repository's domain labels name attachment-4 ids that the fixtures do not have.
    assert "labels" in card["skipped"]["domain"]
    category, handler = card["models"]["category"], card["models"]["handler"]
    for model, n in ((category, 70), (handler, 36)):
        cv = model["cv"]
        assert cv["scheme"].startswith("2x5") and cv["n"] == n == model["data"]["n"]
        assert {
            "macro_f1_mean",
            "macro_f1_std",
            "accuracy_mean",
            "accuracy_std",
            "per_class",
            "confusion",
            "ece",
        } <= set(cv)
        assert model["threshold"] == cv["threshold"]["threshold"]
        assert {"coverage", "precision", "target_precision"} <= set(cv["threshold"])
        assert all(len(digest) == 64 for digest in model["data"]["files"].values())
        assert model["n_features"] > 0 and set(model["steps"]) == {"features", "clf"}
    assert category["target_precision"] == 0.95 and handler["target_precision"] == 0.90
    assert "local_accuracy_mean" in handler["cv"] and list(handler["data"]["files"]) == [REPLIES_FILE]
    assert handler["data"]["weak_labels"]["n_replies"] == 36 and handler["data"]["weak_labels"]["coverage"] == 1.0
    assert handler["data"]["label_counts"] == {t: 6 for t in ("属地政府", "公安", "教育", "交通运输", "住建", "城管")}
    assert card["training_seconds"] > 0


def test_without_a_data_directory_only_the_category_model_is_trained(tiny_model):
    assert set(tiny_model.models) == {"category"}
    assert tiny_model.card["skipped"]["handler"] == "no data directory"
    assert set(tiny_model.card["skipped"]) == {"handler", "domain"}


def test_the_domain_model_is_trained_when_its_labels_file_is_there(tiny_domain_model):
    card = tiny_domain_model.card["models"]["domain"]
    assert set(tiny_domain_model.models) == {"category", "handler", "domain"}
    assert card["labels"] == ["住房", "城乡建设", "教育"]
    assert card["data"]["left_out"] == {"养老": 1} and card["data"]["n_ids_not_found"] == 1
    assert set(card["data"]["files"]) == {"domains.csv", REPLIES_FILE}
    prediction = tiny_domain_model.predict("幼儿园入园难", "小区附近没有公办幼儿园，希望教育部门增加学位").domain
    assert prediction.label == "教育" and prediction.explanation


def test_labels_with_too_few_examples_are_left_out():
    messages = [Message(str(i), f"公交{i}", "太少", "交通运输") for i in range(MIN_EXAMPLES)]
    messages += [Message(str(i), f"医院{i}", "挂号难", "卫生计生") for i in range(MIN_EXAMPLES)]
    messages.append(Message("x", "学校", "收费", "教育文体"))
    data = Labelled.of(messages)
    assert data.label_order == ["交通运输", "卫生计生"] and data.left_out == {"教育文体": 1}
    with pytest.raises(ValueError, match="two labels"):
        Labelled.of(messages[:MIN_EXAMPLES] + messages[-1:])


def test_a_labels_file_outside_the_domains_is_refused(tmp_path, tiny_data_dir):
    (tmp_path / "domains.csv").write_text("id,domain\n1,交通\n", encoding="utf-8")
    with pytest.raises(ValueError, match="交通"):
        train(tmp_path / "m.joblib", data_dir=tiny_data_dir, labels_dir=tmp_path, cv_repeats=1, progress=print)


def test_progress_names_every_step(tmp_path, tiny_csv):
    progress = []
    train(tmp_path / "m.joblib", data_path=tiny_csv, cv_repeats=1, progress=progress.append)
    assert progress[0] == "[1/3] category: cross-validating on 70 messages (1x5 folds)"
    assert "[2/3] handler: skipped (no data directory)" in progress
    assert progress[-1].startswith(f"saved {tmp_path / 'm.joblib'}")
    assert load(tmp_path / "m.joblib").card["models"]["category"]["cv"]["n"] == 70
