"""A message is read once: normalised text, jieba words with their positions, and the analyzers' terms."""

import pickle

import pytest

from classifier.document import CharNgrams, fold_case, read


def test_read_normalises_and_the_title_leads_the_text():
    doc = read(" 公交线路太少 ", "建议增加\n\t公交班次")
    assert doc.title == "公交线路太少" and doc.text == "公交线路太少 建议增加 公交班次"
    assert doc.text.startswith(doc.title)


def test_words_are_jieba_spans_of_the_text_without_whitespace():
    doc = read("老楼加装电梯", "希望 尽快办理")
    assert all(doc.text[s:e] == w for w, s, e in zip(doc.words, doc.starts, doc.ends, strict=True))
    assert not any(w.isspace() for w in doc.words)
    assert "".join(doc.words) == doc.text.replace(" ", "")


def test_case_is_folded_without_moving_characters():
    doc = read("ABC医院", "İ字")
    assert doc.folded == "abc医院 İ字" and len(doc.folded) == len(doc.text)
    assert fold_case("İa") == "İa" and len(fold_case("İA")) == 2


def test_an_empty_message_reads_as_empty():
    assert read("", "").text == "" and read(None, None).words == ()


@pytest.mark.parametrize("field", ["text", "title"])
@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 3)])
def test_terms_sit_where_positions_say(field, ngram_range):
    doc = read("公交ABC线路", "早高峰 İstanbul 😀 车次")
    analyzer = CharNgrams(field, ngram_range)
    terms = analyzer(doc)
    starts, lengths = analyzer.positions(doc)
    assert len(terms) == len(starts) == len(lengths)
    for term, start, length in zip(terms, starts, lengths, strict=True):
        assert doc.folded[start : start + length] == term
        assert ngram_range[0] <= length <= ngram_range[1]
    if field == "title":
        assert all(start + length <= len(doc.title) for start, length in zip(starts, lengths, strict=True))


def test_analyzers_compare_by_what_they_count_and_pickle():
    assert CharNgrams("text", (1, 2)) == pickle.loads(pickle.dumps(CharNgrams("text", (1, 2))))
    assert CharNgrams("text", (1, 2)) != CharNgrams("title", (1, 2))
    with pytest.raises(ValueError):
        CharNgrams("body")


def test_a_document_read_for_prediction_lists_its_terms_once_for_every_model():
    doc = read("公交线路", "太少", memo=True)
    first = CharNgrams("text", (1, 2))(doc)
    assert CharNgrams("text", (1, 2))(doc) is first
    assert read("公交线路", "太少").memo is None
