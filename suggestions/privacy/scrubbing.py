"""Masking of personal numbers (ID cards, mobiles, landlines) in free text before anyone else reads it."""

from __future__ import annotations

import re

# Personal numbers typed into free text.  Matching runs on a copy with full-width
# digits folded to ASCII, so "１３８…" is caught too; the spans map 1:1 back.
_FOLD_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_ID_CARD = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])"
)
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0[1-9][0-9]{1,2}[ -]?[0-9]{7,8}(?![0-9])")


def _mask_span(text: str) -> str:
    digits = [ch for ch in text if ch.isalnum()]
    keep_head, keep_tail = (3, 4) if len(digits) >= 11 else (2, 2)
    return "".join(digits[:keep_head]) + "*" * (len(digits) - keep_head - keep_tail) + "".join(digits[-keep_tail:])


def scrub_text(text: str) -> str:
    """Mask ID-card, mobile and landline numbers in free text (110101********1234, 138****5678)."""
    if not text:
        return text
    folded = text.translate(_FOLD_DIGITS)
    spans = []
    for pattern in (_ID_CARD, _MOBILE_IN_TEXT, _LANDLINE):
        for match in pattern.finditer(folded):
            if not any(start < match.end() and match.start() < end for start, end in spans):
                spans.append((match.start(), match.end()))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + _mask_span(folded[start:end]) + text[end:]
    return text
