"""TF-IDF feature views that score one message with numpy alone.

Training fits ``TfidfVectorizer``s (see ``classifier.model``) and keeps only what scoring needs: a vocabulary and
its IDF.  The arithmetic of ``TfidfVectorizer`` (raw or sublinear tf, smooth IDF, l2 norm) is repeated here
because calling four vectorizers for one message costs more than the whole 2 ms prediction budget, and because an
artifact without scikit-learn objects loads without importing scikit-learn (about a second).

A message is read once into a ``Document``: normalised title and text plus one jieba segmentation of the text,
shared by the word views and the explanation.  The text is ``title + " " + body``; jieba never joins words across
whitespace, so the title's words are exactly the leading spans of the text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from classifier.tokenize import normalize, segment

# Bits per code point in an n-gram key; every Unicode code point fits.
_BITS = 21


def fold_case(text: str) -> str:
    """Lower-case ``text`` without changing its length, so positions stay valid (``"İ".lower()`` has two chars)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


@dataclass(frozen=True, eq=False)
class Document:
    """A message as the category model reads it: normalised title and text, and the jieba words of the text.

    ``words`` are the words with their ``starts`` and ``ends`` in ``text``, whitespace left out; ``folded`` are
    the same words lower-cased, as the word views count them.
    """

    title: str
    text: str
    words: list[str]
    folded: list[str]  # ``words`` itself when lower-casing changes nothing
    starts: np.ndarray
    ends: np.ndarray
    n_title_words: int

    @property
    def title_words(self) -> list[str]:
        return self.folded[: self.n_title_words]

    @property
    def text_words(self) -> list[str]:
        return list(self.folded)


def read(title: str | None, body: str | None) -> Document:
    """Normalise and segment one message (jieba without HMM: under 1 ms for 400 characters)."""
    title, body = normalize(title), normalize(body)
    text = f"{title} {body}" if title and body else title or body
    spans = [span for span in segment(text) if not span[0].isspace()]
    words = [word for word, _, _ in spans]
    lowered = text.lower()
    if lowered == text:
        folded = words
    elif len(lowered) == len(text):  # one lower() for the text is cheaper than one per word
        folded = [lowered[start:end] for _, start, end in spans]
    else:
        folded = [fold_case(word) for word in words]
    starts = np.array([start for _, start, _ in spans], dtype=np.int64)
    ends = np.array([end for _, _, end in spans], dtype=np.int64)
    # jieba never joins across the space after the title, so the title's words are the leading spans.
    n_title_words = int(np.searchsorted(ends, len(title), side="right")) if title else 0
    return Document(title, text, words, folded, starts, ends, n_title_words)


class Corpus(NamedTuple):
    """Many documents as parallel lists: cheap to slice and to send to worker processes."""

    titles: list[str]
    texts: list[str]
    title_words: list[list[str]]
    text_words: list[list[str]]

    @classmethod
    def of(cls, documents: Sequence[Document]) -> Corpus:
        return cls(
            [d.title for d in documents],
            [d.text for d in documents],
            [d.title_words for d in documents],
            [d.text_words for d in documents],
        )

    def take(self, index: Sequence[int]) -> Corpus:
        return Corpus(*([column[i] for i in index] for column in self))

    def __add__(self, other: Corpus) -> Corpus:  # type: ignore[override]
        return Corpus(*(a + b for a, b in zip(self, other, strict=True)))

    def __len__(self) -> int:  # type: ignore[override]
        return len(self.texts)


class Hits(NamedTuple):
    """Where a char view's n-grams occur in a text: start, length and feature column of each occurrence."""

    starts: np.ndarray
    lengths: np.ndarray
    columns: np.ndarray


class Row(NamedTuple):
    """One view's part of a feature vector: sorted columns and their values, plus what explanations need.

    Char views keep their ``hits``, with ``inverse`` (the index in ``columns`` of each hit) and ``counts``
    (occurrences per column); word views keep the ``words`` of their columns.
    """

    columns: np.ndarray
    values: np.ndarray
    hits: Hits | None = None
    inverse: np.ndarray | None = None
    counts: np.ndarray | None = None
    words: list[str] | None = None


