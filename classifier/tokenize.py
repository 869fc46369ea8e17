"""Text normalisation and Chinese word segmentation.

The models read text through ``classifier.document``; ``tokenize_zh`` serves the web
app's search.  jieba builds its dictionary lazily on first use (~0.8 s); call
``warm_up()`` once per process (before forking workers) to pay that cost early.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache
from importlib import resources

import jieba

jieba.setLogLevel(logging.WARNING)

_WHITESPACE = re.compile(r"\s+")
# Excel's escapes for control characters (``_x000D_``) survive some CSV exports as literal text.
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_PUNCTUATION_CATEGORIES = ("P", "S", "Z", "C")


def normalize(text: str | None) -> str:
    """Return NFKC-normalised text with Excel escapes removed and runs of whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(" ", text)
    return _WHITESPACE.sub(" ", text).strip()


def compose(title: str | None, body: str | None) -> str:
    """Join title and body into the single string the models read."""
    title, body = normalize(title), normalize(body)
    if title and body:
        return f"{title}\n{body}"
    return title or body


@cache
def stopwords() -> frozenset[str]:
    """Return the stopword list shipped in ``resources/stopwords.txt``."""
    text = resources.files("classifier").joinpath("resources/stopwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_content_word(word: str) -> bool:
    """Tell whether a token carries meaning (not punctuation, digits-only or a stopword)."""
    if not word.strip() or word in stopwords():
        return False
    if word.isdigit():
        return False
    return not all(unicodedata.category(ch)[0] in _PUNCTUATION_CATEGORIES for ch in word)


def segment(text: str, *, hmm: bool = False) -> list[tuple[str, int, int]]:
    """Split text into (word, start, end) spans with jieba's precise mode.

    ``hmm=True`` lets jieba guess unknown words (names, places); it costs a third more time and did not change
    the category model's cross-validated macro-F1, so every model here segments without it.
    """
    return list(jieba.tokenize(text, HMM=hmm))


def tokenize_zh(text: str) -> list[str]:
    """Return the content words of ``text`` for word-level features."""
    return [word for word in jieba.lcut(normalize(text), HMM=False) if is_content_word(word)]


def warm_up() -> None:
    """Build jieba's dictionary now rather than on the first request."""
    jieba.initialize()
