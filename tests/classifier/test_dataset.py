import pytest

from classifier.dataset import DatasetError, file_sha256, load_labelled, load_taxonomy, load_unlabelled


def test_load_labelled(tiny_csv):
    messages = load_labelled(tiny_csv)
    assert len(messages) == 70
    assert {m.label for m in messages} >= {"交通运输", "卫生计生"}
    assert messages[0].text.startswith("公交线路太少\n")


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,title,text\n1,a,b\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="body, category"):
        load_labelled(path)


def test_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        load_labelled(tmp_path / "nope.csv")


def test_rows_without_label_or_text_are_skipped_and_bom_is_accepted(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("\ufeffid,title,body,category\n1,公交,太少了,交通运输\n2,,,交通运输\n3,医院,挂号难,\n", "utf-8")
    assert [m.id for m in load_labelled(path)] == ["1"]


def test_unlabelled_ignores_extra_columns(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("id,title,body,likes\n1,标题,正文,3\n", encoding="utf-8")
    assert load_unlabelled(path)[0].label is None


def test_sha256(tiny_csv):
    assert len(file_sha256(tiny_csv)) == 64


def test_taxonomy_rows_become_pseudo_messages(tmp_path):
    path = tmp_path / "taxonomy.csv"
    path.write_text("level1,level2,level3\n交通运输,公路,高速收费\n交通运输,公路,其他\n政法,,\n", encoding="utf-8")
    rows = load_taxonomy(path)
    assert [(m.title, m.label) for m in rows] == [("公路 高速收费", "交通运输"), ("公路", "交通运输")]
