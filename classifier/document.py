"""A message read once for every model, and the analyzers that turn it into TF-IDF terms.

``read(title, body)`` normalises the text and segments it with jieba once; every model's vectorizers read the
resulting ``Document`` through an analyzer (``TfidfVectorizer(analyzer=CharNgrams(...), token_pattern=None)``),
and the explanation maps the terms back onto the same jieba words.  The text is ``title + " " + body``, so the
title is a prefix of the text and every analyzer can say where its terms sit in the text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from classifier.tokenize import normalize, segment

FIELDS = ("text", "title")


def fold_case(text: str) -> str:
    """Lower-case ``text`` without changing its length, so positions stay valid (``"İ".lower()`` has two chars)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


@dataclass(frozen=True, eq=False)
class Document:
    """One message: normalised ``title`` and ``text`` (title, a space, body), ``folded`` (the text lower-cased, same
    length) and its jieba ``words`` with their ``starts`` and ``ends`` in ``text`` (whitespace left out).

    ``memo`` (prediction only) keeps each analyzer's terms, so that every model and the explanation reuse one list
    of terms, whose hashes are computed once; training leaves it None, or thousands of documents would hold
    their term lists.
    """

    title: str
    text: str
    folded: str
    words: tuple[str, ...]
    starts: np.ndarray
    ends: np.ndarray
    memo: dict | None = None


def read(title: str | None, body: str | None, *, memo: bool = False) -> Document:
    """Normalise and segment one message (jieba without HMM); ``memo`` for a document that several models read."""
    title, body = normalize(title), normalize(body)
    text = f"{title} {body}" if title and body else title or body
    spans = [span for span in segment(text) if not span[0].isspace()]
    return Document(
        title=title,
        text=text,
        folded=fold_case(text),
        words=tuple(word for word, _, _ in spans),
        starts=np.array([start for _, start, _ in spans], dtype=np.int64),
        ends=np.array([end for _, _, end in spans], dtype=np.int64),
        memo={} if memo else None,
    )


class CharNgrams:
    """Analyzer: the lower-cased character n-grams of a document's ``text`` or ``title``, shortest first.

    ``positions(doc)`` gives the start (in ``doc.text``) and the length of each term, in the order ``__call__``
    lists them, for the explanation.
    """

    def __init__(self, field: str = "text", ngram_range: tuple[int, int] = (1, 2)):
        if field not in FIELDS:
            raise ValueError(f"field must be one of {FIELDS}")
        self.field = field
        self.ngram_range = tuple(ngram_range)

    def source(self, doc: Document) -> str:
        """The lower-cased string this analyzer reads (the title is the start of the text)."""
        return doc.folded if self.field == "text" else doc.folded[: len(doc.title)]

    def __call__(self, doc: Document) -> list[str]:
        if doc.memo is None:
            return self.terms(doc)
        key = (self.field, self.ngram_range)
        if key not in doc.memo:
            doc.memo[key] = self.terms(doc)
        return doc.memo[key]

    def terms(self, doc: Document) -> list[str]:
        """The n-grams, computed afresh."""
        source = self.source(doc)
        low, high = self.ngram_range
        terms = list(source) if low == 1 else []
        for n in range(max(low, 2), high + 1):
            terms += [source[i : i + n] for i in range(len(source) - n + 1)]
        return terms

    def positions(self, doc: Document) -> tuple[np.ndarray, np.ndarray]:
        """Start in ``doc.text`` and length of each term, in the order of ``__call__``."""
        length = len(self.source(doc))
        low, high = self.ngram_range
        counts = [max(length - n + 1, 0) for n in range(low, high + 1)]
        starts = np.concatenate([np.arange(count, dtype=np.int64) for count in counts])
        return starts, np.repeat(np.arange(low, high + 1, dtype=np.int64), counts)

    def __repr__(self) -> str:
        return f"CharNgrams({self.field!r}, {self.ngram_range})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharNgrams) and (self.field, self.ngram_range) == (other.field, other.ngram_range)

    def __hash__(self) -> int:
        return hash((self.field, self.ngram_range))
