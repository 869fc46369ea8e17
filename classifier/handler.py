"""Predict who handles a message: 属地政府 (district, street or town government) or a type of functional bureau.

This module holds what serving needs: the fitted ``HandlerModel``, the text and place tokens it reads, and
``evaluate_dept``.  How it is trained (weak labels from the official replies, features, SVM, calibration,
cross-validation) is ``classifier.handler_training``.

A fitted ``HandlerModel`` is plain Python and numpy (dicts, arrays) and scores one message without scikit-learn:
the TF-IDF arithmetic of ``TfidfVectorizer`` is repeated here because calling three vectorizers for one short
text costs about as much as the whole 2 ms prediction budget.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from classifier.evaluate import expected_calibration_error, quality
from classifier.predict import EXPLANATION_TERMS, TOP_ALTERNATIVES
from classifier.tokenize import is_content_word, normalize, segment
from classifier.weak_labels import HANDLER_TYPES, LOCAL, label_reply

if TYPE_CHECKING:  # training builds the blocks from fitted vectorizers; serving never imports scikit-learn
    from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = [
    "HANDLER_TYPES",
    "LOCAL",
    "HandlerModel",
    "HandlerPrediction",
    "evaluate_dept",
    "label_reply",
]

MAX_BODY = 1500

# ---------------------------------------------------------------------------------------------------------------------
# Text and place tokens
# ---------------------------------------------------------------------------------------------------------------------


def clean(text: str | None) -> str:
    """NFKC, Excel's ``_x000D_`` escapes removed, whitespace runs collapsed."""
    return normalize(unicodedata.normalize("NFKC", text or "").replace("_x000D_", " "))


def message_text(title: str | None, body: str | None) -> str:
    """The text the model reads: the title, a separator and the start of the body."""
    return _join(clean(title), clean(body))


def _join(title: str, body: str) -> str:
    return title + " 。 " + body[:MAX_BODY]


_PLACE_CODE = re.compile(r"([A-N])(\d{0,2})([市区县州])")
_LOCALITY_WORDS = ("街道", "社区", "村", "组", "镇", "乡", "小区", "栋", "路")


def place_tokens(title: str, text: str) -> str:
    """Symbolic tokens for the masked place codes ("A市", "A7县") and locality words of the title."""
    tokens = []
    for source, prefix in ((title, "T"), (text[:300], "B")):
        codes = _PLACE_CODE.findall(source)
        for letter, number, level in codes:
            tokens.append(f"{prefix}PREF_{letter}")
            if number:
                tokens.append(f"{prefix}SUB_{letter}{number}{level}")
                tokens.append(f"{prefix}LVL_sub{level}")
            else:
                tokens.append(f"{prefix}LVL_city")
        if not codes:
            tokens.append(f"{prefix}NOPLACE")
    tokens.extend("TW_" + word for word in _LOCALITY_WORDS if word in title)
    return " ".join(tokens)


# ---------------------------------------------------------------------------------------------------------------------
# The fitted model
# ---------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandlerPrediction:
    """Who the model thinks handles one message.

    ``confidence`` is the calibrated probability of ``handler_type``; ``alternatives`` holds the top candidates
    (type, probability), best first, including ``handler_type``; ``local_probability`` is the probability that the
    handler is 属地政府; ``explanation`` holds (word, weight) pairs of words of the text that pushed the prediction.
    Probabilities are rounded down to 4 decimals, so they never add up to more than 1.
    """

    handler_type: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]
    local_probability: float
    explanation: tuple[tuple[str, float], ...]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["alternatives"] = [list(pair) for pair in self.alternatives]
        data["explanation"] = [list(pair) for pair in self.explanation]
        return data


class _Hits(NamedTuple):
    """Where the vocabulary's char n-grams occur in a text: start, length and feature column of each occurrence."""

    starts: np.ndarray
    lengths: np.ndarray
    columns: np.ndarray


