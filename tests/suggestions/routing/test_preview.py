"""`flask suggestions route-preview`: one JSON object, bad rows named, nothing written."""

import json

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import Suggestion, SuggestionEvent

HEADER = "id,title,body,district,domain\n"
CANTEEN = "c1,社区老年食堂,建议在社区开设老年助餐食堂，方便独居老人就近吃饭。,南开区,\n"


def preview(runner, tmp_path, text, *extra, encoding="utf-8"):
    path = tmp_path / "rows.csv"
    path.write_bytes(text.encode(encoding))
    return runner.invoke(args=["suggestions", "route-preview", "--data", str(path), *extra])


def counts():
    return [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Suggestion, SuggestionEvent)]


def test_prints_one_json_object_with_a_prediction_per_row_and_writes_nothing(runner, seeded, tmp_path):
    rows = HEADER + CANTEEN + "c2,公交班次太少,希望增开公交线路，方便换乘,,\n" + "c3,,小区门口的路灯坏了,,住房\n"
    result = preview(runner, tmp_path, rows, "--json")
    assert result.exit_code == 0, result.output
    predictions = json.loads(result.stdout)["predictions"]
    assert [p["id"] for p in predictions] == ["c1", "c2", "c3"]
    keys = {"id", "domain", "category", "department", "handler_type", "confidence", "automatic"}
    assert all(keys <= set(p) for p in predictions)
    canteen = predictions[0]
    assert (canteen["domain"], canteen["department"], canteen["automatic"]) == ("养老", "市民政局", True)
    assert canteen["reason"] == "领域「养老」（提到：老年食堂、助餐）→ 市民政局"
    assert predictions[1]["category"] == "交通运输" and isinstance(predictions[1]["confidence"], float)
    assert (predictions[2]["domain"], predictions[2]["domain_source"]) == ("住房", "resident")
    assert counts() == [0, 0]


def test_bad_rows_are_named_and_the_rest_still_predicted(runner, seeded, tmp_path):
    rows = (
        HEADER
        + "b1,,,,\n"
        + CANTEEN
        + "b2,公交,公交线路太少,火星区,\n"
        + "b3,学校,学校食堂,,不存在的领域\n"
        + ",t,x,,\n"
    )
    result = preview(runner, tmp_path, rows, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [p["id"] for p in answer["predictions"]] == ["c1"]
    errors = {e["line"]: e["error"] for e in answer["errors"]}
    assert errors == {
        2: "第 2 行（id=b1）：标题和内容都为空。",
        4: "第 4 行（id=b2）：没有名为「火星区」的区。",
        5: "第 5 行（id=b3）：本次征集没有领域「不存在的领域」。",
        6: "第 6 行（id=空）：缺少 id。",
    }
    assert "第 4 行（id=b2）" in result.stderr


def test_a_file_it_cannot_read_is_refused_with_a_message(runner, seeded, tmp_path):
    not_utf8 = preview(runner, tmp_path, HEADER + CANTEEN, "--json", encoding="gb18030")
    assert not_utf8.exit_code == 1 and "不是 UTF-8 编码" in not_utf8.output
    no_body = preview(runner, tmp_path, "id,title\n1,x\n", "--json")
    assert no_body.exit_code == 1 and "缺少列：body" in no_body.output


def test_without_json_each_row_is_one_readable_line(runner, seeded, tmp_path):
    result = preview(runner, tmp_path, HEADER + CANTEEN)
    assert result.exit_code == 0
    assert result.stdout.strip() == "c1\t养老\t市民政局\t自动\t领域「养老」（提到：老年食堂、助餐）→ 市民政局"
