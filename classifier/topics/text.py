"""Turn a message into the vectors the grouping compares: the problem, and the whole text.

The problem vector holds the character bigrams of the title and the start of the body with every place name and
administrative code cut out, so two messages about the same kind of trouble at different compounds look alike
here and are kept apart only by their places (``classifier.topics.places``).

Weights do not come from the messages being grouped: a bigram weighs by how rare it is in general Chinese,
read from the frequencies in jieba's dictionary, minus a floor so that everyday words count for nothing.  That
makes a message's vector a function of the message alone, which is what lets the incremental index agree
exactly with a full regroup.  Civic boilerplate that is rare in general text but in every message here
(``尊敬的领导``, ``业主``, ``恳请解决``) is listed in ``_BOILERPLATE`` and weighs nothing.  ``problem_kinds`` reads
which of a short list of kinds of trouble (房屋质量, 噪音, 停车 …) a text names, for the grouping's kind bonus.
"""

from __future__ import annotations

import re
from functools import cache

import jieba
import numpy as np

from classifier.tokenize import stopwords

FEATURE_BITS = 22
N_FEATURES = 1 << FEATURE_BITS
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
TITLE_WEIGHT = 2.0
BODY_CHARS = 400
MAX_FEATURES = 80

# Bigrams whose general-language rarity is below this floor (log-odds) carry no weight; above it, weight grows
# with rarity up to a cap.  Bigrams that occur inside no dictionary word mostly straddle two words, so they get
# a middling weight rather than the highest one.
_IDF_FLOOR = 7.0
_IDF_CAP = 6.0
_UNSEEN_WEIGHT = 2.5

# Characters that end a bigram run: function words, digits and Latin letters (dates, numbers, unit codes).
_BREAK_CHARS = "的了们是在我你他她它这那有和就都也还很把被对从向为之与及或而吗呢吧啊呀么哦嘛着过"

_BOILERPLATE = """
尊敬 领导 您好 你好 谢谢 感谢 市长 书记 局长 主任 同志 政府 部门 相关 有关 单位 恳请 请求 希望 要求 建议 反映 投诉 举报
解决 处理 问题 情况 严重 影响 我们 业主 居民 住户 小区 社区 市民 群众 百姓 老百姓 一直 现在 目前 已经 没有 进行 多次
能否 是否 可以 何时 什么 为什么 怎么 如何 一下 尽快 及时 关注 重视 给予 予以 帮助 支持 回复 答复 落实 情况 事情 这个
那个 这样 但是 因为 所以 如果 而且 并且 然而 还是 或者 以及 特别 非常 十分 真的 本人 大家 广大 维护 权益 合法 正常
交房 房屋 房子 开发 发商 楼盘 购房 买房 购买 入住 小孩 孩子 家长 住房 商品 品房
""".split()


