"""Masking numbers in free text (issue 17.6): every spelling of a personal number is masked, ordinary numbers stay.

The spellings are drawn by hypothesis: each digit as ASCII, full-width or a Chinese numeral (幺, 洞, 拐 and the
capital forms included), with spaces, dots, dashes or nothing between the digits or the groups, a country code
in front, and Chinese text around it.
"""

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from suggestions.privacy.scrubbing import scrub_text

WRITTEN = {
    "0": "0０〇零洞",
    "1": "1１一幺壹",
    "2": "2２二贰",
    "3": "3３三叁",
    "4": "4４四肆",
    "5": "5５五伍",
    "6": "6６六陆",
    "7": "7７七柒拐",
    "8": "8８八捌",
    "9": "9９九玖",
}
TO_ASCII = str.maketrans({ch: digit for digit, chars in WRITTEN.items() for ch in chars})
SEPARATORS = ["", " ", "-", ".", " - ", "·", "\u3000", "．", "  "]
# Chinese words without any digit or numeral in them, to put the number in a sentence.
WORDS = [
    "我的电话",
    "请回电",
    "联系方式",
    "谢谢",
    "小区门口",
    "建议",
    "家里座机",
    "身份证号",
    "：",
    "，",
    "（",
    "）",
    "王先生",
]
CONTEXT = st.lists(st.sampled_from(WORDS), max_size=3).map("".join)
EXAMPLES = settings(max_examples=300, deadline=None)


def digits_left(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text.translate(TO_ASCII))


@st.composite
def spelled(draw, number: str, groups: tuple[int, ...]):
    """``number`` written the way a person might: per-digit spelling, separators within or between groups."""
    style = draw(st.sampled_from(["groups", "every digit", "none"]))
    separator = draw(st.sampled_from(SEPARATORS))
    chars = [draw(st.sampled_from(WRITTEN[d])) if d in WRITTEN else d for d in number]
    if style == "none":
        return "".join(chars)
    if style == "every digit":
        return separator.join(chars)
    parts, at = [], 0
    for size in groups:
        parts.append("".join(chars[at : at + size]))
        at += size
    return separator.join(parts)


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.one_of(
    st.from_regex(r"0(10|2[0-9])[2-9][0-9]{7}", fullmatch=True),
    st.from_regex(r"0[3-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True),
)
id_cards = st.builds(
    lambda area, date, serial, check: f"{area}{date:%Y%m%d}{serial:03d}{check}",
    st.integers(110000, 659999),
    st.dates(date(1900, 1, 1), date(2099, 12, 31)),
    st.integers(0, 999),
    st.sampled_from("0123456789X"),
)


@EXAMPLES
@given(
    st.data(),
    mobiles,
    st.sampled_from(["", "+86", "+86 ", "86", "0086 ", "(+86)", "（+86）", "+86-"]),
    CONTEXT,
    CONTEXT,
)
def test_every_spelling_of_a_mobile_is_masked(data, number, prefix, before, after):
    written = prefix + data.draw(spelled(number, (3, 4, 4)))
    masked = scrub_text(f"{before}{written}{after}")
    assert digits_left(masked) == number[:3] + number[-4:], masked
    assert masked.startswith(before) and masked.endswith(after)
    assert scrub_text(masked) == masked


@EXAMPLES
@given(st.data(), landlines, CONTEXT, CONTEXT)
def test_every_spelling_of_a_landline_is_masked(data, number, before, after):
    code = 3 if number[1] in "12" else 4
    if data.draw(st.booleans()):
        written = data.draw(spelled(number, (code, len(number) - code)))
    else:  # (022)2345 6789
        rest = number[code:]
        written = f"({number[:code]})" + data.draw(spelled(rest, (len(rest) - 4, 4)))
    masked = scrub_text(f"{before}{written}{after}")
    left = digits_left(masked)
    assert left == number[:3] + number[-4:], masked
    assert scrub_text(masked) == masked


@EXAMPLES
@given(st.data(), id_cards, CONTEXT, CONTEXT)
def test_every_spelling_of_an_id_card_is_masked(data, number, before, after):
    written = data.draw(spelled(number, (6, 8, 4)))
    masked = scrub_text(f"{before}{written}{after}")
    assert digits_left(masked) == number[:3] + number[-4:], masked


# Ordinary numbers people write in suggestions: none of them is personal.
years = st.integers(1949, 2100).map(lambda y: f"{y}年")
dates = st.dates(date(1949, 1, 1), date(2100, 12, 31)).map(
    lambda d: st.sampled_from([f"{d:%Y-%m-%d}", f"{d:%Y.%m.%d}", f"{d:%Y年%m月%d日}", f"{d:%Y/%m/%d}"])
)
amounts = st.one_of(
    st.integers(0, 999_999_999).map(lambda n: f"{n}元"),
    st.integers(0, 10**13).map(lambda n: f"{n:,}元"),
    st.decimals(0, 9_999_999, places=2).map(lambda n: f"{n}元"),
    st.integers(1, 99_999).map(lambda n: f"{n}万元"),
)
houses = st.builds(
    lambda building, unit, floor, room: f"{building}号楼{unit}单元{floor}{room:02d}室",
    st.integers(1, 99),
    st.integers(1, 9),
    st.integers(1, 40),
    st.integers(1, 20),
)
rooms = st.lists(st.integers(101, 3020).map(str), min_size=2, max_size=5).map("、".join)
times = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
measures = st.one_of(
    st.integers(1, 99_999).map(lambda n: f"{n}平方米"),
    st.integers(1, 500).map(lambda n: f"{n}路公交"),
    st.integers(1, 100).map(lambda n: f"{n}%"),
    st.builds(
        lambda a, b, c, d: f"{a}.{b}-{c}.{d}",
        st.integers(1949, 2030),
        st.integers(1, 12),
        st.integers(1949, 2030),
        st.integers(1, 12),
    ),
    st.sampled_from(["12345热线", "110", "120急救", "96196", "一二九街道", "第一中学", "十一路", "一九九八年"]),
)
ordinary = st.one_of(years, dates.flatmap(lambda s: s), amounts, houses, rooms, times, measures)


@EXAMPLES
@given(st.lists(st.tuples(ordinary, st.sampled_from(WORDS)), min_size=1, max_size=5))
def test_ordinary_numbers_are_left_alone(parts):
    text = "".join(number + words for number, words in parts)
    assert scrub_text(text) == text


def test_the_audit_examples():
    assert scrub_text("q=139+1111+2222") == "q=139+1111+2222"  # a URL's plus signs are spaces: the log sees those
    for typed in ["139 1111 2222", "8613911112222", "+8613911112222", "139.1111.2222", "一三九幺幺幺幺二二二二"]:
        assert scrub_text(f"请联系{typed}谢谢") == "请联系139****2222谢谢"


def test_the_department_reads_a_confidential_item_with_every_spelling_masked(client, auth, staff, housing_item):
    spellings = ["+8613911112222", "8613911112222", "139.1111.2222", "139 1111 2222", "一三九幺幺幺幺二二二二"]
    suggestion = housing_item(body="小区路灯坏了很久，请尽快修理。联系我：" + "，或".join(spellings), confidential=True)
    auth.login(staff["officer"])
    html = client.get(f"/suggestions/{suggestion.id}").get_data(as_text=True)
    assert "小区路灯坏了很久" in html
    assert html.count("139****2222") >= len(spellings)
    for spelled_number in spellings + ["1111", "幺幺幺幺"]:
        assert spelled_number not in html
