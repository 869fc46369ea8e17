"""The explanation maps a linear pipeline's feature pushes onto the words of the text, exactly."""

import numpy as np
import pytest

from classifier.document import read
from classifier.explain import explain, views
from classifier.tokenize import is_content_word

TEXTS = [
    ("学校补课乱收费", "中学老师组织学生有偿补课，每人收费两千元"),
    ("村里道路没有硬化", "某某镇某某村的道路雨天泥泞，希望镇政府解决，道路道路"),
    ("", "楼下夜宵摊油烟扰民，城管管一管"),
]


def _by_str_find(pipeline, doc, row, label):
    """The definition, term by term with str.find: a term's push is shared by its occurrences and characters."""
    coef = pipeline.named_steps["clf"].coef_
    dense = row.toarray()[0]
    push = dense * (coef[label] - coef.mean(axis=0))
    char_scores = np.zeros(len(doc.text))
    for vectorizer, offset in views(pipeline.named_steps["features"]):
        source = vectorizer.analyzer.source(doc)
        for term, column in vectorizer.vocabulary_.items():
            value = push[offset + column]
            if value == 0:
                continue
            starts, start = [], source.find(term)
            while start != -1:
                starts.append(start)
                start = source.find(term, start + 1)
            for start in starts:
                char_scores[start : start + len(term)] += value / len(starts) / len(term)
    scores = {}
    for word, start, end in zip(doc.words, doc.starts, doc.ends, strict=True):
        if len(word) >= 2 and is_content_word(word):
            scores[word] = scores.get(word, 0.0) + float(char_scores[start:end].sum())
    ranked = sorted(((w, s) for w, s in scores.items() if s > 1e-9), key=lambda pair: -pair[1])
    return ranked[:6]


@pytest.mark.parametrize("name", ["category", "handler"])
@pytest.mark.parametrize(("title", "body"), TEXTS)
def test_explanation_equals_the_definition(tiny_full_model, name, title, body):
    pipeline = tiny_full_model.models[name]
    doc = read(title, body)
    row = pipeline.named_steps["features"].transform([doc]).tocsr()
    label = int(pipeline.predict_proba([doc])[0].argmax())
    got = explain(pipeline, doc, row, label, 6)
    expected = _by_str_find(pipeline, doc, row, label)
    assert [w for w, _ in got] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-4)
