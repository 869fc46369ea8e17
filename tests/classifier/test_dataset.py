import pytest

from classifier.dataset import DatasetError, Message, file_sha256, load_labelled, message_digest, read_rows


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
        read_rows(tmp_path / "nope.csv", ("id",))


def test_rows_without_label_or_text_are_skipped_and_bom_is_accepted(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("\ufeffid,title,body,category\n1,公交,太少了,交通运输\n2,,,交通运输\n3,医院,挂号难,\n", "utf-8")
    assert [m.id for m in load_labelled(path)] == ["1"]


def test_digests(tiny_csv):
    assert len(file_sha256(tiny_csv)) == 64
    a, b = Message("1", "公交", "太少", "交通运输"), Message("2", "公交", "太少", "城乡建设")
    assert message_digest(a) == message_digest(Message("other id", "公交", "太少", "交通运输")) != message_digest(b)
