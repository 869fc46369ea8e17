"""Predict who handles a message: 属地政府 (district, street or town government) or a type of functional bureau.

Supervision: the weak labels that ``classifier.weak_labels`` (strict rules) reads from the official replies of the
messages in attachment 4; no hand labels.  The model reads only title + body, never a reply.

Features: char 1-3-gram TF-IDF of ``title 。 body[:1500]`` (20k n-grams) ⊕ char 1-3-gram TF-IDF of the title (20k)
⊕ 0.7 × TF-IDF of symbolic place tokens (prefecture letter, district/county code, locality words in the title).
Vocabularies and IDF are fitted on the text of every message in the data directory (attachments 4 and 3 and the
category training set) without their labels.  Classifier: ``LinearSVC(C=0.5, class_weight="balanced")``.
Probabilities: Platt scaling shared by all types, then normalised -- p(type) ∝ sigmoid(a · score(type) + b) with a
and b fitted by maximum likelihood on out-of-fold SVM scores.  It keeps the SVM's ranking; its expected calibration
error on held-out folds is 0.01-0.02 (a softmax with temperature scaling: 0.06, overconfident at the top).

This is the recipe of the handler-type study, which measured 0.61 type accuracy and 0.79 属地-vs-functional accuracy
against 274 hand-labelled replies.

A fitted ``HandlerModel`` is plain Python and numpy (dicts, arrays) and scores one message without scikit-learn:
the TF-IDF arithmetic of ``TfidfVectorizer`` is repeated here because calling three vectorizers for one short
text costs about as much as the whole 2 ms prediction budget.
"""

from __future__ import annotations

import re
import time
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from classifier.config import REPLIES_FILE, SEED, TRAIN_FILE, UNLABELLED_FILE
from classifier.dataset import _read_rows, file_sha256
from classifier.evaluate import choose_threshold, expected_calibration_error, quality
from classifier.predict import EXPLANATION_TERMS, TOP_ALTERNATIVES
from classifier.tokenize import is_content_word, normalize, segment
from classifier.weak_labels import HANDLER_TYPES, LOCAL, label_reply

if TYPE_CHECKING:  # scipy and scikit-learn are imported where training needs them: loading a model must not wait
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = [
    "HANDLER_TYPES",
    "LOCAL",
    "HandlerModel",
    "HandlerPrediction",
    "cross_validate_handler",
    "evaluate_dept",
    "label_reply",
    "train_handler",
]

MAX_BODY = 1500
MAX_FEATURES = 20_000
PLACE_WEIGHT = 0.7
SVM_C = 0.5
TARGET_PRECISION = 0.90
RECIPE = (
    "weak labels (strict rules) from attachment-4 replies; char 1-3 TF-IDF of title+body[:1500] (20k) + title (20k) "
    "+ 0.7 x place tokens, vocabulary on all messages' text; LinearSVC C=0.5 balanced; shared Platt scaling, normalised"
)

Progress = Callable[[str], None]


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


def _split_tokens(text: str) -> list[str]:
    return text.split()


def _char_vectorizer() -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=MAX_FEATURES, dtype=np.float32
    )


def _place_vectorizer() -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=_split_tokens, lowercase=False, sublinear_tf=True, dtype=np.float32)


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


class HandlerModel:
    """A fitted handler-type model: feature blocks, linear weights, the calibration (a, b) and a card.

    ``labels`` are the handler types seen in training; ``threshold`` is the confidence at or above which
    out-of-fold predictions were at least 90 % correct (1.0 if no cut reached that); ``card`` holds the training
    counts, weak-label coverage and cross-validated figures (JSON-ready).
    """

    def __init__(
        self,
        *,
        blocks: tuple[_CharBlock, _CharBlock, _TokenBlock],
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
        columns, values, hits = self._features(title, text)
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
            explanation=_explain(text, columns, values * (active[:, best] - active.mean(axis=1)), hits),
        )

    def probabilities(self, title: str | None, body: str | None = "") -> np.ndarray:
        """Calibrated probabilities over ``labels`` (no explanation, no rounding)."""
        columns, values, _ = self._features(clean(title), message_text(title, body))
        return _calibrated(values @ self.weights[columns] + self.intercept, self.calibration)

    def _features(self, title: str, text: str) -> tuple[np.ndarray, np.ndarray, _Hits]:
        """The sparse feature row of a message (sorted columns, values) and where its char n-grams sit in ``text``.

        ``text`` starts with ``title``, so title n-grams are located in ``text`` too.
        """
        text_block, title_block, place_block = self.blocks
        text_hits, title_hits = text_block.hits(text), title_block.hits(title)
        parts = [
            text_block.tfidf(text_hits),
            title_block.tfidf(title_hits),
            place_block.tfidf(place_tokens(title, text).split()),
        ]
        columns = np.concatenate([c for c, _ in parts])
        values = np.concatenate([v for _, v in parts])
        hits = _Hits(*(np.concatenate(pair) for pair in zip(text_hits, title_hits, strict=True)))
        return columns, values, hits


