"""The numpy TF-IDF views give exactly what scikit-learn's vectorizers give."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.features import CharView, Corpus, WordView, fold_case, place, read

TEXTS = [
    "公交线路太少 小区门口只有一条公交线路，早高峰车次间隔太长",
    "医院挂号难 三甲医院挂号排队时间太长，ABC医院也一样",
    "İstanbul的学校补课😀收费",
    "a",
    "",
]


def _dense(columns, values, width):
    row = np.zeros(width)
    row[columns] = values
    return row


@pytest.mark.parametrize("sublinear", [False, True])
def test_char_view_matches_tfidf_vectorizer(sublinear):
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), preprocessor=fold_case, sublinear_tf=sublinear)
    vectorizer.fit(TEXTS[:3])
    view = CharView(vectorizer.vocabulary_, vectorizer.idf_, max_n=2, sublinear=sublinear, weight=0.7)
    expected = vectorizer.transform(TEXTS).toarray() * 0.7
    for text, want in zip(TEXTS, expected, strict=True):
        row = view.row(text)
        assert np.allclose(_dense(row.columns, row.values, len(view)), want)
        assert list(row.columns) == sorted(set(row.columns))


def test_word_view_matches_tfidf_vectorizer():
    docs = [read(t, "").text_words for t in TEXTS]
    vectorizer = TfidfVectorizer(analyzer=lambda words: words, sublinear_tf=True).fit(docs[:3])
    view = WordView(vectorizer.vocabulary_, vectorizer.idf_, sublinear=True, weight=1.0)
    expected = vectorizer.transform(docs).toarray()
    for words, want in zip(docs, expected, strict=True):
        row = view.row(words)
        assert np.allclose(_dense(row.columns, row.values, len(view)), want)
        assert [view.vocabulary[w] for w in row.words] == list(row.columns)


def test_views_are_placed_one_after_another():
    a = CharView({"a": 0, "b": 1}, np.ones(2), max_n=2, sublinear=False, weight=1.0)
    b = WordView({"x": 0}, np.ones(1), sublinear=True, weight=1.0)
    assert place([a, b]) == 3
    assert (a.offset, b.offset) == (0, 2)
    assert list(b.row(["x", "x", "y"]).columns) == [2]


def test_read_segments_once_and_the_title_words_lead():
    doc = read(" 公交线路太少 ", "建议增加\n\t公交班次")
    assert doc.title == "公交线路太少" and doc.text == "公交线路太少 建议增加 公交班次"
    assert "".join(doc.title_words) == "公交线路太少"
    assert all(doc.text[s:e] == w for w, s, e in zip(doc.words, doc.starts, doc.ends, strict=True))
    assert not any(w.isspace() for w in doc.words)


def test_read_lower_cases_words_without_moving_them():
    doc = read("ABC医院", "İ字")
    assert doc.folded[0] == "abc" and doc.words[0] == "ABC"
    assert fold_case("İa") == "İa" and len(fold_case("İA")) == 2
    assert read("", "").text == "" and read(None, None).words == []


def test_corpus_slices_and_joins():
    corpus = Corpus.of([read("公交", "太少"), read("医院", "挂号难")])
    assert len(corpus) == 2
    assert corpus.take([1]).titles == ["医院"]
    assert len(corpus + corpus) == 4
