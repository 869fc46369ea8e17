"""Weak handler labels read from official replies: one test per rule family, on short synthetic replies."""

import pytest

from classifier.weak_labels import HANDLER_TYPES, LOCAL, label_reply, org_type


def test_handler_type_vocabulary():
    assert len(HANDLER_TYPES) == 21 == len(set(HANDLER_TYPES))
    assert HANDLER_TYPES[0] == LOCAL == "属地政府" and HANDLER_TYPES[-1] == "其他"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # Signed at the end, with or without a date.
        (
            "网友您好：您反映的情况已经核实，问题已整改到位，感谢您的关注。 A7县公安局 2013年1月30日",
            ("公安", "A7县公安局"),
        ),
        ("您好！已安排人员处理。泉塘街道办事处", (LOCAL, "泉塘街道办事处")),
        # A Chinese-numeral date ends the signature too.
        ("您好！垃圾已清运完毕。 A2区城管执法中队 二〇一九年九月一日", ("城管", "A2区城管执法中队")),
    ],
)
def test_signature(reply, expected):
    assert label_reply(reply) == (*expected, "signature")


def test_header():
    reply = "B9市卫生和计划生育局回复：您好！您反映的问题我们已经知悉，正在研究解决。"
    assert label_reply(reply) == ("卫健", "B9市卫生和计划生育局", "header")


def test_an_unnamed_我局_is_the_named_unit_of_that_kind():
    reply = "您好！收到留言后，我局立即派员调查。经核实，A市人力资源和社会保障局已责令该公司补发拖欠工资。"
    assert label_reply(reply) == ("人社", "A市人力资源和社会保障局(我局)", "self_named")


def test_an_unresolved_我局_is_read_from_the_reply_vocabulary():
    assert label_reply("您好！我局民警接警后立即出警，已将违法人员依法拘留。") == ("公安", "我局(cues)", "self_cues")


def test_我镇_speaks_as_the_local_government():
    handler, _, _ = label_reply("您好！我镇党委政府高度重视，已组织干部入户走访。")
    assert handler == LOCAL


def test_a_forwarding_note_names_the_handler_it_was_sent_to():
    assert label_reply("您好！您的留言已转A市人社局调查处理。2019年3月1日") == ("人社", "A市人社局", "forward")


def test_a_forwarding_note_before_a_signed_answer_does_not_decide():
    reply = "网友：您好！留言已转A3区人民政府调查处理。2019年5月1日 网友您好：经调查，占道摊点已清理。A3区城管局 2019年5月8日"
    assert label_reply(reply) == ("城管", "A3区城管局", "signature")


def test_a_generic_forwarding_note_says_nothing():
    assert label_reply("您好！您的留言已转有关部门调查处理。2019年3月1日") == (None, "", "abstain")


def test_a_unit_the_citizen_is_referred_to_is_not_the_handler():
    assert label_reply("您好！建议您向A市公安局出入境管理支队咨询，联系电话12345。")[0] is None
    reply = "您好！我街道已派工作人员核实，户籍问题建议您向辖区派出所咨询。"
    assert label_reply(reply) == (LOCAL, "我街道", "self_local")


def test_a_relay_office_passes_on_the_work_of_one_bureau():
    reply = "A5区高度重视，我办经调查了解，经A5区教育局核实，该校已退还多收的费用。"
    assert label_reply(reply) == ("教育", "A5区教育局", "jing_diaocha")
    reply = "网友您好！接到您的留言后，我们立即要求A8县住建局进行调查。该小区物业已完成整改。"
    assert label_reply(reply) == ("住建", "A8县住建局", "directed")


def test_a_relay_office_that_coordinated_the_work_itself_is_local():
    reply = "A5区高度重视，我办经调查了解，已协调街道和社区对该小区进行整治。"
    assert label_reply(reply) == (LOCAL, "A5区", "gaodu_region")


def test_conflicting_evidence_abstains():
    handler, scores, rule = label_reply("您好！A市公安局已安排民警调查。A市城管局已安排执法人员处理。")
    assert (handler, rule) == (None, "conflict")
    assert scores == "公安:3/城管:3"
    # Forwarded to a government and a bureau at once: no single handler.
    assert label_reply("您好！已转A3区人民政府和A市住建局处理。2019年1月1日")[0] is None


@pytest.mark.parametrize("reply", [None, "", "   ", "网友您好，留言已收悉。"])
def test_empty_replies(reply):
    assert label_reply(reply) == (None, "", "empty")


def test_vocabulary_fallback_strict_and_lenient():
    assert label_reply("此类问题涉及招生和学位安排，请您理解。") == ("教育", "(content)", "content_cues")
    weak = "您好，此事涉及学位安排，请您理解。"
    assert label_reply(weak) == (None, "", "abstain")
    assert label_reply(weak, allow_weak=True) == ("教育", "(content)", "content_cues_weak")


def test_full_width_punctuation_is_normalised():
    assert label_reply("您好！您的留言已转Ａ市人社局调查处理。２０１９年３月１日")[:2] == ("人社", "A市人社局")


@pytest.mark.parametrize(
    ("name", "handler"),
    [
        ("A市公安局J1区分局", "公安"),
        ("A市交警支队", "公安"),
        ("安沙镇中心小学", "教育"),
        ("A7县教育体育局", "教育"),
        ("社区卫生服务中心", "卫健"),
        ("A3区洋湖街道", LOCAL),
        ("A7县", LOCAL),
        ("某某镇农业综合服务中心", LOCAL),
        ("A市住房公积金管理中心", "住建"),
        ("国土所", "自然资源规划"),
        ("A市规划建设局", "自然资源规划"),
        ("某某镇财政所", "税务财政"),
        ("A市城乡居民医保中心", "医保"),
        ("A2区劳动保障监察大队", "人社"),
        ("A市物价局", "市场监管"),
        ("A市残联", "民政"),
        ("国网A市供电公司", "其他"),
        ("B市中级人民法院", "其他"),
        ("某某公司", None),
        ("", None),
        (None, None),
    ],
)
def test_org_type(name, handler):
    assert org_type(name) == handler
    assert handler is None or handler in HANDLER_TYPES