def _ngram_grid(length: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of every char 1-3-gram of a text of ``length`` characters, in the order sklearn lists them."""
    counts = [max(length - n + 1, 0) for n in (1, 2, 3)]
    starts = np.concatenate([np.arange(count, dtype=np.int64) for count in counts])
    return starts, np.repeat(np.array([1, 2, 3], dtype=np.int64), counts)


# A char n-gram is looked up by an integer key of its code points (21 bits each), so that all n-grams of a text are
# found with one vectorised search instead of a dictionary lookup per n-gram.
def _term_key(term: str) -> int:
    key = 0
    for char in term:
        key = (key << 21) | ord(char)
    return key


def _ngram_keys(text: str) -> np.ndarray:
    """Keys of the 1-, 2- and 3-grams of ``text``, in ``_ngram_grid`` order."""
    c = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    return np.concatenate([c, (c[:-1] << 21) | c[1:], (c[:-2] << 42) | (c[1:-1] << 21) | c[2:]])


def _tfidf(columns: np.ndarray, idf: np.ndarray, offset: int, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique columns and values as ``TfidfVectorizer(sublinear_tf=True)`` computes them (l2-normed), times
    ``factor``; ``columns`` holds one entry per occurrence."""
    columns, counts = np.unique(columns, return_counts=True)
    values = (np.log(counts.astype(np.float32)) + 1) * idf[columns - offset]
    values /= np.sqrt(values @ values) or 1.0
    return columns, values * np.float32(factor)


class _CharBlock:
    """A char 1-3-gram TF-IDF block of the feature vector: sorted n-gram keys, their columns, IDF, first column."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int):
        keys = np.array([_term_key(term) for term in vectorizer.vocabulary_], dtype=np.int64)
        columns = np.array(list(vectorizer.vocabulary_.values()), dtype=np.int64)
        order = np.argsort(keys)
        self.keys, self.columns = keys[order], columns[order] + offset
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float32)
        self.offset = offset

    def __len__(self) -> int:
        return len(self.idf)

    def hits(self, text: str) -> _Hits:
        """Every char 1-3-gram of ``text`` that is in the vocabulary, lower-cased as sklearn does."""
        doc = text.lower()
        keys = _ngram_keys(doc)
        position = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[position] == keys
        starts, lengths = _ngram_grid(len(doc))
        return _Hits(starts[found], lengths[found], self.columns[position[found]])

    def tfidf(self, hits: _Hits) -> tuple[np.ndarray, np.ndarray]:
        return _tfidf(hits.columns, self.idf, self.offset, 1.0)


class _TokenBlock:
    """The place-token TF-IDF block: vocabulary, IDF, first column and a constant factor."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int, factor: float):
        self.vocabulary = {str(term): int(column) + offset for term, column in vectorizer.vocabulary_.items()}
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float32)
        self.offset = offset
        self.factor = factor

    def __len__(self) -> int:
        return len(self.idf)

    def tfidf(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        columns = np.array([self.vocabulary[t] for t in tokens if t in self.vocabulary], dtype=np.int64)
        return _tfidf(columns, self.idf, self.offset, self.factor)


class _WordBlock:
    """The jieba-word TF-IDF block (sublinear tf, l2-normed) read by the naive Bayes member."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int):
        self.vocabulary = {str(term): int(column) + offset for term, column in vectorizer.vocabulary_.items()}
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float32)
        self.offset = offset

    def __len__(self) -> int:
        return len(self.idf)

    def tfidf(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        columns = np.array([self.vocabulary[w] for w in words if w in self.vocabulary], dtype=np.int64)
        return _tfidf(columns, self.idf, self.offset, 1.0)


Spans = list[tuple[str, int, int]]


def word_spans(text: str) -> Spans:
    """jieba's words of ``text`` with their positions, whitespace left out."""
    return [span for span in segment(text) if not span[0].isspace()]


def text_words(spans: Spans) -> list[str]:
    """The words the word block counts: lower-cased, as the category model's word views count them."""
    return [word.lower() for word, _, _ in spans]


class HandlerModel:
    """A fitted handler-type model: feature blocks, linear weights, the calibration (a, b) and a card.

    ``labels`` are the handler types seen in training; ``threshold`` is the confidence at or above which
    out-of-fold predictions were at least 90 % correct (1.0 if no cut reached that); ``card`` holds the training
    counts, weak-label coverage and cross-validated figures (JSON-ready).
    """

    def __init__(
        self,
        *,
        blocks: tuple[_CharBlock, _CharBlock, _TokenBlock, _WordBlock],
        labels: Sequence[str],
        weights: np.ndarray,
        intercept: np.ndarray,
        calibration: tuple[float, float],
        threshold: float,
        card: dict,
    ):
        self.blocks = blocks
        self.labels: tuple[str, ...] = tuple(labels)
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)  # (n_features, n_types)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.calibration = (float(calibration[0]), float(calibration[1]))
        self.threshold = float(threshold)
        self.card = card

    def predict(self, title: str | None, body: str | None = "") -> HandlerPrediction:
        """Predict the handler of one message; raise ValueError if it has no text."""
        title, body = clean(title), clean(body)
        if not title and not body:
            raise ValueError("empty message")
        text = _join(title, body)
        spans = word_spans(text)
        columns, values, hits = self._features(title, text, spans)
        active = self.weights[columns]
        proba = _calibrated(values @ active + self.intercept, self.calibration)
        order = np.argsort(-proba, kind="stable")
        best = int(order[0])
        local = self.labels.index(LOCAL) if LOCAL in self.labels else None
        return HandlerPrediction(
            handler_type=self.labels[best],
            confidence=_round_down(proba[best]),
            alternatives=tuple((self.labels[i], _round_down(proba[i])) for i in order[:TOP_ALTERNATIVES]),
            local_probability=_round_down(proba[local]) if local is not None else 0.0,
            explanation=_explain(
                text, spans, columns, values * (active[:, best] - active.mean(axis=1)), hits, self.blocks[3]
            ),
        )

    def probabilities(self, title: str | None, body: str | None = "") -> np.ndarray:
        """Calibrated probabilities over ``labels`` (no explanation, no rounding)."""
        text = message_text(title, body)
        columns, values, _ = self._features(clean(title), text, word_spans(text))
        return _calibrated(values @ self.weights[columns] + self.intercept, self.calibration)

    def _features(self, title: str, text: str, spans: Spans) -> tuple[np.ndarray, np.ndarray, _Hits]:
        """The sparse feature row of a message (sorted columns, values) and where its char n-grams sit in ``text``.

        ``text`` starts with ``title``, so title n-grams are located in ``text`` too; ``spans`` are its words.
        """
        text_block, title_block, place_block, word_block = self.blocks
        text_hits, title_hits = text_block.hits(text), title_block.hits(title)
        parts = [
            text_block.tfidf(text_hits),
            title_block.tfidf(title_hits),
            place_block.tfidf(place_tokens(title, text).split()),
            word_block.tfidf(text_words(spans)),
        ]
        columns = np.concatenate([c for c, _ in parts])
        values = np.concatenate([v for _, v in parts])
        hits = _Hits(*(np.concatenate(pair) for pair in zip(text_hits, title_hits, strict=True)))
        return columns, values, hits