def _explain(text: str, columns: np.ndarray, push: np.ndarray, hits: _Hits) -> tuple[tuple[str, float], ...]:
    """Map the n-grams that pushed the prediction back onto the words of ``text``, as ``classifier.predict`` does.

    ``push`` is each column's contribution to the predicted type measured against the average type, so n-grams
    common to every type do not dominate.  An n-gram's push is shared equally by its characters at every
    occurrence, and a word scores the sum over its characters.
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
    for word, start, end in segment(text):
        if len(word) >= 2:
            scores[word] = scores.get(word, 0.0) + prefix[end] - prefix[start]
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


# ---------------------------------------------------------------------------------------------------------------------
# Training data
# ---------------------------------------------------------------------------------------------------------------------


@dataclass
class _TrainingData:
    blocks: tuple[_CharBlock, _CharBlock, _TokenBlock]
    features: sp.csr_matrix  # rows of the weak-labelled messages
    labels: np.ndarray
    weak_labels: dict
    files: dict


def _prepare(data_dir: Path, progress: Progress, extra: Sequence = ()) -> _TrainingData:
    """Read the data directory, label the replies, fit the vocabularies and featurise the labelled messages.

    ``extra`` are messages with a known handler type in ``label`` (corrections made by staff); they join the
    weak-labelled rows, after them, and their text joins the vocabulary.
    """
    import scipy.sparse as sp

    data_dir = Path(data_dir)
    replied = _read_rows(data_dir / REPLIES_FILE, ("id", "title", "body", "reply"))
    # The other files only add text for the vocabularies; a directory without them (a test fixture) still trains.
    present = [name for name in (REPLIES_FILE, UNLABELLED_FILE, TRAIN_FILE) if (data_dir / name).is_file()]
    others = [row for name in present[1:] for row in _read_rows(data_dir / name, ("id", "title", "body"))]
    progress(f"handler [1/4] weak-labelling {len(replied)} replies")
    verdicts = [label_reply(row["reply"]) for row in replied]
    labelled = [i for i, (handler, _, _) in enumerate(verdicts) if handler]
    extra = [m for m in extra if m.label]
    if len({verdicts[i][0] for i in labelled} | {m.label for m in extra}) < 2:
        raise ValueError(f"the rules found fewer than two handler types in {REPLIES_FILE}; cannot train")
    extra_rows = [{"title": m.title, "body": m.body} for m in extra]
    rows = replied + extra_rows + others
    progress(f"handler [2/4] fitting vocabularies on {len(rows)} messages")
    titles = [clean(row["title"]) for row in rows]
    texts = [message_text(row["title"], row["body"]) for row in rows]
    text_vectorizer, title_vectorizer, place_vectorizer = _char_vectorizer(), _char_vectorizer(), _place_vectorizer()
    text_matrix = text_vectorizer.fit_transform(texts)
    title_matrix = title_vectorizer.fit_transform(titles)
    place_matrix = place_vectorizer.fit_transform([place_tokens(t, x) for t, x in zip(titles, texts, strict=True)])
    rows_used = labelled + list(range(len(replied), len(replied) + len(extra)))
    features = sp.hstack([text_matrix, title_matrix, PLACE_WEIGHT * place_matrix]).tocsr()[rows_used]
    n_text, n_title = text_matrix.shape[1], title_matrix.shape[1]
    return _TrainingData(
        blocks=(
            _CharBlock(text_vectorizer, 0),
            _CharBlock(title_vectorizer, n_text),
            _TokenBlock(place_vectorizer, n_text + n_title, PLACE_WEIGHT),
        ),
        features=features,
        labels=np.array([verdicts[i][0] for i in labelled] + [m.label for m in extra], dtype=object),
        weak_labels={
            "n_replies": len(replied),
            "n_labelled": len(labelled),
            "coverage": round(len(labelled) / len(replied), 4) if replied else 0.0,
            "rules": dict(Counter(rule for _, _, rule in verdicts).most_common()),
            "n_corrections": len(extra),
        },
        files={name: file_sha256(data_dir / name) for name in present},
    )


# ---------------------------------------------------------------------------------------------------------------------
# Fitting, calibration and cross-validation
# ---------------------------------------------------------------------------------------------------------------------

# Score of a type that was absent from a fold's training part: never predicted, probability 0.
_ABSENT = -1e6


def _fit_svm(features: sp.csr_matrix, labels: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Fit the SVM; return its labels, weights (n_features, n_labels) and intercepts as float32."""
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=SVM_C, class_weight="balanced", random_state=0).fit(features, labels)
    weights, intercept = np.asarray(svm.coef_, dtype=np.float32), np.asarray(svm.intercept_, dtype=np.float32)
    if len(svm.classes_) == 2:
        # A binary SVM has one score s for classes_[1]; (-s, s) keeps the argmax and the calibration meaningful.
        weights, intercept = np.vstack([-weights, weights]), np.concatenate([-intercept, intercept])
    return [str(label) for label in svm.classes_], weights.T.copy(), intercept