_EMPTY = np.zeros(0, dtype=np.int64)


def _term_key(term: str) -> int:
    key = 0
    for char in term:
        key = (key << _BITS) | ord(char)
    return key


def _tfidf(counts: np.ndarray, idf: np.ndarray, sublinear: bool, weight: float) -> np.ndarray:
    """l2-normalised TF-IDF values times ``weight``, as ``TfidfVectorizer`` computes them."""
    tf = np.log(counts) + 1.0 if sublinear else counts.astype(np.float64)
    values = tf * idf
    norm = np.sqrt(values @ values)
    if norm > 0:
        values *= weight / norm
    return values


class CharView:
    """Char 1..``max_n``-gram TF-IDF of a string (lower-cased with ``fold_case``), columns from ``offset``.

    N-grams are looked up by integer keys of their code points, so all n-grams of a text are found with one
    vectorised search instead of a dictionary lookup each.
    """

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, *, max_n: int, sublinear: bool, weight: float):
        if max_n > 3:
            raise ValueError("n-gram keys hold at most three characters")
        keys = np.array([_term_key(term) for term in vocabulary], dtype=np.int64)
        columns = np.array(list(vocabulary.values()), dtype=np.int64)
        order = np.argsort(keys)
        self.keys, self._columns = keys[order], columns[order]
        self.idf = np.asarray(idf, dtype=np.float64)
        self.max_n, self.sublinear, self.weight = max_n, sublinear, float(weight)
        self.offset = 0

    def __len__(self) -> int:
        return len(self.idf)

    def hits(self, text: str) -> Hits:
        codes = np.frombuffer(fold_case(text).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        keys, starts, lengths = [], [], []
        for n in range(1, self.max_n + 1):
            count = len(codes) - n + 1
            if count <= 0:
                break
            key = codes[:count].copy()
            for k in range(1, n):
                key = (key << _BITS) | codes[k : k + count]
            keys.append(key)
            starts.append(np.arange(count))
            lengths.append(np.full(count, n))
        if not keys or not len(self.keys):
            return Hits(_EMPTY, _EMPTY, _EMPTY)
        key = np.concatenate(keys)
        position = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        found = self.keys[position] == key
        return Hits(np.concatenate(starts)[found], np.concatenate(lengths)[found], self._columns[position[found]])

    def row(self, text: str) -> Row:
        hits = self.hits(text)
        columns, inverse, counts = np.unique(hits.columns, return_inverse=True, return_counts=True)
        values = _tfidf(counts, self.idf[columns], self.sublinear, self.weight)
        return Row(columns + self.offset, values, hits, inverse, counts)


class WordView:
    """Word TF-IDF of a list of (lower-cased) jieba words, columns from ``offset``."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, *, sublinear: bool, weight: float):
        self.vocabulary = {str(term): int(column) for term, column in vocabulary.items()}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.sublinear, self.weight = sublinear, float(weight)
        self.offset = 0

    def __len__(self) -> int:
        return len(self.idf)

    def row(self, words: Sequence[str]) -> Row:
        vocabulary = self.vocabulary
        known = sorted((vocabulary[w], w, n) for w, n in Counter(words).items() if w in vocabulary)
        if not known:
            return Row(_EMPTY, np.zeros(0), words=[])
        columns = np.array([c for c, _, _ in known], dtype=np.int64)
        values = _tfidf(np.array([n for _, _, n in known]), self.idf[columns], self.sublinear, self.weight)
        return Row(columns + self.offset, values, words=[w for _, w, _ in known])


def place(views: Sequence[CharView | WordView]) -> int:
    """Give each view its first column in the concatenated feature vector; return the total width."""
    offset = 0
    for view in views:
        view.offset = offset
        offset += len(view)
    return offset