# Kinds of trouble residents describe in many words.  Two messages about one compound that both name a kind
# score a little higher (``classifier.topics.grouping.KIND_BONUS``), so "房子出现很多严重的质量问题" and "多栋房子
# 现裂缝" meet although they share no rare bigram.  The kinds are narrow on purpose (noise and dust are two).
PROBLEM_KINDS: dict[str, str] = {
    "房屋质量": "质量问题 质量差 质量太差 质量不合格 开裂 裂缝 裂纹 漏水 渗水 空鼓 沉降 倾斜 楼板 墙面 发霉 偷工减料",
    "交房": "交房 延期交房 逾期交房 收房",
    "产权证": "产权证 房产证 不动产证 两证 网签",
    "停工验收": "停工 烂尾 验收 竣工 备案",
    "面积": "面积缩水 缩水 公摊",
    "虚假宣传": "虚假宣传 虚假广告 货不对板",
    "消防": "消防 消防通道 消防设施",
    "违建": "违建 违章建筑 私搭 乱建 违法搭建 违规建设 加建",
    "噪音": "噪音 噪声 太吵 吵闹 轰鸣 鸣笛 喇叭 分贝",
    "油烟": "油烟 烟道 排烟 烧烤 夜宵 餐馆 饭店 餐饮",
    "扬尘": "粉尘 灰尘 扬尘 尘土",
    "施工": "施工 工地 渣土车",
    "住改商": "住改商 麻将馆 棋牌",
    "垃圾臭味": "臭味 恶臭 异味 垃圾站 垃圾中转 化粪",
    "停车": "停车 车位 乱停 违停",
    "公交": "公交 班次 发车 站台 末班车 首班车",
    "地铁": "地铁 出入口 站点 换乘",
    "过街": "天桥 人行横道 斑马线 红绿灯 信号灯 过街",
    "道路": "路面 坑洼 破损 拉通 断头路 沥青 修路",
    "路灯": "路灯 照明 太暗",
    "拆迁": "拆迁 征地 征收 安置 补偿 棚改 旧城改造 旧改",
    "入学": "入学 学位 上学 就读 招生 学区 划片",
    "幼儿园": "幼儿园 普惠 公办园 托管",
    "实习打工": "实习 打工 工厂 流水线 实训 社会实践",
    "物业": "物业费 物业公司 物业服务 业委会 业主委员会",
    "欠款退款": "拖欠 欠款 退款 退还 不退 欠薪 血汗钱 货款 工程款",
    "捆绑销售": "捆绑 搭售 强制购买",
    "集资诈骗": "诈骗 集资 p2p 立案 受害人 暴雷 爆雷 跑路",
    "水电气": "停水 供水 水压 自来水 停电 供电 燃气 天然气",
    "高压线": "高压线 高压电 电线杆 变电站 110kv 辐射",
    "高铁": "高铁 铁路 火车",
    "医疗": "医院 看病 医疗 医生 治疗",
}
# Kinds that are one problem seen from different sides: a new building's defects, a school place, money owed.
# Effects that many sources share (noise, dust) are not in a family: 麻将馆 noise and 工地 noise are two issues.
PROBLEM_FAMILIES: dict[str, str] = {
    "楼盘交付": "房屋质量 产权证 停工验收 面积 虚假宣传 消防",
    "道路设施": "道路 路灯",
    "上学": "入学 幼儿园",
    "钱款": "欠款退款 集资诈骗",
}
_KIND_OF = {word: kind for kind, words in PROBLEM_KINDS.items() for word in words.split()}
_KIND_RE = re.compile("|".join(sorted(map(re.escape, _KIND_OF), key=len, reverse=True)))
_KIND_BIT = {kind: 1 << k for k, kind in enumerate(PROBLEM_KINDS)}
_FAMILY_MASK = {kind: bit for kind, bit in _KIND_BIT.items()}
for _kinds in PROBLEM_FAMILIES.values():
    _mask = sum(_KIND_BIT[k] for k in _kinds.split())
    for _kind in _kinds.split():
        _FAMILY_MASK[_kind] = _mask


def family_mask(mask: int) -> int:
    """Return the kinds that share a family with any kind in ``mask`` (each kind is its own family at least)."""
    out = 0
    for kind, bit in _KIND_BIT.items():
        if mask & bit:
            out |= _FAMILY_MASK[kind]
    return out


def problem_kinds(text: str) -> int:
    """Return the kinds of trouble ``text`` names (see ``PROBLEM_KINDS``) as a bit mask."""
    mask = 0
    for match in _KIND_RE.finditer(text.lower()):
        mask |= _KIND_BIT[_KIND_OF[match.group()]]
    return mask


def kind_names(mask: int) -> list[str]:
    """Return the names of the kinds in a mask."""
    return [kind for kind, bit in _KIND_BIT.items() if mask & bit]


@cache
def _bigram_table() -> tuple[np.ndarray, np.ndarray]:
    """Return (sorted bigram codes, weights) built from jieba's dictionary frequencies."""
    freq: dict[int, int] = {}
    total = 0
    with jieba.get_dict_file() as handle:
        for line in handle:
            parts = line.decode("utf-8").split()
            if len(parts) < 2:
                continue
            word, count = parts[0], int(parts[1])
            total += count
            for i in range(len(word) - 1):
                code = (ord(word[i]) << 21) | ord(word[i + 1])
                freq[code] = freq.get(code, 0) + count
    zero = {(ord(w[0]) << 21) | ord(w[1]) for w in _BOILERPLATE + sorted(stopwords()) if len(w) == 2}
    codes = np.fromiter(freq, dtype=np.int64, count=len(freq))
    counts = np.fromiter(freq.values(), dtype=np.float64, count=len(freq))
    weights = np.clip(np.log((total + 1.0) / (counts + 1.0)) - _IDF_FLOOR, 0.0, _IDF_CAP)
    for i, code in enumerate(codes.tolist()):
        if code in zero:
            weights[i] = 0.0
    # Where two boilerplate words meet (严重|影响 gives 重影) the bigram weighs nothing, even when it happens
    # to be a dictionary word of its own.
    short = [w for w in _BOILERPLATE if len(w) == 2]
    junctions = {(ord(a[1]) << 21) | ord(b[0]) for a in short for b in short}
    for i, code in enumerate(codes.tolist()):
        if code in junctions:
            weights[i] = 0.0
    junctions -= set(freq)
    codes = np.concatenate([codes, np.fromiter(junctions, dtype=np.int64, count=len(junctions))])
    weights = np.concatenate([weights, np.zeros(len(junctions))])
    order = np.argsort(codes)
    return codes[order], weights[order].astype(np.float32)


