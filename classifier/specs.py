"""The models: for each, its scikit-learn pipeline and where its labelled examples come from (training only).

Every model is ``Pipeline([("features", a TF-IDF view or a FeatureUnion of views), ("clf", SharedPlatt(LinearSVC))])``
over the ``Document`` of a message; training, cross-validation, thresholds, cards, persistence and explanations
are the same code for all (``classifier.train``, ``classifier.artifacts``, ``classifier.explain``).  A model whose
source files are absent, or that has fewer than two labels with enough examples, is skipped and the router returns
None for it.  Adding a model is one ``ModelSpec`` in ``SPECS`` (and its name in ``classifier.router.MODEL_NAMES``).

Recipes were chosen by repeated stratified 5-fold CV on the real data (5 repeats, 10 for the category model's
extras), paired on the same folds; an extra was kept only if it gained clearly more than the repeat-to-repeat
noise (about ±0.005).  Every view counts the character 1-2-grams seen in at least two training messages (as good
as counting all of them, with a third of the features).

* category: TF-IDF of the text plus 0.7 x TF-IDF (sublinear tf) of the title: +0.013 macro-F1 and +7 points of
  coverage at 95 % precision over the text view alone (0.858).  Not kept: one pseudo-document per taxonomy row
  (+0.005 ± 0.005), a jieba-word view (+0.003 ± 0.005), char 3-grams (-0.009), the title's n-grams inside the
  text vectorizer instead of a view of their own (-0.013).
* handler: TF-IDF (sublinear tf) of the text.  Not kept: a title view (+0.004 ± 0.003 accuracy), place-code
  tokens (-0.007), a word view (+0.009 accuracy but -5 points of coverage at 90 % precision), char 3-grams;
  C=1 gave +0.011 accuracy over C=0.5.
* domain: the handler's recipe (the same messages), until cross-validation on its labels says otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from classifier.calibration import SharedPlatt
from classifier.config import DOMAIN_LABELS_FILE, REPLIES_FILE, TRAIN_FILE
from classifier.dataset import DatasetError, Message, file_sha256, load_labelled, read_rows
from classifier.document import CharNgrams
from classifier.weak_labels import LOCAL, label_reply

DOMAINS = ("就业", "教育", "社保", "医疗", "住房", "养老", "食品安全", "城乡建设", "生态环境", "文化体育", "其他")


@dataclass(frozen=True)
class Sources:
    """Where training data is: ``data_dir`` (laid out like DATA_DIR), an optional category file instead of its
    training set, and the folder of hand-made label files."""

    data_dir: Path | None
    data_path: Path | None
    labels_dir: Path


@dataclass(frozen=True)
class Examples:
    """A model's labelled messages and what the card says about them (``notes``: source-specific counts)."""

    messages: list[Message]
    files: dict[str, str]  # file name -> sha256
    notes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ModelSpec:
    """One model: its name, pipeline, examples and the figures it is judged by."""

    name: str
    name_zh: str  # for the admin page's reasons
    recipe: str  # for the card
    pipeline: Callable[[], Pipeline]
    missing: Callable[[Sources], str | None]  # why the model cannot be trained from these sources, if it cannot
    examples: Callable[[Sources], Examples]
    target_precision: float  # of the predictions at or above the threshold
    headline: str = "macro_f1"  # the figure retraining compares: "macro_f1" or "accuracy"
    extra_metrics: Callable[[Sequence[str], Sequence[str]], dict[str, float]] | None = None


def tfidf(field_name: str, *, sublinear_tf: bool) -> TfidfVectorizer:
    """A TF-IDF view of the character 1-2-grams of a document's ``text`` or ``title`` seen in two messages."""
    analyzer = CharNgrams(field_name, (1, 2))
    return TfidfVectorizer(analyzer=analyzer, token_pattern=None, min_df=2, sublinear_tf=sublinear_tf)


def linear() -> SharedPlatt:
    """The classifier step of every model."""
    return SharedPlatt(LinearSVC(C=1.0, class_weight="balanced", max_iter=10_000, random_state=0))


def pipeline(views: dict[str, TfidfVectorizer], weights: dict[str, float] | None = None) -> Pipeline:
    """``features`` (the view itself, or a FeatureUnion of several: a union costs 0.5 ms per message) + ``clf``."""
    if len(views) == 1 and not weights:
        (features,) = views.values()
    else:
        features = FeatureUnion(list(views.items()), transformer_weights=weights)
    return Pipeline([("features", features), ("clf", linear())])


def category_pipeline() -> Pipeline:
    """Text and title views (see the module docstring)."""
    views = {"text": tfidf("text", sublinear_tf=False), "title": tfidf("title", sublinear_tf=True)}
    return pipeline(views, {"title": 0.7})


def text_pipeline() -> Pipeline:
    """One view of the text."""
    return pipeline({"text": tfidf("text", sublinear_tf=True)})


# ---------------------------------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------------------------------


