"""Find the places a message is about: compounds, roads, schools, companies, villages.

A message on a 问政 board names its place the way residents speak: a masked administrative code (``A市``,
``A7县``, ``A5区``, ``西地省``), then the place itself, usually ending in a word that says what kind of place it
is (``魅力之城小区``, ``劳动东路``, ``郝家坪小学``, ``茶场村五组``, ``山千制药机械股份有限公司``).  Titles also name
compounds without such an ending, right after the code and before the problem (``A市保利大都汇开发商虚假宣传``).

``extract_places`` reads those mentions with a character scanner (no word segmentation, no corpus statistics),
so the result for a message depends on that message alone.  Each mention carries a matching ``key`` (the name
without the generic tail: ``魅力之城小区`` → ``魅力之城``, ``辉煌国际城二期`` → ``辉煌国际城``) and a ``level``:

1. a compound, building, school, hospital or village group: the most specific places;
2. a company or other organisation (``58车贷``, ``广铁集团``, ``富绿物业``): one group of people, but it may serve
   many compounds;
3. a road, street, bridge, station, park, lake, community or village;
4. a town, township, street office (街道), development zone, metro line or expressway.

The administrative codes are returned separately: they say where, but never make two messages the same place.
``keys_match`` tells whether two keys name the same place: equal, or one ending the other (``魅力之城`` /
``万科魅力之城``, ``滨河苑`` / ``伊景园滨河苑``) or beginning it (``伊景园`` / ``伊景园滨河苑``).
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from functools import cache, lru_cache

import jieba

LEVEL_UNIT = 1
LEVEL_ORG = 2
LEVEL_AREA = 3
LEVEL_TOWN = 4

# Masked administrative codes as the data spells them, and the development zones that work like districts.
ADMIN_CODE = re.compile(r"[A-Z]\d{0,2}(?:县市|市|县|区|省)|西地省")
_ZONE = re.compile(r"(?:经开区|高新区|开发区|经济技术开发区|自贸区|新区)")

# Place-kind endings: (ending, level, kind, joins_key).  Longer endings come first so that the scanner prefers
# them at the same position.  ``joins_key`` is False for endings that are a generic tail: the key is the name
# before them when there is one (``丽发新城小区`` → ``丽发新城``).
_ENDINGS: list[tuple[str, int, str]] = [
    # compounds and buildings
    ("小区", LEVEL_UNIT, "小区"),
    ("花园", LEVEL_UNIT, "小区"),
    ("家园", LEVEL_UNIT, "小区"),
    ("新村", LEVEL_UNIT, "小区"),
    ("新城", LEVEL_UNIT, "小区"),
    ("公寓", LEVEL_UNIT, "小区"),
    ("山庄", LEVEL_UNIT, "小区"),
    ("华庭", LEVEL_UNIT, "小区"),
    ("国际", LEVEL_UNIT, "小区"),
    ("大厦", LEVEL_UNIT, "楼宇"),
    ("广场", LEVEL_UNIT, "楼宇"),
    ("中心", LEVEL_UNIT, "楼宇"),
    ("商城", LEVEL_UNIT, "楼宇"),
    ("市场", LEVEL_UNIT, "市场"),
    ("公馆", LEVEL_UNIT, "小区"),
    ("别墅", LEVEL_UNIT, "小区"),
    ("宿舍", LEVEL_UNIT, "小区"),
    ("苑", LEVEL_UNIT, "小区"),
    ("园", LEVEL_UNIT, "小区"),
    ("府", LEVEL_UNIT, "小区"),
    ("城", LEVEL_UNIT, "小区"),
    ("湾", LEVEL_UNIT, "小区"),
    ("郡", LEVEL_UNIT, "小区"),
    ("邸", LEVEL_UNIT, "小区"),
    ("墅", LEVEL_UNIT, "小区"),
    # schools, hospitals, companies and other bodies
    ("幼儿园", LEVEL_UNIT, "学校"),
    ("学校", LEVEL_UNIT, "学校"),
    ("小学", LEVEL_UNIT, "学校"),
    ("中学", LEVEL_UNIT, "学校"),
    ("附中", LEVEL_UNIT, "学校"),
    ("大学", LEVEL_UNIT, "学校"),
    ("学院", LEVEL_UNIT, "学校"),
    ("驾校", LEVEL_UNIT, "学校"),
    ("医院", LEVEL_UNIT, "医院"),
    ("卫生院", LEVEL_UNIT, "医院"),
    ("公司", LEVEL_ORG, "单位"),
    ("集团", LEVEL_ORG, "单位"),
    ("物业", LEVEL_ORG, "单位"),
    ("地产", LEVEL_ORG, "单位"),
    ("车贷", LEVEL_ORG, "单位"),
    ("银行", LEVEL_ORG, "单位"),
    ("酒店", LEVEL_UNIT, "单位"),
    ("宾馆", LEVEL_UNIT, "单位"),
    ("工厂", LEVEL_UNIT, "单位"),
    ("厂", LEVEL_UNIT, "单位"),
    ("合作社", LEVEL_ORG, "单位"),
    ("组", LEVEL_UNIT, "村组"),
    # roads, lines, stations, parks, villages
    ("大道", LEVEL_AREA, "道路"),
    ("大街", LEVEL_AREA, "道路"),
    ("路", LEVEL_AREA, "道路"),
    ("街", LEVEL_AREA, "道路"),
    ("巷", LEVEL_AREA, "道路"),
    ("大桥", LEVEL_AREA, "道路"),
    ("桥", LEVEL_AREA, "道路"),
    ("隧道", LEVEL_AREA, "道路"),
    ("高速", LEVEL_TOWN, "道路"),
    ("号线", LEVEL_TOWN, "线路"),
    ("线", LEVEL_TOWN, "线路"),
    ("站", LEVEL_AREA, "站点"),
    ("公园", LEVEL_AREA, "公园"),
    ("湖", LEVEL_AREA, "公园"),
    ("村", LEVEL_AREA, "村"),
    ("社区", LEVEL_AREA, "社区"),
    # towns and street offices
    ("街道", LEVEL_TOWN, "街道"),
    ("镇", LEVEL_TOWN, "乡镇"),
    ("乡", LEVEL_TOWN, "乡镇"),
]
_ENDING_INFO = {ending: (level, kind) for ending, level, kind in _ENDINGS}
# Endings after which a compound's name is often cut to its first two characters (丽发小区 for 丽发新城小区).
COMPOUND_ENDINGS = frozenset("新城 花园 家园 新村 公寓 山庄 华庭 苑 园 府 城 湾 郡".split())
_ENDING_RE = re.compile("|".join(sorted({re.escape(e) for e, _, _ in _ENDINGS}, key=len, reverse=True)))

# Generic tails that belong to a place's display name but not to its key.
_TAIL = re.compile(
    r"(?:小区|社区|片区|[一二三四五六七八九十\d]+期|项目|楼盘|[A-Za-z]?\d+[栋幢#]|[一二三四五六七八九十]+栋|\d+号楼)+"
)
# Company-form tails removed from keys (``山千制药机械股份有限公司`` and ``山千制药机械有限公司`` are one place).
_COMPANY_FORM = re.compile(r"(?:股份)?(?:有限)?(?:责任)?(?:公司|集团)$")

_MAX_CORE = 10
BODY_SCAN_CHARS = 400

# A name starts after the last of these (verbs and prepositions that precede a place in a sentence).
_LEFT_CUT = re.compile(
    r"(?:投诉|反映|反应|举报|控告|关于|咨询|建议|请问|请求|恳请|希望|要求|强烈|坚决|反对|支持|位于|地处|住在|居住|坐落|座落|来自|"
    r"购买|买了|购置|入住|就读|毕业|附近|周边|旁边|对面|门口|里面|楼下|隔壁|靠近|临近|距离|紧邻|以及|还有|包括|例如|比如|"
    r"业主|居民|住户|市民|村民|家长|学生|员工|职工|老师|教师)"
)
# Single characters that end the words before a name, and the parts of speech (jieba's tags) of the
# dictionary words that do: verbs, adverbs, prepositions, conjunctions, particles, pronouns, numerals, time
# and direction words, idioms.
_HARD_CUT_CHARS = "的了是在被把对给让但并着"
_LAST_HARD_CUT = re.compile(f".*[{_HARD_CUT_CHARS}]")
_SOFT_CUT_CHARS = "于将从向至到和与及同跟过我你他她们这那该本此其各个为因由离距往等或还也都就又即自以已"
_CUT_POS = frozenset("v vd vi vg d p c u uj ul uz ug ud uv r y e o t f m mq q l i".split())
_FILLER_POS = frozenset("vn a ad an".split())

# Cores that name no particular place (``该小区``, ``物业公司``, ``农村``, ``道路``, ``搅拌站``).
_GENERIC_CORE = frozenset(
    """
    居民 老旧 安置 周边 附近 整个 所在 我们 他们 高档 新建 商品房 商品 农村 城市 城乡 全市 全省 全国 全县 全区 城区 市区 县城
    物业 开发 房地产 地产 建筑 施工 管理 服务 科技 投资 网络 贸易 有限 股份 责任 劳务 保安 保洁 家政 培训 教育 文化
    小 大 新 老 旧 各 某 一 二 三 本 该 此 其 这 那 整 同 多 个 部分 其他 其它 所有 很多 许多 多个 不少 一些 几个
    道 马 公 铁 网 线 电 水 思 出 修 走 过马 人行 车 行车 停车 收费 加油 变电 垃圾 中转 首末 火车 汽车 地铁 公交 搅拌 混凝土
    化工 工 基 站 服务站 工作站 派出 检查 养老 福利 卫生 医疗 政务 市民 便民 社会 幼儿 托管 补习 学 中 职业 技术 民办 公办
    私立 公立 重点 普通 高等 名 高 初 省 市 县 区 镇 乡 村 街 城 国 家 我家 你家 他家 老家 回家 农家 人家 大家 国家 自家
    业主 住户 居委 村委 社区 街道 乡镇 城镇 集镇 小镇 城中 邻 外 全 本地 当地 外地 异地 原 现 新村 花 公寓 娱乐 商业 工业 产业
    科技园 软件 工业园 物流 农贸 菜 水果 批发 集贸 二手 跳蚤 人才 劳动力 证券 股票 期货 金融 保险 资本 拆迁 征地 天 路
    沿 沿线 高压 电线 电缆 管线 管道 天然气 燃气 热 专 在 连 红 底 界 一条 干 主干 支 快速 环 环城 绕城 城际 高铁 铁路 公路
    学区 校区 园区 片区 厂区 景区 小区 生活 居住 商住 办公 写字 招商 购物 餐饮 文体 体育 健身 游乐 儿童 青少年 老年 老人
    影响 严重 改善 规划 工作 安全 投诉 处理 配套 周围 旁边 对面 门口 楼下 现在 目前 以前 当时 之前 之后 今年 去年
    住宅 住宅楼 居民楼 楼栋 单元 实验 普惠 普惠性 公立 私立 民营 国有 集体 个人 私人 营利 非营利 正规 黑 非法 违法 违规 无证
    """.split()
)
# An ending after these words names a facility or an object of complaint, not a place of its own: a 中心 that
# is a public service (公积金中心), a 站 or 厂 that is the nuisance itself (搅拌站, 水泥厂).
_OBJECT_BEFORE = {
    "中心": re.compile(
        r"(?:公积金|政务|服务|管理|指挥|监控|调度|客服|培训|早教|体检|检测|检验|医疗|急救|救助|活动|文化|体育|文体|娱乐|物流|数据|"
        r"信息|会展|交易|市民|社区|卫生|疾控|防治|分拣|处理|受理|办事|结算|维修|配送|呼叫|教育|研究|发展|交流|城市|国家)$"
    ),
    "站": re.compile(
        r"(?:搅拌|加油|加气|公交|收费|垃圾|变电|充电|中转|转运|污水|检查|服务|工作|派出|气象|监测|首末|换乘|泵|水|电|车|基|"
        r"救助|卫生|保障|压缩|分拣|回收|转换|交易|检测|质监|农技|环卫|停靠|推广|规划地铁)$"
    ),
    "厂": re.compile(r"(?:搅拌|水泥|化工|垃圾|污水|沥青|砂石|石材|塑料|钢|铁|木|纸|电|砖|石灰|焚烧|加工|工)$"),
    "市场": re.compile(r"(?:菜|农贸|房地产|楼|股|人才|劳务|二手|批发|建材|夜|早|跳蚤|水果|集贸)$"),
}
# Characters after an ending that show it was not an ending (``城市``, ``园区``, ``政府``, ``组织``, ``线路``).
_NOT_ENDING_AFTER = {
    "城": "市区际管乡镇中建投运",
    "园": "区林艺丁",
    "府": "",
    "组": "织成建合团长委",
    "线": "路索上下条",
    "站": "长点台",
    "路": "线面口段灯边由况费程径人途子",
    "街": "道头巷面",
    "湖": "南北",
    "村": "民委组级干庄部",
    "乡": "村镇亲下",
    "镇": "政长",
    "厂": "房区长家商",
    "桥": "梁下面上头洞",
    "湾": "区",
    "中心": "城区",
    "国际": "化",
    "市场": "化监价主",
    "社区": "医卫",
    "学院": "路",
    "物业": "费管服公",
    "地产": "商",
}
# Characters before an ending that show the whole word is generic (``政府``, ``市场``, ``高速公路``).
_NOT_ENDING_BEFORE = {
    "府": "政",
    "城": "县进全满京省名古新内外都小卫",
    "园": "公花家乐校菜果茶陵庄田幼",
    "湖": "江",
    "路": "道马公铁网线电思出修走过一上中半山水回小引带",
    "街": "上沿临满大",
    "线": "沿路红底界一干热专在连电管光天航压视水",
    "站": "车网基加电",
    "组": "小本",
    "村": "农乡全本该邻外",
    "乡": "城下家故老返",
    "镇": "城乡集小",
    "厂": "工",
    "桥": "天",
    "中心": "市",
    "市场": "农",
}


@dataclass(frozen=True, slots=True)
class Place:
    """One place mention: its display ``name``, matching ``key``, ``level`` (1 most specific) and ``kind``."""

    name: str
    key: str
    level: int
    kind: str
    in_title: bool
    start: int = 0


@dataclass(frozen=True, slots=True)
class PlaceReading:
    """What ``extract_places`` found in one message."""

    places: tuple[Place, ...]
    admin: tuple[str, ...]
    # Character spans (in the title, then in the body) that the problem text should not count.
    title_spans: tuple[tuple[int, int], ...]
    body_spans: tuple[tuple[int, int], ...]


@cache
def _dictionary_words() -> tuple[frozenset[str], frozenset[str], dict[str, str]]:
    """Return (cut words, filler words, every 2-4 character word with its tag) from jieba's dictionary.

    Cut words (verbs, adverbs, prepositions, pronouns, numerals…) end the words before a name; filler words add
    verbal nouns and adjectives, which may sit inside a name (``商贸旅游职业技术学院``, ``幸福家园``) but cannot be
    a whole name (``影响小区``).  No list is kept here by hand.
    """
    cut, filler, words = set(_SOFT_CUT_CHARS + _HARD_CUT_CHARS), set(), {}
    with jieba.get_dict_file() as handle:
        for line in handle:
            parts = line.decode("utf-8").split()
            if len(parts) == 3 and 2 <= len(parts[0]) <= 4:
                words[parts[0]] = parts[2]
                if parts[2] in _CUT_POS:
                    cut.add(parts[0])
                elif parts[2] in _FILLER_POS:
                    filler.add(parts[0])
    return frozenset(cut), frozenset(filler | cut), words


def _covered(text: str, words: Container[str]) -> bool:
    """Tell whether ``text`` splits entirely into the given words."""
    ok = [True] + [False] * len(text)
    for i in range(len(text)):
        if ok[i]:
            for j in range(i + 1, min(len(text), i + 4) + 1):
                if text[i:j] in words:
                    ok[j] = True
    return ok[-1]


@lru_cache(maxsize=1 << 16)
def _strip_left(core: str) -> str:
    """Drop the words before a name (``坚决反对在诺亚山林`` → ``诺亚山林``); return "" when no name is left.

    A name starts after the last particle such as 的/在/是 (nothing left: no name), else after the rightmost
    verb or function word that leaves at least two characters which are not generic or filler words; a verb
    inside a short name (``发展大道``, ``看云路``) leaves too little and stays.
    """
    hard = _LAST_HARD_CUT.match(core)
    if hard is not None:
        core = core[hard.end() :]
    cut = 0
    for match in _LEFT_CUT.finditer(core):
        if len(core) - match.end() >= 2:
            cut = match.end()
    core = core[cut:]
    cut_words, filler, _ = _dictionary_words()
    for end in range(len(core) - 2, 0, -1):
        if any(core[start:end] in cut_words for start in range(max(0, end - 4), end)):
            rest = core[end:]
            if rest not in _GENERIC_CORE and not _covered(rest, filler):
                return rest
    if core in _GENERIC_CORE or _covered(core, cut_words):
        return ""
    return core


@lru_cache(maxsize=1 << 16)
def _is_generic(core: str) -> bool:
    """Tell whether a core names no particular place (too short, or only generic words: 普惠性公办)."""
    if len(core) < 2:
        return not core.isdigit()
    return core in _GENERIC_CORE or _covered(core, _GENERIC_CORE)


def _make_key(name: str) -> str:
    key = _TAIL.sub("", name) if _TAIL.fullmatch(name) is None else name
    key = _COMPANY_FORM.sub("", key) or key
    return key.lower()


def _scan_clause(clause: str, offset: int, in_title: bool) -> list[tuple[Place, tuple[int, int]]]:
    """Find names ending in a place-kind word inside one clause (no punctuation, no administrative code)."""
    found: list[tuple[Place, tuple[int, int]]] = []
    start = 0  # the next name cannot begin before this
    last: tuple[int, int, int, str] | None = None  # (start, end, level, kind) of the previous name
    for match in _ENDING_RE.finditer(clause):
        ending = match.group()
        s, e = match.start(), match.end()
        if s < start:
            continue
        after = clause[e : e + 1]
        before = clause[s - 1 : s]
        if after and after in _NOT_ENDING_AFTER.get(ending, ""):
            continue
        if before and before in _NOT_ENDING_BEFORE.get(ending, ""):
            continue
        level, kind = _ENDING_INFO[ending]
        raw = clause[max(start, s - _MAX_CORE) : s]
        core = _strip_left(raw)
        extends = last is not None and last[1] == s
        if extends:
            # An ending right after a name extends it: 丽发新城 + 小区, 同心路 + 站, 茶场村 + 五组.
            name_start = last[0]
            if ending in ("小区", "社区", "物业"):
                # The compound's own tail or property manager: same place, longer display name.
                prev, span = found.pop()
                place = Place(clause[name_start:e], prev.key, prev.level, prev.kind, in_title, span[0])
                found.append((place, (span[0], offset + e)))
                last = (name_start, e, prev.level, prev.kind)
                start = e
                continue
        elif ending == "组" and core[-1:] in tuple("一二三四五六七八九十0123456789"):
            continue
        elif _is_generic(core) or (ending in _OBJECT_BEFORE and _OBJECT_BEFORE[ending].search(core)):
            if len(raw) >= 2:
                # A generic place word (我们小区, 物业公司) ends what came before it; a lone ending may still
                # be part of a longer name (景城苑, 新城国际).
                start = e
            continue
        else:
            name_start = s - len(core)
        name = clause[name_start:e]
        tail = _TAIL.match(clause, e)
        display_end = tail.end() if tail else e
        key = _make_key(name)
        if len(key) < 2 or key in _GENERIC_CORE or key in _ENDING_INFO:
            continue
        if extends and found:
            found.pop()
        place = Place(clause[name_start:display_end], key, level, kind, in_title, offset + name_start)
        found.append((place, (offset + name_start, offset + display_end)))
        last = (name_start, e, level, kind)
        start = display_end
    return found


# Words that end a suffix-less compound name right after an administrative code (``A市保利大都汇开发商…``).
_ROLE_WORD = re.compile(
    r"(?:开发商|物业|业主|小区|售楼|商铺|门面|楼下|楼上|附近|周边|旁边|门口|对面|内部|新房|交房|房屋|房子|楼盘|项目|工地|一楼|底层|"
    r"[一二三四五六七八九十\d]+期|[A-Za-z]?\d+栋|居民|住户)"
)


def _scan_head(clause: str, offset: int, verb_bound: bool) -> tuple[Place, tuple[int, int]] | None:
    """Read a compound named without a kind word right after an administrative code.

    The name ends at a role word (``保利大都汇开发商``, ``润和紫郡用电``) or, when it is no ordinary word, at the
    first verb or adverb (``美麓阳光没有取得验收``: 美麓 is in no dictionary, 教师 in ``教师招聘`` is).
    """
    match = _ROLE_WORD.search(clause, 2, 9)
    end = match.start() if match else None
    if end is None and verb_bound:
        cut_words, filler, words = _dictionary_words()
        for i in range(3, min(len(clause) - 1, 8) + 1):
            if clause[i : i + 2] in filler or clause[i : i + 3] in filler:
                core = clause[:i]
                if not _covered(core, words) and not _covered(core, cut_words):
                    end = i
                break
    if end is None:
        return None
    core = clause[:end]
    if _strip_left(core) != core or _is_generic(core) or _ENDING_RE.search(core):
        return None
    if _covered(core, _dictionary_words()[2]):
        return None  # ordinary words (车位属于, 城南故事): a phrase, not a name
    return Place(core, core.lower(), LEVEL_UNIT, "小区", True, offset), (offset, offset + end)


def _clauses(text: str) -> list[tuple[int, int, bool, bool]]:
    """Split text into runs of name characters: (start, end, after a code or the start, before a code)."""
    cuts = [(m.start(), m.end(), True) for m in ADMIN_CODE.finditer(text)]
    cuts += [(m.start(), m.end(), False) for m in _NON_NAME.finditer(text)]
    cuts.sort()
    runs: list[tuple[int, int, bool, bool]] = []
    pos, after_admin = 0, True  # a text's start works like the end of a code
    for s, e, is_admin in cuts:
        if s > pos:
            runs.append((pos, s, after_admin, is_admin))
        if e > pos:
            pos = e
            after_admin = is_admin
    if pos < len(text):
        runs.append((pos, len(text), after_admin, False))
    return runs


_NON_NAME = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")


def _scan(text: str, in_title: bool) -> tuple[list[Place], list[tuple[int, int]]]:
    """Return the places of one text and the spans of its places and administrative codes."""
    places: list[Place] = []
    spans: list[tuple[int, int]] = [(m.start(), m.end()) for m in ADMIN_CODE.finditer(text)]
    for m in _ZONE.finditer(text):
        places.append(Place(m.group(), m.group(), LEVEL_TOWN, "园区", in_title, m.start()))
        spans.append((m.start(), m.end()))
    for s, e, after_admin, before_admin in _clauses(text):
        clause = text[s:e]
        found = _scan_clause(clause, s, in_title) if _ENDING_RE.search(clause) else []
        if in_title and after_admin and (not found or found[0][1][0] > s + 1):
            # After a real code (not the title's start) the name may also end at a verb: A市美麓阳光没有….
            head = _scan_head(clause, s, verb_bound=s > 0)
            if head is not None:
                found.insert(0, head)
        if in_title and before_admin and after_admin and s > 0:
            # A code inside a name (the data's masking: 五矿万境K9县) leaves the name's start between two codes:
            # what the clause ends with after its last place is that name, unless it is an ordinary word.
            rest_start = found[-1][1][1] if found else s
            core = _strip_left(text[rest_start:e])
            if (
                3 <= len(core) <= _MAX_CORE
                and not _is_generic(core)
                and not _ENDING_RE.search(core)
                and not _dictionary_words()[2].get(core)
            ):
                place = Place(core, core.lower(), LEVEL_UNIT, "小区", in_title, e - len(core))
                found.append((place, (e - len(core), e)))
        for place, span in found:
            places.append(place)
            spans.append(span)
    return places, spans


def extract_places(title: str, body: str) -> PlaceReading:
    """Return the places, administrative codes and place spans of a message (title and body normalised).

    Only the first ``BODY_SCAN_CHARS`` characters of the body are read: a body names its place early, and the
    problem vector reads no further either.
    """
    title_places, title_spans = _scan(title, True)
    body_places, body_spans = _scan(body[:BODY_SCAN_CHARS], False)
    admin: list[str] = []
    for text in (title, body):
        for m in ADMIN_CODE.finditer(text):
            if m.group() not in admin:
                admin.append(m.group())
    seen: set[str] = set()
    places: list[Place] = []
    for place in title_places + body_places:
        if place.key not in seen:
            seen.add(place.key)
            places.append(place)
    return PlaceReading(tuple(places), tuple(admin), tuple(sorted(title_spans)), tuple(sorted(body_spans)))


_EXACT_ONLY = re.compile(r"[0-9\x00-\x1f]")


def exact_only(key: str) -> bool:
    """Tell whether a key matches only itself: it holds a digit (``805路`` is not ``5路``) or is a compound key."""
    return _EXACT_ONLY.search(key) is not None


def keys_match(a: str, b: str) -> bool:
    """Tell whether two place keys name the same place.

    Equal, or the shorter one ends the longer one (at least two characters: ``洪西`` / ``东进洪西``, ``魅力之城`` /
    ``万科魅力之城``), or begins it (at least three: ``伊景园`` / ``伊景园滨河苑``, or two when the rest is a kind
    word of a compound: ``丽发`` / ``丽发新城``, as 丽发小区 for 丽发新城小区).  Keys with digits only match themselves.
    """
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    if len(a) < 2 or not (b.endswith(a) or (b.startswith(a) and (len(a) >= 3 or b[len(a) :] in COMPOUND_ENDINGS))):
        return False
    return not (exact_only(a) or exact_only(b))


def warm_up() -> None:
    """Read jieba's dictionary for the name boundaries now rather than on the first message."""
    _dictionary_words()
