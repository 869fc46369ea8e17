"""Name a hot issue for staff: 「A市A5区魅力之城小区 · 临街门面油烟直排扰民」.

The place half is the most specific place most of the issue's titles name, with the city and district codes
they most often give.  The problem half is the title of the most central message (the one that scores highest
with the others) with its places cut out and the opening verbs (投诉, 关于, 请问 …) and closing words (的问题,
的投诉 …) trimmed.  Keywords are the words the titles share most, weighted by how rare they are in general
Chinese (jieba's dictionary frequencies).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import jieba

from classifier.tokenize import is_content_word
from classifier.topics.places import ADMIN_CODE, LEVEL_TOWN, Place, keys_match

_CITY = re.compile(r"^(?:[A-Z]\d*市|西地省)$")
_DISTRICT = re.compile(r"^[A-Z]\d+[区县]$")
_OPENING = re.compile(
    r"^(?:关于|投诉|反映|反应|举报|控告|咨询|请问|请求|恳请|恳求|建议|希望|强烈|坚决|再次|多次|第[一二三四五六七八九十\d]+次|"
    r"又|再|请|求|对|给|我要|我们|为什么|为何|问问|问|解决|督促|"
    r"[到从与和及至在的、,，] |的(?![士确]))+"
)
_CLOSING = re.compile(r"(?:的问题|问题|的投诉|的建议|的反映|的疑问|的请求|的申诉|事宜|一事|情况|[?？!！。.,，、]| )+$")
_MAX_PROBLEM = 24
_EMPTY_BRACKETS = re.compile(r"[(（\[【]\s*[)）\]】]")


def problem_phrase(masked_title: str) -> str:
    """Trim a place-free title to the problem it states (``关于  沿线架设高压线的投诉`` → ``沿线架设高压线``)."""
    text = " ".join(masked_title.split())
    while True:
        trimmed = _CLOSING.sub("", _OPENING.sub("", text.lstrip(" ,，、:：")))
        if trimmed == text:
            break
        text = trimmed
    text = text.replace(" ", "")
    if len(text) > _MAX_PROBLEM:
        text = text[:_MAX_PROBLEM] + "…"
    return text


@dataclass(frozen=True, slots=True)
class TitleInfo:
    """What naming an issue reads from one member: its normalised title, title places and codes."""

    title: str
    places: tuple[Place, ...]
    admin: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Label:
    """An issue's name: the place line, the problem, both joined, and the places most named."""

    place: str
    problem: str
    text: str
    places: tuple[str, ...]


def name_issue(members: Sequence[TitleInfo], central: int) -> Label:
    """Name an issue from its members' titles; ``central`` is the position of its most typical member."""
    n = max(1, len(members))
    keys: Counter[str] = Counter()
    names: dict[str, Counter[str]] = {}
    level: dict[str, int] = {}
    for member in members:
        for place in {p.key: p for p in member.places}.values():
            keys[place.key] += 1
            names.setdefault(place.key, Counter())[place.name] += 1
            level[place.key] = min(level.get(place.key, place.level), place.level)
    common = [k for k, c in keys.items() if c * 2 >= n]
    if common:
        main = min(common, key=lambda k: (level[k], -keys[k], k))
    elif keys:
        main = max(keys, key=lambda k: (keys[k], -level[k], k))
    else:
        main = ""
    ordered = sorted(keys, key=lambda k: (-keys[k], level[k], k))
    displays = tuple(names[k].most_common(1)[0][0] for k in ordered)[:5]

    title = members[central].title
    # Places a third of the titles name, the main one and towns are context, not the problem.
    context = {k for k, c in keys.items() if c * 3 >= n}
    drop = [
        p
        for p in members[central].places
        if p.key in context or p.level == LEVEL_TOWN or (main and keys_match(p.key, main))
    ]
    main_name = names[main].most_common(1)[0][0] if main else ""
    # Join the main place with common places written right next to it (伊景园·滨河苑 → 伊景园滨河苑).
    for place in sorted(drop, key=lambda p: p.start):
        if main and keys_match(place.key, main):
            run = _adjacent_run(title, place, [p for p in drop if p.key in common])
            if run != place.name:
                main_name = run
            break
    prefix = _codes(members, n)
    if main_name and ADMIN_CODE.match(main_name):
        prefix = ""
    place_line = prefix + main_name

    stripped = title
    for place in sorted(drop, key=lambda p: -p.start):
        stripped = stripped[: place.start] + " " + stripped[place.start + len(place.name) :]
    problem = problem_phrase(_EMPTY_BRACKETS.sub(" ", ADMIN_CODE.sub(" ", stripped)))
    text = " · ".join(part for part in (place_line, problem) if part) or title[:30]
    return Label(place_line, problem, text, displays)


def _adjacent_run(title: str, place: Place, others: Sequence[Place]) -> str:
    """Return ``place``'s name joined with the other places written right before and after it (伊景园·滨河苑)."""
    chain = sorted({p.start: p for p in [*others, place]}.values(), key=lambda p: p.start)
    at = next(k for k, p in enumerate(chain) if p.start == place.start)

    def touching(left: Place, right: Place) -> bool:
        gap = title[left.start + len(left.name) : right.start]
        return len(gap) <= 1 and not gap.strip("·.・ ")

    first = last = at
    while first > 0 and touching(chain[first - 1], chain[first]):
        first -= 1
    while last + 1 < len(chain) and touching(chain[last], chain[last + 1]):
        last += 1
    return "".join(p.name for p in chain[first : last + 1])


def _codes(members: Sequence[TitleInfo], n: int) -> str:
    """Return the city code and (when a third of the titles give one) the district code most titles give."""
    cities: Counter[str] = Counter()
    districts: Counter[str] = Counter()
    for member in members:
        for code in member.admin:
            if _CITY.match(code):
                cities[code] += 1
            elif _DISTRICT.match(code):
                districts[code] += 1
    prefix = cities.most_common(1)[0][0] if cities else ""
    if districts:
        district, count = districts.most_common(1)[0]
        if count * 3 >= n:
            prefix += district
    return prefix


@cache
def _word_rarity(word: str) -> float:
    freq = jieba.dt.FREQ.get(word, 0)
    return math.log((jieba.dt.total + 1.0) / (freq + 1.0))


def keywords(masked_titles: Sequence[str], count: int = 5) -> list[str]:
    """Return the words most of the titles share, the rarer ones first among equals."""
    jieba.dt.check_initialized()
    df: Counter[str] = Counter()
    for title in masked_titles:
        words = {w for w in jieba.lcut(title, HMM=False) if len(w) >= 2 and is_content_word(w)}
        df.update(words)
    scored = sorted(df, key=lambda w: (-df[w] * _word_rarity(w), w))
    return [w for w in scored if _OPENING.fullmatch(w) is None and _CLOSING.fullmatch(w) is None][:count]