def _fit_calibration(scores: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """The (a, b) of ``_calibrated`` that maximise the likelihood of the true types."""
    from scipy.optimize import minimize

    usable = scores[np.arange(len(truth)), truth] > _ABSENT / 2  # a type the fold never saw cannot be calibrated
    scores, truth = scores[usable], truth[usable]

    def negative_log_likelihood(params: np.ndarray) -> float:
        proba = _calibrated(scores, (params[0], params[1]))[np.arange(len(truth)), truth]
        return float(-np.mean(np.log(np.maximum(proba, 1e-12))))

    result = minimize(negative_log_likelihood, np.array([3.0, 0.0]), method="Nelder-Mead")
    return float(result.x[0]), float(result.x[1])


def _cross_validate(
    features: sp.csr_matrix, labels: np.ndarray, *, n_splits: int, n_repeats: int, progress: Progress
) -> tuple[dict, tuple[float, float]]:
    """Repeated stratified k-fold on the weak labels; return the report and the calibration fitted on all folds.

    Confidences in the report come from a calibration fitted on the other folds of the same repeat, so the
    threshold and the calibration error are measured on scores the calibration never saw.
    """
    from sklearn.model_selection import RepeatedStratifiedKFold

    classes = sorted(set(labels))
    truth = np.array([classes.index(label) for label in labels])
    splitter = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=SEED)
    with warnings.catch_warnings():
        # Types with fewer examples than folds (体育 has one) are expected; sklearn warns about them.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        folds = list(splitter.split(np.zeros(len(labels)), labels))
    all_scores, all_confidence, all_predicted = [], [], []
    per_repeat = {"accuracy": [], "macro_f1": [], "local_accuracy": [], "top2_accuracy": []}
    for repetition in range(n_repeats):
        scores = np.full((len(labels), len(classes)), _ABSENT, dtype=np.float32)
        fold_of = np.empty(len(labels), dtype=int)
        for fold in range(n_splits):
            number = repetition * n_splits + fold
            train_idx, test_idx = folds[number]
            progress(f"  handler cross-validation fold {number + 1}/{len(folds)}")
            fold_labels, weights, intercept = _fit_svm(features[train_idx], labels[train_idx])
            columns = [classes.index(label) for label in fold_labels]
            scores[np.ix_(test_idx, columns)] = features[test_idx] @ weights + intercept
            fold_of[test_idx] = fold
        predicted_index = scores.argmax(axis=1)
        confidence = np.empty(len(labels))
        for fold in range(n_splits):
            inside = fold_of == fold
            calibration = _fit_calibration(scores[~inside], truth[~inside])
            confidence[inside] = _calibrated(scores[inside], calibration).max(axis=1)
        predicted = [classes[i] for i in predicted_index]
        report = quality(list(labels), predicted)
        top2 = np.argsort(-scores, axis=1)[:, :2]
        per_repeat["accuracy"].append(report["accuracy"])
        per_repeat["macro_f1"].append(report["macro_f1"])
        per_repeat["local_accuracy"].append(_local_accuracy(labels, predicted))
        per_repeat["top2_accuracy"].append(float(np.mean((top2 == truth[:, None]).any(axis=1))))
        all_scores.append(scores)
        all_confidence.append(confidence)
        all_predicted.extend(predicted)
    pooled_truth = list(labels) * n_repeats
    confidence = np.concatenate(all_confidence)
    correct = np.array(pooled_truth, dtype=object) == np.array(all_predicted, dtype=object)
    pooled = quality(pooled_truth, all_predicted)
    result = {
        "scheme": f"{n_repeats}x{n_splits} repeated stratified k-fold on the weak labels, seed {SEED}; "
        "mean and sample std over repeats",
        "n": len(labels),
    }
    for name, values in per_repeat.items():
        result[f"{name}_mean"] = round(float(np.mean(values)), 4)
        result[f"{name}_std"] = round(float(np.std(values, ddof=1)), 4) if n_repeats > 1 else 0.0
    result["per_type"] = pooled["per_class"]
    result["confusion"] = pooled["confusion"]
    result["ece"] = expected_calibration_error(confidence, correct)
    result["threshold"] = choose_threshold(confidence, correct, target_precision=TARGET_PRECISION)
    return result, _fit_calibration(np.vstack(all_scores), np.tile(truth, n_repeats))


