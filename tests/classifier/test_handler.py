"""The handler-type model as served: prediction, explanation, persistence, evaluation.

Unit tests use a model trained on ``tests/data/tiny_dept.csv`` (the ``tiny_handler`` fixture): 36 hand-written
messages, six per handler type, in the layout of attachment 4 (with a synthetic official reply) plus the intended
``dept_type``. Training itself is tested in ``test_handler_training.py``.
"""

import json

import joblib
import numpy as np
import pytest

from classifier.dataset import load_labelled
from classifier.handler import (
    HANDLER_TYPES,
    LOCAL,
    HandlerModel,
    HandlerPrediction,
    clean,
    evaluate_dept,
    message_text,
    word_spans,
)
from classifier.tokenize import compose, is_content_word, segment
from tests.classifier.conftest import TINY_DEPT

TEXTS = [
    ("学校补课乱收费", "中学老师组织学生有偿补课，每人收费两千元"),
    ("村里道路没有硬化", "某某镇某某村的道路雨天泥泞，希望镇政府解决"),
    ("公交班次太少", "希望增开公交线路"),
    ("", "楼下夜宵摊油烟扰民，城管管一管"),
    ("物业不作为", ""),
]


@pytest.fixture
def model(tiny_handler) -> HandlerModel:
    return tiny_handler


@pytest.mark.parametrize(("title", "body"), TEXTS)
def test_prediction_is_a_calibrated_ranking(model, title, body):
    prediction = model.predict(title, body)
    assert isinstance(prediction, HandlerPrediction)
    assert prediction.handler_type in model.labels and set(model.labels) <= set(HANDLER_TYPES)
    assert len(prediction.alternatives) == 3
    assert prediction.alternatives[0] == (prediction.handler_type, prediction.confidence)
    probabilities = [p for _, p in prediction.alternatives]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < prediction.confidence <= 1 and sum(probabilities) <= 1
    assert 0 <= prediction.local_probability <= 1
    for label, p in prediction.alternatives:
        if label == LOCAL:
            assert p == prediction.local_probability


@pytest.mark.parametrize(("title", "body"), TEXTS)
def test_explanation_is_words_of_the_text(model, title, body):
    explanation = model.predict(title, body).explanation
    assert explanation
    text = compose(title, body)
    for word, weight in explanation:
        assert word in text and len(word) >= 2 and is_content_word(word)
        assert weight > 0
    weights = [w for _, w in explanation]
    assert weights == sorted(weights, reverse=True)


@pytest.mark.parametrize(
    ("title", "body", "handler"),
    [
        ("学校补课乱收费", "中学老师组织学生有偿补课", "教育"),
        ("公交班次太少", "希望增开公交线路", "交通运输"),
        ("村里道路没有硬化", "希望镇政府解决", LOCAL),
    ],
)
def test_predicts_obvious_cases(model, title, body, handler):
    assert model.predict(title, body).handler_type == handler


def test_local_probability_follows_the_text(model):
    village = model.predict("村里道路没有硬化", "某某镇某某村的道路雨天泥泞，希望镇政府解决")
    school = model.predict("学校补课乱收费", "中学老师组织学生有偿补课")
    assert village.local_probability > 0.5 > school.local_probability


def test_to_dict_is_json_ready(model):
    data = model.predict(*TEXTS[0]).to_dict()
    assert set(data) == {"handler_type", "confidence", "alternatives", "local_probability", "explanation"}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


@pytest.mark.parametrize(("title", "body"), [("", ""), (None, None), ("  ", "\n\t")])
def test_empty_message_is_refused(model, title, body):
    with pytest.raises(ValueError, match="empty"):
        model.predict(title, body)


@pytest.mark.parametrize(
    "body",
    ["İstanbul的学校补课收费", "学校补课😀收费，班主任说是自愿的", "_x000D_学校补课_x000D_收费", "a"],
)
def test_unusual_characters_do_not_break_prediction(model, body):
    prediction = model.predict("补课", body)
    text = message_text("补课", body)
    assert all(word in text for word, _ in prediction.explanation)


