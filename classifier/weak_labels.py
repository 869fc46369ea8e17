"""Weak handler labels read from the official reply to a citizen message.

``label_reply(reply_text)`` returns ``(handler_type | None, matched_org_name, rule_name)`` and ``org_type(name)`` maps
an organisation name to one of ``HANDLER_TYPES``.  The labels supervise the handler model (``classifier.specs``);
this module is training-only: replies are never needed at prediction time.

Who counts as the handler: the unit that actually answered or handled the message.

* The unit that signs the reply (落款) or names itself in a header ("B9市卫生和计划生育局回复:").
* The unit that speaks in the substantive answer ("A3区洋湖街道高度重视", "经我局调查", "我镇党委政府…"); an unnamed
  "我局/我大队/…" is resolved to the unit of that kind named in the reply, else from the reply's domain vocabulary.
* For a pure forwarding note ("已转市人社局调查处理") the unit it was forwarded to; "已转有关部门" says nothing.
* Never a unit the citizen is merely referred to ("建议您向…咨询", "可拨打…电话").
* A coordinating office that only relays the findings of one functional unit ("A5区高度重视,我办经调查…经A5区教育局
  核实") passes the label to that unit; if the office, a street or a town did the work itself, or several units were
  coordinated, the handler is 属地政府.

The right-most domain keyword of a name decides its type ("A市公安局J1区分局" -> 公安, "安沙镇中心小学" -> 教育), with a
few compound overrides ("社区卫生服务中心" -> 卫健).  Missing or conflicting evidence makes the function abstain.
On a hand-checked random sample of 300 replies the strict rules label 73.7 % with precision 0.92 (0.905 before the
error analysis that fixed four bugs, the honest figure).

Replies are NFKC-normalised first, so the patterns only need the ASCII forms of ``,;:!?()``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import NamedTuple

LOCAL = "属地政府"
HANDLER_TYPES = (
    LOCAL,
    "教育",
    "公安",
    "交通运输",
    "住建",
    "城管",
    "人社",
    "自然资源规划",
    "生态环境",
    "卫健",
    "水务",
    "医保",
    "市场监管",
    "文旅",
    "体育",
    "发改",
    "农业农村",
    "商务",
    "税务财政",
    "民政",
    "其他",
)

# ---------------------------------------------------------------------------------------------------------------------
# Organisation name -> handler type
# ---------------------------------------------------------------------------------------------------------------------

# (keyword pattern, type).  The right-most hit in a name wins, ties go to the longer hit.
_KEYWORDS = [
    # Governments, their offices and agencies, streets, towns, villages, development zones.
    (
        r"人民政府|政府|党委|党工委|区委|县委|市委|州委|管委会?|管理委员会|示范区|新区|经开区|高新区|"
        r"开发区|园区|街道办事处|街道办|办事处|街道|社区|居委会|居民委员会|村委会?|村民委员会|村支两委|"
        r"[镇乡]|网宣办|网管办|网络宣传管理办公室|网宣中心|督查室|政务服务中心|政务中心|政务管理办公室|"
        r"督查|综治办|同治办|处遗办|政府办|政务办|办公厅|行政审批|[A-N]\d{0,2}[市区县州]$|^[A-N]\d{0,2}[市区县州]{1,2}(委|政府)",
        LOCAL,
    ),
    (
        r"交管|交通管理|公安|派出所|交警|交通警察|警察|警务|车管所|出入境|刑侦|治安|巡警|特警|消防|禁毒|户籍科|户政|人境大队",
        "公安",
    ),
    (r"城管|城市管理|行政执法局|行政执法大队|城管执法|市容|环卫|环境卫生|园林|渣土|市政|城市综合执法|数字城管", "城管"),
    (
        r"住建|住房和城乡建设|城乡建设|建设局|建委|建设委员会|住保|住房保障|房产|房管|房屋|物业|公积金|"
        r"质监站|质量安全监督站|建筑|燃气|住房|建设厅|城建",
        "住建",
    ),
    (r"国土|自然资源|规划|规建|不动产|测绘|林业|土地|征地|征拆|储备中心|林草", "自然资源规划"),
    (r"环保|环境保护|生态环境|环境监察|环境监测|产业环保|环境局", "生态环境"),
    (
        r"交通运输|交通局|交通委|运管|运输管理|公路|客运|公交|港航|海事|道路运输|轨道|地铁|出租车|汽车站|"
        r"交通|交投|汽车总站|汽车南站|汽车西站|汽车东站|交通建设|高速|交通厅|驾培|驾校",
        "交通运输",
    ),
    (r"水利|水务|自来水|供水|水司|水文|排水|污水处理|水电", "水务"),
    (
        r"教育|学校|学院|大学|中学|小学|完小|幼儿园|教委|教科|招生|考试院|学籍|教体|教育体育|职业院|我校|该校|"
        r"阳光服务中心|教研|学生资助|大中专",
        "教育",
    ),
    (
        r"卫生|卫健|卫计|计生|计划生育|医院|卫生院|疾控|疾病预防|妇幼|急救|血站|医疗机构|中医院|卫生服务中心|人民医院|"
        r"胸科|卫生计生",
        "卫健",
    ),
    (r"医保|医疗保障|医疗保险|城乡居民医保|医保中心", "医保"),
    (r"人社|人力资源|社保|社会保险|劳动|就业|人事局|人才|社会保障|机保中心|劳动保障监察|征缴中心", "人社"),
    (
        r"市场监督|市场监管|工商|质监局|质量技术监督|食药|食品药品|物价|价格|知识产权|质量监督管理局|市场局|监管所",
        "市场监管",
    ),
    (r"文旅|文化|旅游|文广|广电|新闻出版|文物|图书馆|博物馆|文体广新|文广新|广播电视|电视台|文体", "文旅"),
    (r"体育", "体育"),
    (r"发改|发展和改革|发展改革|粮食|能源|商粮", "发改"),
    (r"农业|农村|农委|农林|畜牧|水产|农机|扶贫|乡村振兴|农经|兽医|农技|农业综合|移民开发|移民局", "农业农村"),
    (r"商务|招商|经济和科技商务|经商|商业局|商粮局|外事", "商务"),
    (r"税务|财政|国税|地税|非税|财税", "税务财政"),
    (r"民政|殡葬|殡仪|养老服务|福利院|敬老院|残联|残疾人联合会|老龄|救助站|婚姻登记|社会组织|慈善|低保", "民政"),
    (
        r"电力|供电|国网|电网|移动公司|联通|电信|铁塔|铁路|火车站|邮政|邮局|银行|支行|烟草|法院|检察|司法|公证|纪委|"
        r"监委|纪检|银保监|银监|保监|人民银行|统计|档案|气象|应急管理|安监|安全生产|退役军人|工信|经信|科技局|宣传部|组织部|网信|编办|人防|"
        r"机关事务|红十字|妇联|团委|工会|保险公司|电力局|供电公司|通信|广播电台|科协|政法委|统战|信访",
        "其他",
    ),
    (r"法院|本院|人民法院|中级人民法院", "其他"),
]

# Compound names whose right-most keyword would mislead; they beat a plain keyword ending at the same place.
_OVERRIDES = [
    (r"教育体育局|教育体育|教体局", "教育"),
    (r"卫生计生综合监督执法局|卫生监督", "卫健"),
    (r"劳动保障监察大队|劳动监察", "人社"),
    (r"环境监察大队|环保局监察大队|环境执法", "生态环境"),
    (r"公安局交警|交警大队|交警支队|交警中队|交通警察", "公安"),
    (r"森林公安", "公安"),
    (r"城管执法中队|城管中队|城管大队|城管执法大队", "城管"),
    (r"社区卫生服务中心|乡镇卫生院|卫生院", "卫健"),
    (r"国土所|国土资源所|自然资源所|规划分局|不动产登记", "自然资源规划"),
    (r"财政所", "税务财政"),
    (r"林业站", "自然资源规划"),
    (r"农业综合服务中心|村镇建设服务中心|镇建设服务中心|便民服务中心|便民中心", LOCAL),
    (r"文化体育|文化广电|文体广新|文旅广电", "文旅"),
    (r"住房公积金", "住建"),
    (r"人民政府办公室|政府办公室|县委办|区委办|市委办", LOCAL),
    (r"交通运输管理所|运管所|运管处", "交通运输"),
    (r"环保分局", "生态环境"),
    (r"工商分局", "市场监管"),
    (r"城乡规划|规划局|规划建设局|规建局", "自然资源规划"),
    (r"住房和城乡建设局|城乡建设局|住建局|住建委", "住建"),
    (r"水利局|水务局", "水务"),
    (r"公安分局", "公安"),
]

_TYPE_PATTERNS = [(re.compile(p), t, 0) for p, t in _KEYWORDS] + [(re.compile(p), t, 1) for p, t in _OVERRIDES]


def org_type(name: str | None) -> str | None:
    """Map an organisation name to a handler type, or None if no domain keyword occurs in it."""
    if not name:
        return None
    best = None  # (end, is_override, length, type)
    for pattern, handler, is_override in _TYPE_PATTERNS:
        for m in pattern.finditer(name):
            key = (m.end(), is_override, m.end() - m.start(), handler)
            if best is None or key[:3] > best[:3]:
                best = key
    return best[3] if best else None


# ---------------------------------------------------------------------------------------------------------------------
# Names, dates and domain vocabulary
# ---------------------------------------------------------------------------------------------------------------------

_NAME_CHAR = r"[A-Z0-9\u4e00-\u9fff“”\"()、]"
_DATE = (
    r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|"
    r"二[〇0○][一二〇0○][〇0○一二三四五六七八九]年[〇0○一二三四五六七八九十]{1,2}月[〇0○一二三四五六七八九十]{1,3}日)"
)
_UNIT_HEAD = (
    r"(?:人民政府|政府|党委政府|党委、政府|街道办事处|街道办|办事处|街道|管委会|管理委员会|委员会|"
    r"局|分局|厅|委|办公室|办|派出所|所|大队|支队|中队|中心|医院|卫生院|院|学校|中学|小学|幼儿园|学院|"
    r"公司|集团|站|处|社区|村委会|镇|乡|区|县|市)"
)
# Words that end in a unit head but are never organisation names.
_NOT_ORG = re.compile(
    r"(乡镇|城镇|集镇|城乡|查处|核处|办处)$|^(各|全|该|本|此|所在|当地|您所|你所|综上所|查处|调查处|核处|办理|城乡|城镇|"
    r"乡镇|住院|出院|该处|此处|该公司|物业公司|有关部门|相关部门|有关单位|相关单位|相关职能部门|职能部门|我们|本单位|该局)$"
)
# Function words in front of a name ("经", "已转交", "会同" ...).
_LEADING_WORD = re.compile(
    r"^(?:经过|经|由|已经|已|转交至|转交给|转交|转至|转给|转由|交由|交办给|交办|移交|转|交|给|请|据|"
    r"立即|迅速|要求|责成|督促|对此|目前|同时|下一步|今后|现|并|现将|就|针对|关于|会同|联合|"
    r"接到|收到|根据|按照|依据|通过|向|与|和|及|同|在|对|为|是|系|属|的)"
)
_NAME_AT_END = re.compile(_NAME_CHAR + r"{1,30}$")


def _clean_org(name: str) -> str:
    """Strip punctuation and leading function words from a candidate name."""
    name = name.strip(" “”\"'‘’:,。()、")
    previous = None
    while previous != name:
        previous = name
        m = _LEADING_WORD.match(name)
        if m and len(name) - m.end() >= 2:
            rest = name[m.end() :]
            # A one-character prefix may be part of the name ("交通局"): strip it only if the type survives.
            before = org_type(name)
            if before is None or org_type(rest) == before or m.end() >= 2:
                name = rest
    return name


def _last_name_run(text: str) -> str:
    m = _NAME_AT_END.search(text)
    return m.group(0) if m else ""


def _is_org(name: str) -> bool:
    if not name or _NOT_ORG.match(name):
        return False
    return org_type(name) is not None


# Domain vocabulary of a reply, for an unnamed "我局/我大队" or a reply without any organisation in it.
_CUES = {
    "公安": r"民警|警情|报警|接警|出警|警力|派出所|户籍|户口|身份证|治安|赌博|刑事|立案|拘留|涉黑|交警|违停|违法停车|"
    r"闯红灯|驾驶证|驾驶人|车管|机动车登记|号牌|出入境|护照|电动自行车登记|交通违法|交通安全设施|信号灯|货车|禁行|限行|闯禁|"
    r"抄牌|拖车|违停|禁停|驾考|考场",
    "教育": r"学校|学生|教师|老师|招生|入学|学位|幼儿园|中学|小学|教育|课程|补课|教辅|班主任|校长|学籍|校园",
    "交通运输": r"公交|线路|客运|运管|出租车|公路|驾校|站点|班次|客车|车辆营运|营运|道路运输|网约车|运输",
    "住建": r"物业|开发商|业委会|业主委员会|维修基金|维修资金|商品房|网签|预售|住房保障|公租房|廉租房|棚改|"
    r"施工许可|质量监督|加装电梯|房屋交易|交房|购房|房产证|物业服务|公积金|工程质量|合格证|检验报告|老旧小区",
    "城管": r"占道|摊贩|摊点|城管|渣土|市容|违章建筑|违法建设|违建|拆违|油烟|户外广告|环卫|垃圾|夜宵|流动摊|执法队员|"
    r"园林|绿化|路灯|市政设施",
    "自然资源规划": r"规划|用地|国土|土地|不动产|宅基地|林地|采矿|矿山|地块|容积率|规划许可|征收|确权|林木",
    "生态环境": r"环评|排污|污染|环保|噪声监测|废气|废水|监测|环境影响|排放|环境保护",
    "人社": r"社保|养老保险|工伤|劳动合同|劳动关系|工资|就业|职称|失业|退休|人事|社会保险|劳动保障|欠薪",
    "卫健": r"医院|医生|患者|卫生|计生|生育|疫苗|诊疗|医师|护士|医疗机构|病人|接种|门诊|独生子女",
    "医保": r"医保|医疗保险|报销|参保|医疗保障|统筹|定点医",
    "水务": r"供水|自来水|水压|停水|水利|河道|水库|排水|管网|水费|水质|山塘|堤",
    "市场监管": r"营业执照|食品|价格|消费者|商标|计量|药品|12315|市场监管|工商|明码标价|质量检测|特种设备",
    "民政": r"低保|救助|殡葬|养老院|社会组织|残疾|婚姻登记|特困|敬老院|孤儿|地名",
    "文旅": r"旅游|文化|景区|网吧|KTV|广电|图书馆|演出|文物|有线电视|娱乐场所",
    "税务财政": r"纳税|税款|发票|财政|个税|税收|税务|采购",
    "农业农村": r"农业|农民|扶贫|畜牧|养殖|农机|合作社|种植|农田|贫困户|耕地|动物防疫|农产品|易地搬迁|移民",
    "发改": r"发改|立项|电价|油价|天然气价格|项目审批|核准|粮食",
    "商务": r"商务|招商|外贸|报废汽车|成品油|加油站",
    "体育": r"体育|健身|运动场|全民健身|体彩",
    "其他": r"查封|被执行人|判决|诉讼|执行案|法院|供电|电费|停电|电力|线路改造|信号|基站|贷款|银行|邮件|快递",
}
_CUE_PATTERNS = {handler: re.compile(pattern) for handler, pattern in _CUES.items()}


def _cue_type(text: str, candidates: list[str] | None = None) -> tuple[str | None, float]:
    """Return the type whose vocabulary occurs most often in ``text`` and its margin over the runner-up."""
    counts = {}
    for handler, pattern in _CUE_PATTERNS.items():
        if candidates and handler not in candidates:
            continue
        n = len(pattern.findall(text))
        if n:
            counts[handler] = n
    if not counts:
        return None, 0.0
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    top, first = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    return top, (first - second) / (first + 1)


# ---------------------------------------------------------------------------------------------------------------------
# Self references: "我镇" is local; "我局" is resolved to the named unit of the same kind
# ---------------------------------------------------------------------------------------------------------------------

_SELF_LOCAL = re.compile(r"我(?:镇|乡|街道|街办|村|社区|区委|县委|区政府|县政府|镇党委|乡党委|办事处)")
_SELF_UNIT = re.compile(r"我(局|分局|大队|支队|中队|队|所|院|校|司|公司|中心|委|办|厅|站|处|单位|行)")
_SELF_HEADS = {
    "局": r"局",
    "分局": r"分局",
    "大队": r"大队",
    "支队": r"支队",
    "中队": r"中队",
    "队": r"队",
    "所": r"所",
    "院": r"院",
    "校": r"(?:学校|中学|小学|学院|校)",
    "司": r"公司|集团",
    "公司": r"公司|集团",
    "中心": r"中心",
    "委": r"委|委员会",
    "办": r"办|办公室",
    "厅": r"厅",
    "站": r"站",
    "处": r"处",
    "单位": r"局|中心|所|院|站|公司|大队|处",
    "行": r"行",
}
# Types an unresolved "我<unit>" may stand for when it is guessed from the vocabulary (None: any).
_SELF_CUE_TYPES = {
    "大队": ["公安", "城管", "人社", "生态环境", "市场监管", "交通运输", "文旅"],
    "支队": ["公安", "城管", "人社", "生态环境", "市场监管", "交通运输", "文旅"],
    "中队": ["公安", "城管", "人社", "生态环境", "市场监管", "交通运输", "文旅"],
    "队": ["公安", "城管", "人社", "生态环境", "市场监管", "交通运输", "文旅"],
    "司": ["交通运输", "水务", "住建", "其他"],
    "公司": ["交通运输", "水务", "住建", "其他"],
    "院": ["卫健", "其他", "教育"],
    "校": ["教育"],
    "行": ["其他"],
}
# Document titles and numbers are not the speaker.
_QUOTED = re.compile(r"《[^》]{0,80}》|〔[^〕]*〕|\[[^\]]*\]")
# A name right after these words is a unit the citizen is sent to, or one the speaker works with.
_OTHER_UNIT_BEFORE = re.compile(
    r"向|咨询|拨打|致电|联系|反映|举报|投诉|请到|可到|前往|到$|地址|联合|会同|配合|协调|约谈|督促|责成|要求|通知|交办给|交由|"
    r"转|报送|上报|报|与$|和$|及$|、$"
)
_OTHER_UNIT_AFTER = re.compile(r"[^,。]{0,3}(咨询|反映|联系|电话|对面|旁边|附近|大楼|楼下|门口)")


@cache
def _named_unit_pattern(head: str) -> re.Pattern:
    return re.compile("(" + _NAME_CHAR + r"{1,18}?(?:" + head + r"))")


def _resolve_self(text: str, unit: str) -> tuple[str | None, str]:
    """Say which named unit "我<unit>" is: the type named most often with that head, outside referral context."""
    text = _QUOTED.sub(lambda m: "#" * len(m.group(0)), text)
    candidates: dict[str, list[str]] = {}
    for m in _named_unit_pattern(_SELF_HEADS.get(unit, unit)).finditer(text):
        name = _clean_org(m.group(1))
        if name.startswith("我") or name.startswith("该") or not _is_org(name):
            continue
        start = m.start() + max(m.group(1).rfind(name), 0)
        if _OTHER_UNIT_BEFORE.search(text[max(0, start - 8) : start]) or _OTHER_UNIT_AFTER.match(
            text[m.end() : m.end() + 8]
        ):
            continue
        handler = org_type(name)
        if handler == LOCAL and unit not in ("办", "委", "中心", "单位"):
            continue
        if unit == "单位" and re.search(r"公司|集团", name):
            continue
        candidates.setdefault(handler, []).append(name)
    if candidates:
        ranked = sorted(candidates.items(), key=lambda item: -len(item[1]))  # stable: ties keep the first named
        if len(ranked) == 1 or len(ranked[0][1]) > len(ranked[1][1]):
            return ranked[0][0], ranked[0][1][0]
    return None, ""


_SELF_LOCAL_NAME = re.compile(r"我(镇|乡|街道|街办|村|社区|区|县|市)(?:党委|政府|人民政府|党委政府|党委、政府)?$")
_SELF_UNIT_NAME = re.compile(
    r"我(局|分局|大队|支队|中队|队|所|院|校|司|公司|中心|委|办|厅|站|处|单位|行)(?:领导|党组|党委)?$"
)


def _resolve_name(name: str, text: str) -> tuple[str | None, str]:
    """Type and display name of a subject that may be a self reference ("我局", "我镇党委")."""
    name = _clean_org(name)
    if _SELF_LOCAL_NAME.search(name):
        return LOCAL, name
    m = _SELF_UNIT_NAME.search(name)
    if m:
        unit = m.group(1)
        handler, resolved = _resolve_self(text, unit)
        if handler:
            return handler, resolved + "(我" + unit + ")"
        if unit == "校":
            return "教育", "我校"
        if unit == "院" and re.search(r"患者|医生|病人|住院|诊", text):
            return "卫健", "我院"
        if unit == "办" and not re.search(r"办公室", text):
            return None, "我办"
        return None, "我" + unit
    if _is_org(name):
        return org_type(name), name
    return None, name


# ---------------------------------------------------------------------------------------------------------------------
# Segments: replies often concatenate a forwarding note and the substantive answer ("answer DATE note DATE")
# ---------------------------------------------------------------------------------------------------------------------

_DATE_SPLIT = re.compile("(" + _DATE + ")")
_DATE_ONLY = re.compile(_DATE)
_SEGMENT_START = re.compile(
    r"^[\s。.!]*(?:$|网友|网民|您好|你好|尊敬|亲爱|“|\"|UU|来信|您的|你的|您反映|你反映|您所|你所|帖文|关于|"
    r"针对|根据|经|[一1][、.]|[A-Z]?\d{0,2}[A-Z]*[\u4e00-\u9fff]{0,12}(?:局|政府|办事处|街道|镇|乡|中心|公司|大队|支队)"
    r"[\s]*(?:回复|答复|:))"
)


def _split_segments(text: str) -> list[str]:
    """Split after dates that are followed by the start of a new segment."""
    parts = _DATE_SPLIT.split(text)
    segments, current = [], ""
    for i, part in enumerate(parts):
        current += part
        if _DATE_ONLY.fullmatch(part.strip() or "x"):
            following = "".join(x for x in parts[i + 1 : i + 3] if x)[:20]
            if _SEGMENT_START.match(following):
                segments.append(current)
                current = ""
    if current.strip():
        segments.append(current)
    return [s for s in segments if s.strip()]


def _is_forward_only(segment: str) -> bool:
    """A short note that only says where the message went."""
    s = _DATE_ONLY.sub("", segment)
    return (
        len(s) < 90
        and bool(re.search(r"转|交由|交办|收悉", s))
        and not re.search(r"经查|经核实|现回复如下|现将.{0,8}回复如下:?.{20,}", s)
    )


# ---------------------------------------------------------------------------------------------------------------------
# Evidence rules
# ---------------------------------------------------------------------------------------------------------------------


class _Evidence(NamedTuple):
    handler: str
    weight: float
    org: str
    rule: str


# Default weight of each rule; some rules lower it for late or repeated hits.
_WEIGHTS = {
    "signature": 10,
    "header": 9,
    "gaodu_zhongshi": 7,
    "self_named": 5,
    "self_local": 5,
    "forward": 5,
    "directed": 5,
    "answered_elsewhere": 5,
    "jing_diaocha": 5,
    "gaodu_region": 4,
    "thanks": 3,
    "actor": 3,
    "self_cues": 3,
    "content_cues": 3,
    "forward_in_text": 2,
}


class _Collector:
    def __init__(self):
        self.items: list[_Evidence] = []

    def add(self, handler: str | None, org: str, rule: str, weight: float | None = None) -> None:
        if handler:
            self.items.append(_Evidence(handler, _WEIGHTS[rule] if weight is None else weight, org, rule))


_SIGNATURE_TAIL = re.compile(r"[\s。.!]*(" + _DATE + r")?[\s。.!]*(特此回复|此复)?[\s。.!]*$")
_DATE_TAIL = re.compile(r"[\s。.!]*(" + _DATE + r")?[\s。.!]*$")
_TAIL_ORG = re.compile("(" + _NAME_CHAR + r"{2,30}?" + _UNIT_HEAD + r"(?:回复|答复)?)$")
_NOT_SIGNATURE = re.compile(r"我|请|咨询|留意|联系|电话|拨打|反映|已|将|的|按照|进行|查处|处理")
_HEADER = re.compile(r"^\s*(" + _NAME_CHAR + r"{2,30}?" + _UNIT_HEAD + r")\s*(?:回复|答复|关于)")


def _signature(segment: str) -> str | None:
    """The unit that signs at the end: "... A7县公安局 2013年1月30日" or "... 泉塘街道办事处"."""
    body = _DATE_TAIL.sub("", _SIGNATURE_TAIL.sub("", segment.strip()))
    m = _TAIL_ORG.search(body)
    if not m:
        return None
    name = _clean_org(m.group(1))
    before = body[: m.start(1)]
    # A signature stands apart from the last sentence.
    separated = not before or re.search(r"[\s。!?;)”]$", before)
    if separated and _is_org(name) and len(name) <= 22 and not _NOT_SIGNATURE.search(name):
        return name
    return None


def _header(segment: str) -> str | None:
    """The unit that introduces itself: "B9市卫生和计划生育局回复:" / "A市XX局关于...的回复"."""
    m = _HEADER.match(segment)
    if m and _is_org(_clean_org(m.group(1))):
        return _clean_org(m.group(1))
    return None


_REGARD = re.compile(
    "(" + _NAME_CHAR + r"{1,30}?)(?:领导|主要领导|党组|党委)?(?:对此|对此事|对此事件|对该问题|收悉后|接到后)?"
    r"(?:高度重视|非常重视|十分重视|极为重视|很重视)"
)
_PERSON_OR_GROUP = re.compile(r"书记|区长|县长|市长|主任|局长|^各|^全|^相关|^有关|领导(?:同志)?$")
_PLACE_CODE = re.compile(r"[A-N]\d{0,2}[市区县]{1,2}")


def _regard_rule(main: str, out: _Collector) -> None:
    """ "A3区洋湖街道高度重视" / "我局高度重视"; a bare "A5区高度重视,我办…" is a relay office (gaodu_region)."""
    for m in _REGARD.finditer(main):
        run = _clean_org(_last_name_run(main[: m.end(1)]))
        if not run or _PERSON_OR_GROUP.search(run):
            continue
        early = m.start() < 160
        if re.search(r"[、和及]", run):
            # Several units together: decisive only if they are all of one type.
            types = {_resolve_name(part, main)[0] for part in re.split(r"[、和及]", run) if part}
            if len(types - {None}) != 1 or None in types:
                continue
            handler, name = types.pop(), run
        else:
            handler, name = _resolve_name(run, main)
        if _PLACE_CODE.fullmatch(name):
            out.add(handler, name, "gaodu_region")
            continue
        out.add(handler, name, "gaodu_zhongshi", (7 if not name.endswith(")") else 6) if early else 3)


_DIRECTED = re.compile(
    r"(?:立即|迅速|第一时间)?(?:要求|责成|安排|指派|交由|交办给|批转)("
    + _NAME_CHAR
    + r"{2,25}?)(?:进行了|进行|立即|迅速|对此|对)?"
    r"(?:实地)?(?:调查|核实|了解|处理|查处|核查|办理)"
)


def _directed_rule(main: str, out: _Collector) -> None:
    """ "我们立即要求X进行调查" (a relay office hands the work to one unit)."""
    for m in _DIRECTED.finditer(main):
        run = _clean_org(m.group(1))
        if "、" in run or "和" in run or "及" in run or not _is_org(run):
            continue
        out.add(org_type(run), run, "directed")


_ANSWERED = re.compile(
    "("
    + _NAME_CHAR
    + r"{2,25}?)已(?:经)?(?:于[^,。]{0,14})?(?:在[^,。]{0,14})?(?:作了|作出|进行了|进行)?(?:公开|明确)?"
    r"(?:回复|答复)"
)


def _answered_elsewhere_rule(text: str, out: _Collector) -> None:
    """ "X已于…作了回复"."""
    for m in _ANSWERED.finditer(text):
        run = _clean_org(m.group(1))
        if _is_org(run) and "、" not in run:
            out.add(org_type(run), run, "answered_elsewhere")


_INVESTIGATED_BY = re.compile(
    r"经(?:过)?(" + _NAME_CHAR + r"{2,25}?)(?:工作人员|执法人员|民警|相关人员|人员)?(?:调查|核实|核查|查实|实地|现场|"
    r"了解|走访|查明|查阅|查询|检查|研究|调解|排查|复核|勘查|测量|检测)"
)


def _investigated_rule(main: str, out: _Collector) -> None:
    """ "经我局调查" / "经A5区教育局核实"."""
    for m in _INVESTIGATED_BY.finditer(main):
        run = _clean_org(m.group(1))
        if "、" in run or "及" in run:
            continue  # several units: not decisive
        handler, name = _resolve_name(run, main)
        out.add(handler, name, "jing_diaocha", 5 if m.start() < 160 else 3)


def _self_rules(main: str, out: _Collector) -> None:
    """ "我镇…" is local; "我局/我大队…" is the named unit of that kind, else guessed from the vocabulary."""
    m = _SELF_LOCAL.search(main)
    if m:
        out.add(LOCAL, m.group(0), "self_local")
    units = list(
        dict.fromkeys(m.group(1) for m in _SELF_UNIT.finditer(main.replace("本局", "我局").replace("本院", "我院")))
    )
    resolved = False
    for unit in units:
        handler, name = _resolve_self(main, unit)
        if handler:
            if unit == "办" and handler == LOCAL:
                out.add(handler, name + "(我办)", "gaodu_region", 3)  # the relaying office itself
            else:
                out.add(handler, name + "(我" + unit + ")", "self_named")
            resolved = True
    if units and not resolved and units[0] != "办":
        allowed = _SELF_CUE_TYPES.get(units[0])
        handler, margin = _cue_type(main, allowed)
        if handler and (margin >= 0.3 or (allowed and len(allowed) == 1)):
            out.add(handler, "我" + units[0] + "(cues)", "self_cues")


_ACTOR = re.compile(
    r"(?:^|[。!;,\s:])(?:下一步|同时|目前|今后|随后|当天|当日|近日|接到[^,。]{0,20}后|经调查|经核实)?[,]?"
    "("
    + _NAME_CHAR
    + r"{0,25}?(?:人民政府|镇政府|乡政府|党委政府|党委、政府|街道办事处|街道办|街道|社区|居委会|村委会|"
    r"派出所|交警大队|交警支队|执法大队|城管执法中队|中队|大队|支队|分局|局|镇党委|乡党委|管委会|镇|乡|医院|学校|公司|"
    r"中心|所))"
    r"(?:已|将|立即|迅速|组织|安排|派|派出|工作人员|执法人员|民警|联合|会同|对|于|第一时间|高度|及时|多次|"
    r"积极|成立|召开|专门|责令|约谈|负责|正在|现已|一直|再次|主动|牵头|也|还|干部)"
)
_NOT_ACTOR = re.compile(r"[也会将已的在对把被从向为是]|部门")
_REFERRAL_BEFORE = re.compile(r"(?:向|请|可|可以|建议|直接|到|前往|拨打|致电|联系|咨询|询问|与)$")


def _actor_rule(main: str, out: _Collector) -> None:
    """A unit that acts: "XX派出所组织警力", "下一步,街道将加大…"; repeats add a little."""
    hits: dict[str, int] = {}
    for m in _ACTOR.finditer(main):
        run = _clean_org(m.group(1))
        if run.startswith(("我", "该", "各", "全", "本", "所在", "当地")) or not _is_org(run) or _NOT_ACTOR.search(run):
            continue
        if _REFERRAL_BEFORE.search(main[max(0, m.start(1) - 6) : m.start(1)]):
            continue
        handler = org_type(run)
        hits[handler] = hits.get(handler, 0) + 1
        n = hits[handler]
        out.add(handler, run, "actor", 3 if n == 1 else (1 if n <= 3 else 0))


_THANKS = re.compile(
    r"感谢(?:您|你|网友|来信人|广大网友)?(?:一直以来)?对(" + _NAME_CHAR + r"{1,20}?)(?:工作|事业|事务|建设|发展|"
    r"的关心|的关注|的支持|的理解|的信任|的监督|关心|关注|支持)"
)


def _thanks_rule(main: str, out: _Collector) -> None:
    """ "感谢您对K1区教育的关心" / "感谢您对城市管理工作的关注"."""
    for m in _THANKS.finditer(main):
        run = _clean_org(m.group(1))
        if run.startswith("我们") or run == "我":
            continue
        handler, name = _resolve_name(run, main)
        if not handler and not run.startswith("我"):
            handler, _ = _cue_type(run)  # "感谢您对人社工作的关注" names a domain, not a unit
            name = run
        out.add(handler, name, "thanks")


_FORWARD = re.compile(
    r"(?:已|我们已|我办已|现已|已经|并已|将)?(?:将您反映的(?:问题|情况))?(?:转交至|转交给|转交|转至|转给|转由|转到|交由|交办给|"
    r"交办|移交给|移交|(?<=已)交|转)("
    + _NAME_CHAR
    + r"{2,30}?)(?:进行|予以|依法)?(?:调查|核处|处理|办理|办复|答复|回复|核查|核实|"
    r"处置|查处|阅处|研究|跟进|落实|关注|解决|[。,!;]|$)"
)
_GENERIC_UNIT = re.compile(
    r"^(?:有关|相关|各|职能|责任|主管)?(?:部门|单位|科室|股室|职能部门|单位进行|部门进行|区县|县市区)"
)


def _forward_rule(notes: str, main: str, out: _Collector) -> None:
    """The unit a message was forwarded to handles it: in forwarding notes, or early in the answer."""
    for text, rule in ((notes, "forward"), (main, "forward_in_text")):
        for m in _FORWARD.finditer(text):
            run = _clean_org(m.group(1))
            if _GENERIC_UNIT.match(run) or not run:
                continue
            if "、" in run or ("和" in run and _is_org(run.split("和")[-1])):
                # Forwarded to several units: decisive only if they are all of one type.
                parts = [part for part in re.split(r"[、和]", run) if _is_org(part)]
                if len({org_type(part) for part in parts}) != 1:
                    continue
                run = parts[0]
            run = re.sub(r"(县|区|市)\1$", r"\1", run)
            if not _is_org(run):
                continue
            out.add(org_type(run), run, "forward" if rule == "forward_in_text" and m.start() < 80 else rule)


def _evidence(text: str) -> list[_Evidence]:
    """Every piece of evidence in a normalised reply, in a fixed order (ties are broken by it)."""
    segments = _split_segments(text)
    answers = [s for s in segments if not _is_forward_only(s)]
    notes = [s for s in segments if _is_forward_only(s)]
    main = " ".join(answers)
    out = _Collector()
    for segment in answers:
        name = _signature(segment)
        if name:
            out.add(org_type(name), name, "signature")
        name = _header(segment)
        if name:
            out.add(org_type(name), name, "header")
    _regard_rule(main, out)
    _directed_rule(main, out)
    _answered_elsewhere_rule(text, out)
    _investigated_rule(main, out)
    _self_rules(main, out)
    _actor_rule(main, out)
    _thanks_rule(main, out)
    _forward_rule(" ".join(notes), main, out)
    evidence = out.items
    # Forwarded both to a bureau and to a local government: the bureau does the work.
    forwarded = {e.handler for e in evidence if e.rule == "forward"}
    if len(forwarded) > 1:
        evidence = [e for e in evidence if not (e.rule == "forward" and e.handler == LOCAL)]
    if not evidence and main:
        # No organisation at all: fall back on the reply's vocabulary (lower precision, never 属地).
        handler, margin = _cue_type(main)
        if handler and margin >= 0.5 and len(_CUE_PATTERNS[handler].findall(main)) >= 2:
            evidence.append(_Evidence(handler, _WEIGHTS["content_cues"], "(content)", "content_cues"))
    return evidence


# ---------------------------------------------------------------------------------------------------------------------
# Decision
# ---------------------------------------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_CONTENT_FREE = re.compile(r"网友|您好|你好|留言|已收悉|收悉|[\W\d年月日_A-Za-z]")
_WORK_RULES = ("jing_diaocha", "directed", "actor", "self_named", "gaodu_zhongshi")


def label_reply(reply_text: str | None, allow_weak: bool = False) -> tuple[str | None, str, str]:
    """Read the handler type from an official reply: ``(handler_type | None, matched_org_name, rule_name)``.

    ``rule_name`` is the rule that decided, or why the function abstained: ``empty`` (no content), ``abstain``
    (no evidence), ``conflict`` / ``weak`` (evidence too close or too thin; ``matched_org_name`` then lists the
    leading scores).  ``allow_weak=True`` adds a lenient guess from the reply's vocabulary (rule
    ``content_cues_weak``) where the strict rules found no evidence at all.
    """
    if not isinstance(reply_text, str):
        return None, "", "empty"
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", reply_text)).strip()
    if len(_CONTENT_FREE.sub("", text)) < 4:
        return None, "", "empty"
    evidence = _evidence(text)
    if not evidence:
        if allow_weak:
            handler, margin = _cue_type(text)
            if handler and margin >= 0.2:
                return handler, "(content)", "content_cues_weak"
        return None, "", "abstain"
    if any(e.rule == "gaodu_region" for e in evidence):
        # A relay office that passes on the work of exactly one functional unit: that unit is the handler.
        working = {e.handler for e in evidence if e.handler != LOCAL and e.rule in _WORK_RULES}
        if len(working) == 1:
            evidence = [e for e in evidence if e.rule != "gaodu_region"]
    signed = [e for e in evidence if e.rule in ("signature", "header")]
    if signed:
        return signed[-1].handler, signed[-1].org, signed[-1].rule
    speaks_as_bureau = any(e.rule in ("self_named", "self_cues") and e.handler != LOCAL for e in evidence) or any(
        e.rule == "gaodu_zhongshi" and e.org.endswith(")") and e.handler != LOCAL for e in evidence
    )
    if speaks_as_bureau:
        # The reply speaks as a functional unit ("我局…"): local governments it names are collaborators.
        evidence = [e._replace(weight=1) if e.rule == "actor" and e.handler == LOCAL else e for e in evidence]
    scores: dict[str, float] = {}
    for e in evidence:
        scores[e.handler] = scores.get(e.handler, 0) + e.weight
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    top, first = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    if first < 3 or first < 1.6 * second or first - second < 2:
        return None, "/".join(f"{t}:{s}" for t, s in ranked[:3]), "conflict" if second else "weak"
    best = max((e for e in evidence if e.handler == top), key=lambda e: e.weight)
    return top, best.org, best.rule