def category_file(sources: Sources) -> Path:
    """The labelled category file: ``data_path``, else the data directory's training set."""
    if sources.data_path is not None:
        return Path(sources.data_path)
    if sources.data_dir is None:
        raise DatasetError("no category training data: give a data directory or a labelled file")
    return Path(sources.data_dir) / TRAIN_FILE


def category_examples(sources: Sources) -> Examples:
    """The labelled messages with their gold category."""
    path = category_file(sources)
    return Examples(load_labelled(path), {path.name: file_sha256(path)})


def absent(*paths: Path | None) -> str | None:
    """Name the first missing file, or say there is no data directory (a path of None)."""
    for path in paths:
        if path is None:
            return "no data directory"
        if not path.is_file():
            return f"no {path}"
    return None


def replies_file(sources: Sources) -> Path | None:
    """The attachment-4 file (messages with official replies), None without a data directory."""
    return Path(sources.data_dir) / REPLIES_FILE if sources.data_dir else None


def handler_examples(sources: Sources) -> Examples:
    """Messages of attachment 4 labelled with the handler type read from their official reply."""
    path = replies_file(sources)
    rows = read_rows(path, ("id", "title", "body", "reply"))
    verdicts = [label_reply(row["reply"]) for row in rows]
    messages = [
        Message(row["id"], row["title"] or "", row["body"] or "", handler)
        for row, (handler, _, _) in zip(rows, verdicts, strict=True)
        if handler
    ]
    messages = [m for m in messages if m.text]
    notes = {
        "weak_labels": {
            "n_replies": len(rows),
            "n_labelled": len(messages),
            "coverage": round(len(messages) / len(rows), 4) if rows else 0.0,
            "rules": dict(Counter(rule for _, _, rule in verdicts).most_common()),
        }
    }
    return Examples(messages, {path.name: file_sha256(path)}, notes)


def domain_examples(sources: Sources) -> Examples:
    """Messages of attachment 4 labelled by hand with one of ``DOMAINS`` (``labels/domains.csv``: id,domain,...)."""
    labels_path, replies_path = Path(sources.labels_dir) / DOMAIN_LABELS_FILE, replies_file(sources)
    labels = {row["id"]: (row["domain"] or "").strip() for row in read_rows(labels_path, ("id", "domain"))}
    unknown = sorted({label for label in labels.values() if label and label not in DOMAINS})
    if unknown:
        raise DatasetError(f"{labels_path.name} has labels outside {'、'.join(DOMAINS)}: {'、'.join(unknown)}")
    rows = {row["id"]: row for row in read_rows(replies_path, ("id", "title", "body"))}
    messages = [
        Message(row_id, rows[row_id]["title"] or "", rows[row_id]["body"] or "", label)
        for row_id, label in labels.items()
        if label and row_id in rows
    ]
    notes = {"n_label_rows": len(labels), "n_ids_not_found": sum(1 for row_id in labels if row_id not in rows)}
    files = {path.name: file_sha256(path) for path in (labels_path, replies_path)}
    return Examples([m for m in messages if m.text], files, notes)


def local_accuracy(true: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Share of messages where 属地政府-or-a-bureau is decided right."""
    hits = [(t == LOCAL) == (p == LOCAL) for t, p in zip(true, predicted, strict=True)]
    return {"local_accuracy": float(np.mean(hits)) if hits else 0.0}


SPECS = (
    ModelSpec(
        name="category",
        name_zh="分类模型",
        recipe="char 1-2-gram TF-IDF (min_df=2) of title+body, plus 0.7 x char 1-2-gram TF-IDF (sublinear, "
        "min_df=2) of the title; LinearSVC(C=1, balanced) with one shared Platt sigmoid fitted on 3-fold "
        "out-of-fold scores",
        pipeline=category_pipeline,
        missing=lambda sources: absent(category_file(sources)),
        examples=category_examples,
        target_precision=0.95,
    ),
    ModelSpec(
        name="handler",
        name_zh="承办类型模型",
        recipe="weak labels read from the attachment-4 replies (classifier.weak_labels); char 1-2-gram TF-IDF "
        "(sublinear, min_df=2) of title+body; LinearSVC(C=1, balanced) with one shared Platt sigmoid",
        pipeline=text_pipeline,
        missing=lambda sources: absent(replies_file(sources)),
        examples=handler_examples,
        target_precision=0.90,
        headline="accuracy",
        extra_metrics=local_accuracy,
    ),
    ModelSpec(
        name="domain",
        name_zh="领域模型",
        recipe="hand labels (classifier/labels/domains.csv) of attachment-4 messages; char 1-2-gram TF-IDF "
        "(sublinear, min_df=2) of title+body; LinearSVC(C=1, balanced) with one shared Platt sigmoid",
        pipeline=text_pipeline,
        missing=lambda sources: absent(Path(sources.labels_dir) / DOMAIN_LABELS_FILE, replies_file(sources)),
        examples=domain_examples,
        target_precision=0.90,
    ),
)


def spec(name: str) -> ModelSpec:
    """The spec of a model by name."""
    return next(s for s in SPECS if s.name == name)
