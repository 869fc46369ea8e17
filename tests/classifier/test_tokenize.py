from classifier.tokenize import compose, is_content_word, normalize, segment, tokenize_zh


def test_normalize_folds_full_width_and_collapses_whitespace():
    assert normalize("ＡＢＣ１２３\n\t 公交　线路 ") == "ABC123 公交 线路"
    assert normalize(None) == ""


def test_normalize_drops_excel_escapes():
    assert normalize("公交_x000D_线路") == "公交 线路"


def test_compose_joins_title_and_body():
    assert compose(" 标题 ", "正文") == "标题\n正文"
    assert compose("", "正文") == "正文"
    assert compose("标题", None) == "标题"


def test_tokenize_keeps_content_words_only():
    words = tokenize_zh("建议在小区门口增设公交站点，方便老人出行！")
    assert "公交" in words or "公交站点" in words
    assert "，" not in words and "！" not in words
    assert "的" not in words


def test_segment_spans_cover_the_text():
    text = "老楼加装电梯"
    spans = segment(text)
    assert "".join(word for word, _, _ in spans) == text
    assert all(text[start:end] == word for word, start, end in spans)


def test_segment_with_and_without_hmm_covers_the_text():
    text = "张三丰在洋湖街道反映问题"
    for hmm in (False, True):
        assert "".join(word for word, _, _ in segment(text, hmm=hmm)) == text


def test_content_word_filter():
    assert is_content_word("电梯")
    assert not is_content_word("，")
    assert not is_content_word("2019")
    assert not is_content_word("我们")