def _explain(
    text: str, spans: Spans, columns: np.ndarray, push: np.ndarray, hits: _Hits, words: _WordBlock
) -> tuple[tuple[str, float], ...]:
    """Map the features that pushed the prediction back onto the words of ``text``, as ``classifier.predict`` does.

    ``push`` is each column's contribution to the predicted type measured against the average type, so features
    common to every type do not dominate.  An n-gram's push is shared equally by its characters at every
    occurrence, and a word scores the sum over its characters plus its own push in the word block.
    """
    # Blocks occupy increasing column ranges and each block's columns are sorted, so ``columns`` is sorted.
    share = push[np.searchsorted(columns, hits.columns)] / hits.lengths
    positive = share > 0
    starts, lengths, share = hits.starts[positive], hits.lengths[positive], share[positive]
    char_scores = np.zeros(len(text) + 3)
    for k in (0, 1, 2):
        covers = lengths > k
        char_scores += np.bincount(starts[covers] + k, weights=share[covers], minlength=len(char_scores))
    prefix = np.concatenate([[0.0], np.cumsum(char_scores)]).tolist()
    scores: dict[str, float] = {}
    for word, start, end in spans:
        if len(word) >= 2:
            scores[word] = scores.get(word, 0.0) + prefix[end] - prefix[start]
    for word in scores:  # each word once more, with its own push in the word block
        column = words.vocabulary.get(word.lower())
        if column is not None:
            scores[word] += float(push[np.searchsorted(columns, column)])
    # Ranking first and filtering stopwords afterwards gives the same words with far fewer checks.
    ranked = sorted(((w, s) for w, s in scores.items() if s > 1e-9), key=lambda pair: -pair[1])
    words = (pair for pair in ranked if is_content_word(pair[0]))
    return tuple((word, round(score, 4)) for word, score in islice(words, EXPLANATION_TERMS))