def _local_accuracy(true: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of messages where 属地政府-or-not is decided right."""
    return round(float(np.mean([(t == LOCAL) == (p == LOCAL) for t, p in zip(true, predicted, strict=True)])), 4)


# ---------------------------------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------------------------------


def _silent(message: str) -> None:
    """Progress callback that says nothing."""


def train_handler(
    data_dir: Path, *, progress: Progress = _silent, cv_repeats: int = 1, extra: Sequence = ()
) -> HandlerModel:
    """Train the handler model from a data directory holding the attachment-4 reply file (others optional).

    ``extra``: messages whose ``label`` is a known handler type (staff corrections), added to the weak labels.
    Runs ``cv_repeats`` x 5-fold cross-validation for the card and the calibration, then fits on all weak labels.
    """
    return train_prepared(_prepare(data_dir, progress, extra), progress=progress, cv_repeats=cv_repeats)


def train_prepared(data: _TrainingData, *, progress: Progress = _silent, cv_repeats: int = 1) -> HandlerModel:
    """``train_handler`` from already prepared data (the retraining comparison prepares it once)."""
    started = time.perf_counter()
    progress(f"handler [3/4] cross-validating on {len(data.labels)} weak-labelled messages")
    cv, calibration = _cross_validate(data.features, data.labels, n_splits=5, n_repeats=cv_repeats, progress=progress)
    progress(f"handler [4/4] fitting the final model (CV accuracy {cv['accuracy_mean']:.3f})")
    labels, weights, intercept = _fit_svm(data.features, data.labels)
    card = {
        "recipe": RECIPE,
        "labels": labels,
        "label_counts": dict(sorted(Counter(data.labels).items(), key=lambda item: -item[1])),
        "weak_labels": data.weak_labels,
        "files": data.files,
        "n_features": {"text": len(data.blocks[0]), "title": len(data.blocks[1]), "place": len(data.blocks[2])},
        "calibration": {
            "method": "p(type) ∝ sigmoid(a · SVM score + b), fitted on out-of-fold scores",
            "a": round(calibration[0], 4),
            "b": round(calibration[1], 4),
        },
        "cv": cv,
        "threshold": cv["threshold"]["threshold"],
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    return HandlerModel(
        blocks=data.blocks,
        labels=labels,
        weights=weights,
        intercept=intercept,
        calibration=calibration,
        threshold=cv["threshold"]["threshold"],
        card=card,
    )


def cross_validate_handler(
    data_dir: Path, *, n_splits: int = 5, n_repeats: int = 5, progress: Progress = _silent
) -> dict:
    """Full repeated cross-validation report of the recipe on the weak labels (5x5 takes about half a minute)."""
    started = time.perf_counter()
    data = _prepare(data_dir, progress)
    report, calibration = _cross_validate(
        data.features, data.labels, n_splits=n_splits, n_repeats=n_repeats, progress=progress
    )
    report["weak_labels"] = data.weak_labels
    report["calibration"] = [round(calibration[0], 4), round(calibration[1], 4)]
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


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