_BREAK_TABLE = {ord(ch): " " for ch in _BREAK_CHARS}


def _bigram_codes(text: str) -> np.ndarray:
    """Return the codes of the bigrams of ``text`` that lie inside runs of Chinese characters."""
    if len(text) < 2:
        return np.empty(0, dtype=np.int64)
    chars = np.frombuffer(text.translate(_BREAK_TABLE).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    han = (chars >= 0x3400) & (chars <= 0x9FFF)
    keep = han[:-1] & han[1:]
    return ((chars[:-1] << 21) | chars[1:])[keep]


def _feature_index(codes: np.ndarray) -> np.ndarray:
    """Hash bigram codes into ``N_FEATURES`` columns (Fibonacci hashing: the high bits of a multiplication)."""
    mixed = codes.astype(np.uint64) * _GOLDEN
    return (mixed >> np.uint64(64 - FEATURE_BITS)).astype(np.int32)


def mask_spans(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """Replace the given character spans with spaces (so no bigram crosses a removed place)."""
    if not spans:
        return text
    parts, pos = [], 0
    for start, end in spans:
        if start < pos:
            start = pos
        if end <= start:
            continue
        parts.append(text[pos:start])
        parts.append(" ")
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def problem_vector(title: str, body: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (feature indices, values) of the L2-normalised problem vector; inputs are place-masked texts.

    A bigram weighs its rarity (``_bigram_table``) times a sub-linear term frequency, ``TITLE_WEIGHT`` times
    more in the title than in the first ``BODY_CHARS`` characters of the body.
    """
    indices, values, _ = problem_features(title, body)
    return indices, values


def problem_features(title: str, body: str) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Return ``problem_vector`` and the codes of the title's two strongest bigrams (strongest first)."""
    t_codes = _bigram_codes(title)
    codes = np.concatenate([t_codes, _bigram_codes(body[:BODY_CHARS])])
    if codes.size == 0:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32), []
    unique, inverse = np.unique(codes, return_inverse=True)
    in_title = np.bincount(inverse[: t_codes.size], minlength=unique.size)
    in_body = np.bincount(inverse[t_codes.size :], minlength=unique.size)
    with np.errstate(divide="ignore"):
        tf = TITLE_WEIGHT * np.where(in_title > 0, 1.0 + np.log(in_title), 0.0) + np.where(
            in_body > 0, 1.0 + np.log(in_body), 0.0
        )
    table_codes, table_weights = _bigram_table()
    pos = np.minimum(np.searchsorted(table_codes, unique), table_codes.size - 1)
    weights = np.where(table_codes[pos] == unique, table_weights[pos], _UNSEEN_WEIGHT).astype(np.float32)
    with np.errstate(divide="ignore"):
        in_title_tf = np.where(in_title > 0, 1.0 + np.log(in_title), 0.0).astype(np.float32)
    title_strength = weights * in_title_tf
    best = np.lexsort((unique, -title_strength))[:2]
    strongest = [int(unique[i]) for i in best if title_strength[i] > 0]
    values = (weights * tf).astype(np.float32)
    indices = _feature_index(unique)
    order = np.argsort(indices, kind="stable")
    indices, values = indices[order], values[order]
    keep = values > 0
    indices, values = indices[keep], values[keep]
    if indices.size and np.any(indices[1:] == indices[:-1]):
        # Two bigrams hashed to one column: add them up.
        first = np.concatenate([[True], indices[1:] != indices[:-1]])
        values = np.add.reduceat(values, np.flatnonzero(first))
        indices = indices[first]
    if indices.size > MAX_FEATURES:
        # Keep the strongest features only: the tail of a long body adds little to a cosine and much to its cost.
        top = np.sort(np.argsort(-values, kind="stable")[:MAX_FEATURES])
        indices, values = indices[top], values[top]
    norm = float(np.sqrt(np.dot(values.astype(np.float64), values.astype(np.float64))))
    if norm == 0.0:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32), strongest
    return indices, (values / norm).astype(np.float32), strongest


def warm_up() -> None:
    """Read jieba's dictionary now rather than on the first message."""
    _bigram_table()
