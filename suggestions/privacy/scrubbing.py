"""Masking of personal numbers (ID cards, mobiles, landlines) in free text before anyone else reads it.

People write numbers in many ways: ``+86 139 1111 2222``, ``8613911112222``, ``139.1111.2222``, full-width
digits, and read out in Chinese (``一三九幺幺幺幺二二二二``, with 幺 for 1, 洞/〇 for 0 and 拐 for 7).  Matching runs on
a copy in which each such digit is folded to one ASCII digit, character for character, so the spans found in the
copy are the spans in the text.

Each kind of number has two patterns.  The tight one takes the digits run together (or with the single space or
dash people put in a mobile) and only asks that no digit touches them.  The loose one allows up to three
separators (spaces, dots, dashes, middle dots) between any two digits, and then asks more of the edges: no digit
within a separator's reach on either side, so a list of room numbers or amounts is not read as one number.
Years, amounts, dates, house and room numbers are shorter than any of these and are left alone.
"""

from __future__ import annotations

import itertools
import re

_WRITTEN_DIGITS = {
    "0": "０〇零洞",
    "1": "１一幺壹",
    "2": "２二贰",
    "3": "３三叁",
    "4": "４四肆",
    "5": "５五伍",
    "6": "６六陆",
    "7": "７七柒拐",
    "8": "８八捌",
    "9": "９九玖",
    "X": "Ｘ",
    "x": "ｘ",
}
# One character for one character, so the folded copy keeps every offset.
_FOLD = str.maketrans({written: digit for digit, chars in _WRITTEN_DIGITS.items() for written in chars})

_SEP = r"[ \t.\-_·・—–\u3000．－]"
_GAP = _SEP + "{0,3}"
_EDGE_BEFORE = rf"(?<![0-9])(?<![0-9]{_SEP})(?<![0-9]{_SEP}{_SEP})(?<![0-9]{_SEP}{_SEP}{_SEP})"
_EDGE_AFTER = rf"(?![0-9])(?!{_GAP}[0-9])"
_PREFIX = r"(?:[(（]\s?(?:\+|00)?86\s?[)）]|(?:\+|00)?86)"


def _spaced(*parts: str) -> str:
    """Digit classes with a gap of separators allowed between any two of them."""
    return _GAP.join(parts)


_D = "[0-9]"
_ID_CARD_DIGITS = ["[1-9]"] + [_D] * 5 + ["[12]", _D, _D, _D, "[01]", _D, "[0-3]", _D, _D, _D, _D, "[0-9Xx]"]
_TIGHT = [
    re.compile(
        r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
        r"(?![0-9])"
    ),
    re.compile(rf"(?<![0-9])(?:{_PREFIX}[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){{8}}(?![0-9])"),
    re.compile(r"(?<![0-9])(?:0[1-9][0-9]{1,2}|[(（]0[1-9][0-9]{1,2}[)）])[ -]?[0-9]{7,8}(?![0-9])"),
]
_LOOSE = [
    re.compile(_EDGE_BEFORE + _spaced(*_ID_CARD_DIGITS) + r"(?![0-9])(?!" + _GAP + "[0-9])"),
    re.compile(rf"{_EDGE_BEFORE}(?:{_PREFIX}{_GAP})?" + _spaced("1", "[3-9]", *[_D] * 9) + _EDGE_AFTER),
    re.compile(
        rf"{_EDGE_BEFORE}[(（]?"
        + _spaced("0", "[1-9]", _D)
        + rf"(?:{_GAP}{_D})?\s?[)）]?{_GAP}"
        + _spaced(*[_D] * 7)
        + rf"(?:{_GAP}{_D})?{_EDGE_AFTER}"
    ),
]
_ID_KIND, _LANDLINE_KIND = 0, 2  # positions of the patterns in _TIGHT and _LOOSE
_ID_DATE = re.compile(r"^[0-9]{6}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])")
_COUNTRY_CODE = re.compile(r"^(?:00)?86(?=1[3-9][0-9]{9}$)")


def _digits_of(span: str) -> str:
    return "".join(ch for ch in span if ch.isdigit() or ch in "Xx")


_GROUPS = re.compile(r"[0-9Xx]+")
_YEAR = re.compile(r"^(?:19|20)[0-9]{2}$")


def _is_number(kind: int, loose: bool, span: str) -> bool:
    """Checks a pattern cannot make: the ID card's date, and spaced-out dates read as one number."""
    if kind == _ID_KIND and not _ID_DATE.match(_digits_of(span)):
        return False
    if loose:
        # 1971.12-1972.1 (a date range in a CV) has the shape of a spaced-out mobile; a number has no year in it.
        groups = _GROUPS.findall(span)
        if any(_YEAR.match(a) and len(b) <= 2 for a, b in itertools.pairwise(groups)):
            return False
    return True


def _mask_span(folded: str) -> str:
    digits = _COUNTRY_CODE.sub("", _digits_of(folded))  # +86 139… is shown as 139****…, like any mobile
    keep_head, keep_tail = (3, 4) if len(digits) >= 11 else (2, 2)
    return digits[:keep_head] + "*" * (len(digits) - keep_head - keep_tail) + digits[-keep_tail:]


def personal_number_spans(text: str, *, landlines: bool = True) -> list[tuple[int, int]]:
    """Where personal numbers stand in ``text``, as (start, end) offsets; the longer wins where two overlap."""
    folded = text.translate(_FOLD)
    found = []
    for loose, patterns in ((False, _TIGHT), (True, _LOOSE)):
        for kind, pattern in enumerate(patterns):
            if kind == _LANDLINE_KIND and not landlines:
                continue
            found += [m.span() for m in pattern.finditer(folded) if _is_number(kind, loose, m.group())]
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found, key=lambda span: (span[0] - span[1], span[0])):
        if not any(start < taken_end and taken_start < end for taken_start, taken_end in spans):
            spans.append((start, end))
    return sorted(spans)


def scrub_text(text: str, *, landlines: bool = True) -> str:
    """Mask ID-card, mobile and landline numbers in free text (110***********1234, 139****2222, 022****6789).

    ``landlines=False`` leaves landlines as they are (a department's reply gives its office number).
    """
    if not text:
        return text
    folded = text.translate(_FOLD)
    for start, end in reversed(personal_number_spans(text, landlines=landlines)):
        text = text[:start] + _mask_span(folded[start:end]) + text[end:]
    return text
