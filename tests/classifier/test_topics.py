"""Hot-issue detection: places, grouping, heat, the incremental index and ``python -m classifier topics``.

Every fixture here is hand-written; the one test on the real attachment-3 file is marked slow.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta

import pytest

from classifier.__main__ import main
from classifier.config import DATA_DIR, UNLABELLED_FILE
from classifier.topics import HEAT_EXPLANATION, Message, TopicIndex, group_messages
from classifier.topics.cli import read_messages
from classifier.topics.places import extract_places, keys_match

T0 = datetime(2019, 6, 1, 9, 0)


def msg(mid, title, body, *, day=0, likes=0, dislikes=0, resident=None):
    return Message(str(mid), title, body, T0 + timedelta(days=day, minutes=int(mid) % 97), likes, dislikes, resident)


# Three issues at three places, written the way residents write (varied wording, same problem, same place).
MEILI_FUMES = [
    msg(
        101,
        "A市A5区魅力之城小区临街门面油烟直排扰民",
        "魅力之城小区楼下的餐馆没有烟道，油烟直排，熏得我们不敢开窗。",
        day=0,
    ),
    msg(
        102,
        "A5区劳动东路魅力之城小区油烟扰民",
        "劳动东路魅力之城小区一楼的夜宵店每天油烟直排，晚上还很吵，请管一管。",
        day=3,
    ),
    msg(103, "投诉魅力之城小区底层餐馆油烟", "我们是魅力之城小区居民，底层商铺开餐馆，油烟熏人，晚上吵到凌晨。", day=5),
    msg(
        104,
        "万科魅力之城商铺无排烟管道，小区内到处油烟味",
        "万科魅力之城底层商铺没有排烟管道，整个小区都是油烟味。",
        day=9,
    ),
]
# The same template about another compound: a different issue.
RUNFANG_FUMES = [
    msg(
        201,
        "A3区一师润芳园小区临街门面油烟直排扰民",
        "一师润芳园小区楼下的餐馆没有烟道，油烟直排，熏得我们不敢开窗。",
        day=1,
    ),
    msg(202, "A3区一师润芳园小区底层餐馆油烟扰民", "一师润芳园小区底层几家餐馆油烟很大，窗户都不能开。", day=4),
    msg(203, "投诉一师润芳园小区临街烧烤油烟", "一师润芳园小区临街烧烤店油烟直排，影响居民休息。", day=8),
]
# Same compound as the first issue, another problem.
MEILI_CRACKS = [
    msg(
        301,
        "A市万科魅力之城近百户房屋楼板、墙面开裂",
        "魅力之城近百户业主家中楼板开裂、墙面开裂，开发商拒不处理。",
        day=2,
    ),
    msg(
        302,
        "A市万科魅力之城楼板和墙面开裂，请政府管一管",
        "魅力之城房屋楼板严重开裂，墙面也裂了，担心房屋质量安全。",
        day=6,
    ),
    msg(303, "魅力之城小区房屋楼板开裂问题", "我家住魅力之城，楼板开裂越来越严重，要求开发商检测房屋质量。", day=7),
]
# A village issue raised by several residents.
CHACHANG = [
    msg(401, "A3区西湖街道茶场村五组何时启动拆迁", "茶场村五组的拆迁说了好几年，什么时候能启动？", day=10),
    msg(402, "A3区西湖街道茶场村五组什么时候能拆迁", "请问茶场村五组征地拆迁有没有时间表？村民都在等。", day=12),
    msg(403, "咨询A3区西湖街道茶场村五组的拆迁规划", "茶场村五组是否列入拆迁计划，规划是怎样的？", day=15),
]
UNRELATED = [
    msg(501, "A市教师招聘考试不公平", "今年的教师招聘考试面试环节打分不透明，希望公开评分标准。", day=3),
    msg(502, "建议增加A市火车站到星沙的夜间公交车", "晚上十点以后从火车站回星沙没有公交车，打车太贵。", day=4),
    msg(503, "A7县自来水公司费用收取太高了", "自来水公司每月收取的费用比周边县高很多，请核查。", day=6),
]
ALL = MEILI_FUMES + RUNFANG_FUMES + MEILI_CRACKS + CHACHANG + UNRELATED


def member_sets(topics):
    return {frozenset(t.members) for t in topics}


def ids(messages):
    return frozenset(m.id for m in messages)


def test_places_are_read_with_keys_that_match_across_spellings():
    reading = extract_places("A市A5区劳动东路魅力之城小区油烟扰民", "")
    assert [(p.name, p.key) for p in reading.places] == [("劳动东路", "劳动东路"), ("魅力之城小区", "魅力之城")]
    assert reading.admin == ("A市", "A5区")
    assert keys_match("魅力之城", "万科魅力之城") and keys_match("伊景园", "伊景园滨河苑")
    assert not keys_match("丽发新城", "武广新城") and not keys_match("洪西", "洪西路口")
    masked = extract_places("A市五矿万境K9县房屋出现质量问题", "")
    assert [p.key for p in masked.places] == ["五矿万境"]
    assert [p.key for p in extract_places("请书记关注A市A4区58车贷案", "").places] == ["58车贷"]
    assert [p.key for p in extract_places("投诉A市伊景园·滨河苑捆绑销售车位", "").places] == ["伊景园", "滨河苑"]
    assert extract_places("外地来A市打工的农民工受工伤，待遇怎么落实？", "").places == ()


def test_issues_are_one_problem_at_one_place():
    topics = group_messages(ALL)
    sets = member_sets(topics)
    assert ids(MEILI_FUMES) in sets
    assert ids(CHACHANG) in sets
    assert ids(RUNFANG_FUMES) in sets
    assert ids(MEILI_CRACKS) in sets
    seen = [m for t in topics for m in t.members]
    assert len(seen) == len(set(seen))
    assert not set(seen) & ids(UNRELATED)


def test_template_twins_about_two_compounds_stay_apart():
    twins = [
        msg(1, "A市A5区魅力之城小区临街门面油烟直排扰民", "魅力之城小区楼下餐馆没有烟道，油烟直排扰民。"),
        msg(2, "A市A3区一师润芳园小区临街门面油烟直排扰民", "一师润芳园小区楼下餐馆没有烟道，油烟直排扰民。"),
        msg(3, "A市A5区魅力之城小区临街门面油烟直排扰民！", "魅力之城小区楼下餐馆没有烟道，油烟直排扰民，请处理。"),
        msg(4, "A市A3区一师润芳园小区临街门面油烟直排扰民！", "一师润芳园小区楼下餐馆没有烟道，油烟直排扰民，请处理。"),
    ]
    assert member_sets(group_messages(twins)) == {frozenset({"1", "3"}), frozenset({"2", "4"})}


def test_same_place_with_another_problem_is_another_issue():
    topics = group_messages(MEILI_FUMES + MEILI_CRACKS)
    assert member_sets(topics) == {ids(MEILI_FUMES), ids(MEILI_CRACKS)}


def test_two_compounds_on_one_road_are_two_places():
    road = [
        msg(1, "A7县东六路星沙花园小区门口夜宵摊噪音扰民", "东六路星沙花园小区门口的夜宵摊每晚吵到两点。"),
        msg(2, "A7县东六路星沙花园小区夜宵摊扰民", "星沙花园小区门口夜宵摊噪音太大，无法入睡。"),
        msg(3, "A7县东六路金色家园小区门口夜宵摊噪音扰民", "东六路金色家园小区门口的夜宵摊每晚吵到两点。"),
        msg(4, "A7县东六路金色家园小区夜宵摊扰民", "金色家园小区门口夜宵摊噪音太大，无法入睡。"),
    ]
    assert member_sets(group_messages(road)) == {frozenset({"1", "2"}), frozenset({"3", "4"})}


def test_heat_counts_a_resident_who_posts_five_times_once():
    same_text = [
        msg(10 + k, "A3区兰亭湾畔小区违规开餐厅", "兰亭湾畔小区一楼违规开餐厅，油烟噪音扰民。", day=k) for k in range(5)
    ]
    others = [
        msg(20, "A3区兰亭湾畔小区违规开餐饮没有人管", "兰亭湾畔小区住宅楼下开餐饮，油烟扰民，投诉没人管。", day=6),
        msg(21, "A3区兰亭湾畔小区违法开餐厅", "我们兰亭湾畔小区楼下有人违法开餐厅，油烟很大。", day=7),
    ]
    (topic,) = group_messages(same_text + others)
    assert len(topic.members) == 7
    assert topic.residents == 3

    named = [
        msg(
            30 + k,
            f"A3区兰亭湾畔小区违规开餐厅{'！' * k}",
            f"第{k + 1}次反映：兰亭湾畔小区楼下餐厅油烟扰民。",
            resident="u1",
        )
        for k in range(5)
    ]
    (topic,) = group_messages(named)
    assert topic.residents == 1
    petition = [
        msg(40 + k, "A3区兰亭湾畔小区违规开餐厅", "兰亭湾畔小区楼下餐厅油烟扰民。", resident=f"u{k}") for k in range(5)
    ]
    (topic,) = group_messages(petition)
    assert topic.residents == 5  # five named residents who signed one text are five residents


def test_topics_are_ranked_by_heat_and_votes_count():
    quiet = group_messages(CHACHANG)[0]
    liked = [
        Message(m.id, m.title, m.body, m.time, likes=300, dislikes=m.dislikes, resident=m.resident) for m in CHACHANG
    ]
    assert group_messages(liked)[0].heat > quiet.heat
    topics = group_messages(ALL)
    heats = [t.heat for t in topics]
    assert heats == sorted(heats, reverse=True)
    assert topics[0].members == tuple(m.id for m in MEILI_FUMES)  # most residents
    assert "魅力之城" in topics[0].label and "油烟" in topics[0].label
    assert HEAT_EXPLANATION.startswith("热度")


def test_incremental_add_gives_the_same_issues_as_a_full_regroup():
    full = group_messages(ALL)
    for seed in range(3):
        shuffled = ALL[:]
        random.Random(seed).shuffle(shuffled)
        index = TopicIndex()
        results = {m.id: index.add(m) for m in shuffled}
        incremental = index.topics()
        assert member_sets(incremental) == member_sets(full)
        assert [t.to_dict() for t in incremental] == [t.to_dict() for t in full]
        assert results[shuffled[-1].id] == index.topic_of(shuffled[-1].id)


def test_the_api_takes_plain_mappings():
    rows = [
        {"id": m.id, "title": m.title, "body": m.body, "time": m.time.isoformat(), "likes": m.likes} for m in CHACHANG
    ]
    (topic,) = group_messages(rows)
    assert set(topic.members) == ids(CHACHANG) and topic.first == CHACHANG[0].time


def test_add_says_whether_the_message_joined_an_issue():
    index = TopicIndex()
    assert index.add(CHACHANG[0]) is None
    assert index.add(UNRELATED[0]) is None
    first = index.add(CHACHANG[1])
    assert first == "t" + CHACHANG[0].id
    assert index.add(CHACHANG[2]) == first
    assert index.add(CHACHANG[2]) == first  # filing a message twice changes nothing
    assert len(index) == 4 and CHACHANG[2].id in index


def test_group_of_gives_the_issues_a_new_message_can_have_changed():
    index = TopicIndex()
    for message in ALL:
        index.add(message)
    everything = {t.id: t.to_dict() for t in index.topics()}
    scope, topics = index.group_of(CHACHANG[1].id)
    assert ids(CHACHANG) <= set(scope)
    assert any(set(t.members) == ids(CHACHANG) for t in topics)
    for topic in topics:  # the same issues as the whole index gives, only those of this linked group
        assert set(topic.members) <= set(scope) and topic.to_dict() == everything[topic.id]
    assert index.group_of("never filed") == ((), [])


def test_snapshot_restores_the_same_issues():
    index = TopicIndex()
    index.extend(ALL)
    snapshot = json.loads(json.dumps(index.snapshot(), ensure_ascii=False))
    restored = TopicIndex.restore(snapshot)
    assert [t.to_dict() for t in restored.topics()] == [t.to_dict() for t in index.topics()]
    with pytest.raises(ValueError, match="format"):
        TopicIndex.restore({"format": 99, "messages": []})


def write_csv(path, rows, header=("id", "title", "body", "time", "likes", "dislikes")):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def as_rows(messages):
    return [(m.id, m.title, m.body, m.time.isoformat(sep=" "), m.likes, m.dislikes) for m in messages]


def test_cli_prints_one_json_object_ranked_by_heat(tmp_path, capsys):
    data = write_csv(tmp_path / "m.csv", as_rows(ALL))
    assert main(["topics", "--data", str(data), "--json"]) == 0
    out = capsys.readouterr().out
    payload = json.loads(out)
    assert set(payload) >= {"topics", "heat_explanation"}
    topics = payload["topics"]
    assert len(topics) == 4
    for topic in topics:
        assert {"id", "label", "members", "heat", "first", "last", "places", "keywords"} <= set(topic)
        assert len(topic["members"]) >= 2 and topic["first"] <= topic["last"]
    assert [t["heat"] for t in topics] == sorted((t["heat"] for t in topics), reverse=True)
    members = [m for t in topics for m in t["members"]]
    assert len(members) == len(set(members))


def test_cli_table_is_in_chinese(tmp_path, capsys):
    data = write_csv(tmp_path / "m.csv", as_rows(ALL))
    assert main(["topics", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "热点问题" in out and "热度" in out and "魅力之城" in out


def test_bad_rows_are_reported_by_line_and_skipped(tmp_path, capsys):
    rows = as_rows(CHACHANG) + [
        ("", "没有编号的留言", "正文", "2019-06-01 10:00:00", 0, 0),
        ("601", "只有标题", "", "2019-06-01 10:00:00", 0, 0),
        ("401", "重复编号", "茶场村五组拆迁", "2019-06-01 10:00:00", 0, 0),
        ("602", "时间写错了", "茶场村五组拆迁何时启动", "昨天", "很多", 0),
        ("603", "\u0000\u202e怪字符🙂🙂", "🙂" * 50 + "\x07" * 3 + "。。。" * 300, "", "", ""),
        ("604", "A市A市A市", "A7县" * 200, "2019/06/02 08:00", "3", "1"),
        ("605", "多行\n标题", "第一行\n第二行", "2019-06-02", "", ""),
    ]
    data = write_csv(tmp_path / "bad.csv", rows)
    assert main(["topics", "--data", str(data), "--json"]) == 0
    captured = capsys.readouterr()
    assert "line 5: skipped, no id" in captured.err
    assert "line 6: skipped, id 601 has no body" in captured.err
    assert "line 7: skipped, id 401 appears more than once" in captured.err
    assert "line 8: id 602: unreadable time" in captured.err and "unreadable likes" in captured.err
    payload = json.loads(captured.out)
    assert payload["messages"] == len(CHACHANG) + 4
    (topic,) = payload["topics"]
    assert set(topic["members"]) == ids(CHACHANG) | {"602"}  # the row with a bad time still counts


def test_a_file_without_the_needed_columns_is_an_error(tmp_path, capsys):
    data = tmp_path / "x.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["topics", "--data", str(data)]) == 2
    assert "id and body" in capsys.readouterr().err
    assert main(["topics", "--data", str(tmp_path / "missing.csv")]) == 2


def test_a_user_column_names_the_resident(tmp_path):
    rows = [(m.id, m.title, m.body, m.time.isoformat(sep=" "), "u7") for m in CHACHANG]
    data = write_csv(tmp_path / "u.csv", rows, header=("id", "title", "body", "time", "user"))
    messages = list(read_messages(data))
    assert {m.resident for m in messages} == {"u7"}
    assert group_messages(messages)[0].residents == 1


@pytest.mark.slow
def test_incremental_equals_full_on_real_messages():
    """Arrival order does not change the grouping of 1,500 real attachment-3 messages (pair scores are bit-exact)."""
    with (DATA_DIR / UNLABELLED_FILE).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    sample = random.Random(13).sample(rows, 1500)
    messages = [
        Message(r["id"], r["title"], r["body"], datetime.fromisoformat(r["time"]), int(r["likes"]), int(r["dislikes"]))
        for r in sample
    ]
    full = group_messages(messages)
    random.Random(7).shuffle(messages)
    index = TopicIndex()
    for message in messages:
        index.add(message)
    assert [t.to_dict() for t in index.topics()] == [t.to_dict() for t in full]
    assert len(full) > 50


def test_a_big_linked_group_is_split_the_same_way_in_both_modes(monkeypatch):
    """Groups above MAX_DENSE are cut by stricter thresholds; add() follows only its own part, same result."""
    from classifier.topics import grouping

    monkeypatch.setattr(grouping, "MAX_DENSE", 3)
    full = group_messages(ALL)
    index = TopicIndex()
    answers = {m.id: index.add(m) for m in reversed(ALL)}
    assert [t.to_dict() for t in index.topics()] == [t.to_dict() for t in full]
    assert answers[ALL[0].id] == index.topic_of(ALL[0].id)
    assert all(len(t.members) <= 3 for t in full)
