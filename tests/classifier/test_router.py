"""Predictions as the web app sees them: every model's label, confidence, alternatives, explanation, threshold."""

import json

import pytest

from classifier import ModelOutput, Predictions
from classifier.document import read
from classifier.tokenize import is_content_word, normalize


@pytest.mark.parametrize(
    ("title", "body", "label"),
    [
        ("公交班次太少", "建议增加公交线路和站点", "交通运输"),
        ("医院挂号难", "三甲医院挂号排队时间太长", "卫生计生"),
        ("拖欠工资", "公司拖欠农民工工资还不缴社保", "劳动和社会保障"),
    ],
)
def test_predicts_obvious_categories(tiny_model, title, body, label):
    assert tiny_model.predict(title, body).category.label == label


@pytest.mark.parametrize(
    ("title", "body", "handler"),
    [
        ("学校补课乱收费", "中学老师组织学生有偿补课", "教育"),
        ("公交班次太少", "希望增开公交线路", "交通运输"),
        ("村里道路没有硬化", "某某镇某某村的道路雨天泥泞，希望镇政府解决", "属地政府"),
    ],
)
def test_predicts_obvious_handler_types(tiny_full_model, title, body, handler):
    assert tiny_full_model.predict(title, body).handler.label == handler


def test_outputs_are_calibrated_rankings_with_the_threshold_of_the_card(tiny_full_model):
    predictions = tiny_full_model.predict("公交班次太少", "建议增加公交线路")
    assert isinstance(predictions, Predictions) and predictions.model_version == tiny_full_model.version
    for name in ("category", "handler"):
        output = getattr(predictions, name)
        assert isinstance(output, ModelOutput)
        assert len(output.alternatives) == 3 and output.alternatives[0] == (output.label, output.confidence)
        probabilities = [p for _, p in output.alternatives]
        assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1
        assert 0 < output.confidence <= 1 and output.label in tiny_full_model.labels(name)
        assert output.threshold == tiny_full_model.card["models"][name]["threshold"]
        assert output.confident == (output.confidence >= output.threshold)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("学校乱收费", "补课费太高，希望教育局管一管"),
        ("", "化工厂夜里偷排废气，气味刺鼻"),
        ("老旧小区没有电梯", ""),
        ("ABC医院挂号难", "İstanbul的😀_x000D_排队"),
    ],
)
def test_explanations_are_content_words_of_the_text_that_pushed_the_label(tiny_full_model, title, body):
    predictions = tiny_full_model.predict(title, body)
    text = normalize(f"{title} {body}")
    assert predictions.category.explanation
    for output in (predictions.category, predictions.handler):
        # A label no word of the text pushes above the others' average (a guess) has no explanation.
        for word, weight in output.explanation:
            assert word in text and len(word) >= 2 and is_content_word(word) and weight > 0
        weights = [w for _, w in output.explanation]
        assert weights == sorted(weights, reverse=True)


def test_one_reading_serves_every_model(tiny_full_model):
    doc = read("公交班次太少", "建议增加公交线路", memo=True)
    predictions = tiny_full_model.predict("公交班次太少", "建议增加公交线路")
    assert tiny_full_model.run("category", doc) == predictions.category
    assert tiny_full_model.run("handler", doc) == predictions.handler
    assert len(doc.memo) == 2  # the text's n-grams (read by both models) and the title's


@pytest.mark.parametrize(("title", "body"), [("", ""), (None, None), ("  ", "\n\t")])
def test_an_empty_message_is_refused(tiny_model, title, body):
    with pytest.raises(ValueError, match="empty"):
        tiny_model.predict(title, body)


def test_predictions_are_json_ready(tiny_full_model):
    data = tiny_full_model.predict("公交班次太少").to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert set(data) == {"category", "handler", "domain", "model_version"} and data["domain"] is None
    assert set(data["category"]) == {"label", "confidence", "alternatives", "explanation", "threshold"}
    assert data["category"]["alternatives"][0] == [data["category"]["label"], data["category"]["confidence"]]


def test_an_artifact_without_handler_or_domain_says_none(tiny_model):
    predictions = tiny_model.predict("村里道路没有硬化")
    assert predictions.handler is None and predictions.domain is None
    with pytest.raises(KeyError):
        tiny_model.labels("handler")


def test_labels_and_version_come_from_the_card(tiny_full_model):
    card = tiny_full_model.card
    assert tiny_full_model.version == card["version"]
    assert list(tiny_full_model.labels("category")) == card["models"]["category"]["labels"]
    assert list(tiny_full_model.labels("handler")) == card["models"]["handler"]["labels"]
