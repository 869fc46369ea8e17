import pytest

from classifier.tokenize import compose


@pytest.mark.parametrize(
    ("title", "body", "label"),
    [
        ("公交班次太少", "建议增加公交线路和站点", "交通运输"),
        ("医院挂号难", "三甲医院挂号排队时间太长", "卫生计生"),
        ("拖欠工资", "公司拖欠农民工工资还不缴社保", "劳动和社会保障"),
    ],
)
def test_predicts_obvious_cases(tiny_model, title, body, label):
    assert tiny_model.predict(title, body).category == label


def test_prediction_has_calibrated_alternatives(tiny_model):
    prediction = tiny_model.predict("公交班次太少，建议增加公交线路")
    assert len(prediction.alternatives) == 3
    assert prediction.alternatives[0] == (prediction.category, prediction.confidence)
    probabilities = [p for _, p in prediction.alternatives]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < prediction.confidence <= 1
    assert prediction.model_version == tiny_model.version


@pytest.mark.parametrize(
    "text",
    ["学校乱收费，补课费太高，希望教育局管一管", "化工厂夜里偷排废气，气味刺鼻", "老旧小区没有电梯，老人上下楼困难"],
)
def test_explanation_is_words_of_the_text(tiny_model, text):
    explanation = tiny_model.predict(text).explanation
    assert explanation
    normalized = compose(text, "")
    for word, weight in explanation:
        assert word in normalized and len(word) >= 2
        assert weight > 0
    weights = [w for _, w in explanation]
    assert weights == sorted(weights, reverse=True)


def test_empty_text_is_refused(tiny_model):
    with pytest.raises(ValueError):
        tiny_model.predict("  ", "")


def test_to_dict_is_json_ready(tiny_model):
    import json

    data = tiny_model.predict("公交班次太少").to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False))["category"] == data["category"]


def test_labels_and_version_come_from_the_card(tiny_model):
    assert tiny_model.labels == tiny_model.card["labels"] and tiny_model.version == tiny_model.card["version"]


def test_a_model_without_handler_says_none(tiny_model):
    assert tiny_model.handler is None and tiny_model.predict_handler("村里道路没有硬化") is None


def test_the_handler_prediction_comes_with_the_category(tiny_full_model):
    prediction = tiny_full_model.predict_handler("村里道路没有硬化", "某某镇某某村的道路雨天泥泞，希望镇政府解决")
    assert prediction.handler_type == "属地政府" and prediction.explanation
    assert 0 < prediction.confidence <= 1


def test_prediction_is_fast(tiny_full_model):
    import time

    body = "小区门口只有一条公交线路，早高峰车次间隔太长，建议增加公交班次。" * 12
    tiny_full_model.predict("公交线路太少", body)
    started = time.perf_counter()
    for _ in range(50):
        tiny_full_model.predict("公交线路太少", body[:390])
    assert (time.perf_counter() - started) / 50 < 0.01  # generous: the bench measures the real figure