def test_joblib_round_trip_keeps_predictions(model, tmp_path):
    path = tmp_path / "handler.joblib"
    joblib.dump(model, path)
    copy = joblib.load(path)
    assert copy.card == model.card and copy.labels == model.labels
    for title, body in TEXTS:
        assert copy.predict(title, body) == model.predict(title, body)


def _reference_explanation(model, title, body):
    """classifier.predict's way, term by term with str.find, for comparison with the vectorised version."""
    text, title = message_text(title, body), clean(title)
    columns, values, _ = model._features(title, text, word_spans(text))
    active = model.weights[columns]
    best = int(np.argmax(values @ active + model.intercept))
    push = dict(zip(columns.tolist(), (values * (active[:, best] - active.mean(axis=1))).tolist(), strict=True))
    char_scores = np.zeros(len(text))
    for block, source in ((model.blocks[0], text.lower()), (model.blocks[1], title.lower())):
        for key, column in zip(block.keys.tolist(), block.columns.tolist(), strict=True):
            if push.get(column, 0) <= 0:
                continue
            term = "".join(chr((key >> shift) & 0x1FFFFF) for shift in (42, 21, 0)).lstrip("\0")
            start = source.find(term)
            while start != -1:
                char_scores[start : start + len(term)] += push[column] / len(term)
                start = source.find(term, start + 1)
    scores = {}
    for word, start, end in segment(text):
        if len(word) >= 2 and is_content_word(word):
            scores[word] = scores.get(word, 0.0) + float(char_scores[start:end].sum())
    for word in scores:  # plus the word's own push in the word block, once
        scores[word] += push.get(model.blocks[3].vocabulary.get(word.lower()), 0.0)
    ranked = sorted(((w, s) for w, s in scores.items() if s > 0), key=lambda pair: -pair[1])
    return [(word, round(score, 4)) for word, score in ranked[:6]]


@pytest.mark.parametrize(("title", "body"), TEXTS)
def test_explanation_maps_features_to_words_like_the_category_model(model, title, body):
    got = list(model.predict(title, body).explanation)
    expected = _reference_explanation(model, title, body)
    assert [w for w, _ in got] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=2e-4)


def test_evaluate_dept_keeps_unknown_labels(model, tmp_path):
    path = tmp_path / "dept.csv"
    path.write_text(
        "id,title,body,dept_type\n"
        "1,学校补课乱收费,中学老师组织学生有偿补课,教育\n"
        "2,村里道路没有硬化,希望镇政府解决,属地政府\n"
        "3,小区楼道堆放杂物,希望街道办管一管,街道办\n",
        encoding="utf-8",
    )
    report = evaluate_dept(model, load_labelled(path, label_column="dept_type"))
    report = json.loads(json.dumps(report, ensure_ascii=False))
    assert {"accuracy", "macro_f1", "n", "per_type", "local_accuracy", "confusion", "top2_accuracy"} <= set(report)
    assert report["n"] == 3 and report["unknown_labels"] == ["街道办"]
    assert report["per_type"]["街道办"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert set(report["per_type"]["教育"]) == {"precision", "recall", "f1", "support"}
    assert "街道办" in report["confusion"]["labels"]
    assert len(report["confusion"]["matrix"]) == len(report["confusion"]["labels"])
    assert report["accuracy"] == 0.6667 and 0 <= report["local_accuracy"] <= 1


def test_evaluate_dept_on_the_training_fixture(model):
    report = evaluate_dept(model, load_labelled(TINY_DEPT, label_column="dept_type"))
    assert report["n"] == 36 and report["accuracy"] > 0.9 and report["local_accuracy"] > 0.9
    assert report["unknown_labels"] == []


def test_evaluate_dept_refuses_an_empty_list(model):
    with pytest.raises(ValueError, match="no labelled"):
        evaluate_dept(model, [])