def _calibrated(scores: np.ndarray, calibration: tuple[float, float]) -> np.ndarray:
    """Probabilities from SVM scores: sigmoid(a · score + b), normalised over the types."""
    slope, offset = calibration
    z = 1.0 / (1.0 + np.exp(-np.clip(slope * np.asarray(scores, dtype=np.float64) + offset, -500.0, 500.0)))
    return z / z.sum(axis=-1, keepdims=True)


def _round_down(p: float) -> float:
    # The small epsilon keeps 0.3 at 0.3 despite binary floating point.
    return int(float(p) * 10_000 + 1e-9) / 10_000


def _local_accuracy(true: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of messages where 属地政府-or-not is decided right."""
    return round(float(np.mean([(t == LOCAL) == (p == LOCAL) for t, p in zip(true, predicted, strict=True)])), 4)


def evaluate_dept(model: HandlerModel, messages: Sequence) -> dict:
    """Score the model on messages with a known handler type.

    ``messages`` have ``title``, ``body`` and ``label`` (the dept_type column), e.g. from
    ``classifier.dataset.load_labelled(path, label_column="dept_type")``.  A label outside ``HANDLER_TYPES`` counts
    as a wrong prediction and keeps its own row in ``per_type`` and ``confusion``.
    """
    if not messages:
        raise ValueError("no labelled messages to evaluate")
    true = [m.label for m in messages]
    proba = np.array([model.probabilities(m.title, m.body) for m in messages])
    order = np.argsort(-proba, axis=1, kind="stable")
    predicted = [model.labels[i] for i in order[:, 0]]
    confidence = proba.max(axis=1)
    correct = np.array([t == p for t, p in zip(true, predicted, strict=True)])
    top2 = [t in (model.labels[i] for i in row[:2]) for t, row in zip(true, order, strict=True)]
    report = quality(true, predicted)
    report["per_type"] = report.pop("per_class")
    confident = confidence >= model.threshold
    report.update(
        {
            "local_accuracy": _local_accuracy(true, predicted),
            "top2_accuracy": round(float(np.mean(top2)), 4),
            "ece": expected_calibration_error(confidence, correct),
            "at_threshold": {
                "threshold": model.threshold,
                "coverage": round(float(confident.mean()), 4),
                "accuracy": round(float(correct[confident].mean()), 4) if confident.any() else None,
            },
            "unknown_labels": sorted(set(true) - set(HANDLER_TYPES)),
        }
    )
    return report
