import json
import time

import joblib
import pytest

from classifier import ModelError, artifacts, load
from classifier.config import ARTIFACT_FORMAT


def test_save_load_round_trip_keeps_predictions(tiny_full_model, tmp_path):
    model = tiny_full_model
    path = artifacts.save(model.category, model.handler, model.card, tmp_path / "copy.joblib")
    copy = load(path)
    text = "医院挂号排队时间太长"
    assert copy.predict(text).to_dict() == model.predict(text).to_dict()
    assert copy.predict_handler(text) == model.predict_handler(text)
    card = json.loads(artifacts.card_path(path).read_text("utf-8"))
    assert card["version"] == model.version
    assert set(card["versions"]) >= {"scikit-learn", "numpy", "scipy", "jieba", "python"}
    assert len(card["data"]["sha256"]) == 64 and card["labels"] == model.labels
    assert card["handler"]["labels"] == list(model.handler.labels)


def test_the_payload_holds_both_models(tiny_full_model_path):
    payload = joblib.load(tiny_full_model_path)
    assert set(payload) == {"format", "category", "handler", "card"} and payload["format"] == ARTIFACT_FORMAT


def test_refuses_to_load_a_model_from_other_library_versions(tiny_model, tmp_path):
    card = {**tiny_model.card, "versions": {**tiny_model.card["versions"], "scikit-learn": "0.24.2"}}
    path = artifacts.save(tiny_model.category, None, card, tmp_path / "old.joblib")
    with pytest.raises(ModelError, match="scikit-learn 0.24.2"):
        load(path)


@pytest.mark.parametrize("old", [1, 2])
def test_refuses_a_previous_artifact_format(old, tiny_model, tmp_path):
    """Format 1 held a scikit-learn pipeline; format 2's handler model lacked the word block."""
    path = tmp_path / f"v{old}.joblib"
    joblib.dump({"format": old, "pipeline": None, "card": tiny_model.card}, path)
    with pytest.raises(ModelError, match=f"format {ARTIFACT_FORMAT}"):
        load(path)


def test_refuses_unknown_artifact_format(tmp_path):
    path = tmp_path / "x.joblib"
    joblib.dump({"format": 999}, path)
    with pytest.raises(ModelError, match="format"):
        load(path)


def test_refuses_missing_and_corrupt_files(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load(tmp_path / "none.joblib")
    (tmp_path / "bad.joblib").write_bytes(b"garbage")
    with pytest.raises(ModelError, match="cannot read"):
        load(tmp_path / "bad.joblib")


def test_loading_is_quick(tiny_full_model_path):
    started = time.perf_counter()
    load(tiny_full_model_path)
    assert time.perf_counter() - started < 1.5
