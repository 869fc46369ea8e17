"""The category model: fitting the recipe, numpy scoring, explanations."""

import numpy as np
import pytest

from classifier.dataset import Message, load_labelled
from classifier.features import Corpus, read
from classifier.model import ABSENT, CategoryModel, Recipe, fit, fit_and_score, softmax
from classifier.tokenize import is_content_word


@pytest.fixture(scope="module")
def messages(tiny_csv):
    return load_labelled(tiny_csv)


@pytest.fixture(scope="module")
def corpus(messages):
    return Corpus.of([read(m.title, m.body) for m in messages])


@pytest.fixture(scope="module")
def model(messages, corpus) -> CategoryModel:
    labels = sorted({m.label for m in messages})
    return fit(corpus, [m.label for m in messages], labels=labels)


def test_fit_gives_one_weight_column_per_label(model, messages):
    assert model.labels == tuple(sorted({m.label for m in messages}))
    assert model.weights.shape == (model.n_features, len(model.labels))
    assert model.n_features == sum(len(view) for view in model.views)
    assert model.temperature == 1.0 and model.threshold == 1.0


def test_single_and_batch_scores_agree(model, messages, corpus):
    batch = model.batch_scores(corpus.take(range(10)))
    single = np.array([model.scores(read(m.title, m.body)) for m in messages[:10]])
    assert np.allclose(batch, single)


def test_scores_are_the_sum_of_feature_contributions(model):
    features = model.features(read("公交班次太少", "建议增加公交线路"))
    assert np.allclose(features.values @ features.active + model.intercept, features.scores)
    proba = model.probabilities(features.scores)
    assert np.isclose(proba.sum(), 1.0) and model.labels[int(proba.argmax())] == "交通运输"


def test_taxonomy_pseudo_documents_teach_new_words(messages, corpus):
    labels = sorted({m.label for m in messages})
    targets = [m.label for m in messages]
    taxonomy = Corpus.of([read("地铁 轨道交通", "")] * 3), ["交通运输"] * 3
    plain = fit(corpus, targets, labels=labels)
    taught = fit(corpus, targets, labels=labels, taxonomy=taxonomy)
    doc = read("轨道交通", "")
    k = labels.index("交通运输")
    assert softmax(taught.scores(doc))[k] > softmax(plain.scores(doc))[k]


def test_a_label_missing_from_the_training_rows_is_never_predicted(messages, corpus):
    labels = sorted({m.label for m in messages}) + ["政法"]
    scores = fit_and_score(
        corpus,
        [m.label for m in messages],
        range(0, 70, 2),
        range(1, 70, 2),
        labels=labels,
        taxonomy=None,
        recipe=Recipe(),
    )
    assert scores.shape == (35, 8)
    assert (scores[:, -1] == ABSENT).all()
    assert (scores.argmax(axis=1) != 7).all()


def test_two_labels_train_too(messages, corpus):
    rows = [i for i, m in enumerate(messages) if m.label in ("交通运输", "卫生计生")]
    model = fit(corpus.take(rows), [messages[i].label for i in rows], labels=["交通运输", "卫生计生"])
    assert model.labels[int(model.scores(read("医院挂号难", "")).argmax())] == "卫生计生"
    assert model.labels[int(model.scores(read("公交太少", "")).argmax())] == "交通运输"


def test_one_label_is_refused(messages, corpus):
    with pytest.raises(ValueError, match="two categories"):
        fit(corpus.take([0, 1]), ["交通运输", "交通运输"], labels=["交通运输"])


@pytest.mark.parametrize(
    ("title", "body"),
    [("学校乱收费", "补课费太高，希望教育局管一管"), ("", "化工厂夜里偷排废气，气味刺鼻"), ("ABC医院挂号难", "")],
)
def test_explanation_is_content_words_of_the_text_that_push_the_prediction(model, title, body):
    doc = read(title, body)
    features = model.features(doc)
    best = int(features.scores.argmax())
    explanation = model.explain(doc, features, best, 6)
    assert 0 < len(explanation) <= 6
    for word, weight in explanation:
        assert word in doc.text and len(word) >= 2 and is_content_word(word) and weight > 0
    weights = [w for _, w in explanation]
    assert weights == sorted(weights, reverse=True)


def test_fit_ignores_taxonomy_rows_of_unknown_categories(messages, corpus):
    labels = sorted({m.label for m in messages})
    taxonomy = Corpus.of([read("治安 刑事案件", "")]), ["政法"]
    model = fit(corpus, [m.label for m in messages], labels=labels, taxonomy=taxonomy)
    assert "政法" not in model.labels
    assert isinstance(Message("1", "a", "b", "c").text, str)
