"""Artifacts as files and as bytes for the database: round trips, and refusal of anything else."""

import hashlib
import json

import joblib
import pytest

from classifier import ModelError, Router, dumps, load, loads, save
from classifier.artifacts import MAGIC, card_path, library_versions
from classifier.config import ARTIFACT_FORMAT

TEXTS = [("医院挂号排队时间太长", ""), ("村里道路没有硬化", "希望镇政府解决")]


def _with_header(data: bytes, **changes) -> bytes:
    """The same artifact with its header changed (the body and its digest kept)."""
    start = len(MAGIC) + 8
    length = int.from_bytes(data[len(MAGIC) : start], "big")
    header = {**json.loads(data[start : start + length]), **changes}
    encoded = json.dumps(header, ensure_ascii=False).encode("utf-8")
    return MAGIC + len(encoded).to_bytes(8, "big") + encoded + data[start + length :]


def test_bytes_round_trip_keeps_predictions_and_card(tiny_full_model):
    data = dumps(tiny_full_model)
    assert isinstance(data, bytes) and data.startswith(MAGIC)
    copy = loads(data)
    assert isinstance(copy, Router) and copy.card == tiny_full_model.card and copy.version == tiny_full_model.version
    for title, body in TEXTS:
        assert copy.predict(title, body) == tiny_full_model.predict(title, body)
    assert loads(memoryview(data)).version == tiny_full_model.version


def test_file_round_trip_writes_the_card_beside_it(tiny_full_model, tmp_path):
    path = save(tiny_full_model, tmp_path / "copy.joblib")
    assert load(path).predict(*TEXTS[1]) == tiny_full_model.predict(*TEXTS[1])
    assert path.read_bytes() == dumps(tiny_full_model)
    card = json.loads(card_path(path).read_text("utf-8"))
    assert card == tiny_full_model.card and card["artifact_format"] == ARTIFACT_FORMAT
    assert set(card["versions"]) == {"scikit-learn", "numpy", "scipy", "jieba", "python"}


def test_refuses_a_model_from_other_library_versions(tiny_model):
    card = {**tiny_model.card, "versions": {**tiny_model.card["versions"], "scikit-learn": "0.24.2"}}
    with pytest.raises(ModelError, match="scikit-learn 0.24.2"):
        loads(dumps(Router(tiny_model.models, card)))


def test_refuses_another_artifact_format(tiny_model):
    with pytest.raises(ModelError, match=f"format {ARTIFACT_FORMAT} \\(found 3\\)"):
        loads(_with_header(dumps(tiny_model), format=3))


def test_refuses_the_previous_joblib_artifacts(tiny_model, tmp_path):
    """Format 3 and earlier were joblib pickles of a dict."""
    path = tmp_path / "v3.joblib"
    joblib.dump({"format": 3, "category": None, "handler": None, "card": tiny_model.card}, path)
    with pytest.raises(ModelError, match="older or foreign"):
        load(path)


def test_refuses_an_altered_or_truncated_body(tiny_model):
    data = bytearray(dumps(tiny_model))
    data[-100] ^= 0xFF
    with pytest.raises(ModelError, match="altered or truncated"):
        loads(bytes(data))
    with pytest.raises(ModelError, match="altered or truncated"):
        loads(dumps(tiny_model)[:-10])


def test_refuses_a_card_that_does_not_describe_the_models(tiny_model):
    card = json.loads(json.dumps(tiny_model.card))
    card["models"]["category"]["labels"] = list(reversed(card["models"]["category"]["labels"]))
    with pytest.raises(ModelError, match="labels differ"):
        loads(_with_header(dumps(tiny_model), card=card))
    card = json.loads(json.dumps(tiny_model.card))
    card["models"]["handler"] = card["models"]["category"]
    with pytest.raises(ModelError, match="not the card's"):
        loads(_with_header(dumps(tiny_model), card=card))


def test_refuses_a_body_whose_digest_was_rewritten_to_match(tiny_model):
    """A header can be rewritten by anyone; the body must still unpickle into this project's models."""
    body = b"not a pickle"
    header = json.dumps(
        {"format": ARTIFACT_FORMAT, "card": tiny_model.card, "sha256": hashlib.sha256(body).hexdigest()}
    )
    encoded = header.encode()
    with pytest.raises(ModelError, match="cannot read the artifact's models"):
        loads(MAGIC + len(encoded).to_bytes(8, "big") + encoded + body)


def test_refuses_missing_and_garbage_files(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load(tmp_path / "none.joblib")
    (tmp_path / "bad.joblib").write_bytes(b"garbage")
    with pytest.raises(ModelError, match="older or foreign"):
        load(tmp_path / "bad.joblib")
    with pytest.raises(ModelError, match="header"):
        loads(MAGIC + (5).to_bytes(8, "big") + b"{not json")


def test_the_card_records_the_installed_versions(tiny_model):
    assert tiny_model.card["versions"] == library_versions()
