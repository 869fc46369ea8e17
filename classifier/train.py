"""Train every model of ``classifier.specs.SPECS``, estimate its quality by cross-validation, save them with a card.

One path for all models: read the examples into documents once; leave out labels with fewer than
``MIN_EXAMPLES`` examples; run repeated stratified 5-fold cross-validation of the model's pipeline (each fold fits
the whole pipeline, vocabulary included, on the other folds); report per-repeat figures and choose the threshold
on the out-of-fold probabilities; fit the pipeline on all examples.  Fold fits run in up to two processes.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import Pipeline

from classifier.artifacts import library_versions, save
from classifier.calibration import CALIBRATION_FOLDS
from classifier.config import ARTIFACT_FORMAT, DATA_DIR, LABELS_DIR, SEED
from classifier.dataset import DatasetError, Message, message_digest
from classifier.document import Document, read
from classifier.evaluate import choose_threshold, expected_calibration_error, quality
from classifier.router import MODEL_NAMES, Router
from classifier.specs import SPECS, Examples, ModelSpec, Sources

Progress = Callable[[str], None]
N_SPLITS = 5
# A label needs enough examples that every training part of the 5 folds holds CALIBRATION_FOLDS of them, so the
# calibration's own folds see it too; rarer labels cannot be learnt or judged and are left out (the card lists them).
MIN_EXAMPLES = CALIBRATION_FOLDS + 2
# Below this many messages a fold fit takes milliseconds and starting worker processes would cost more.
PARALLEL_FROM = 400


def stderr_progress(message: str) -> None:
    """Progress callback that prints to stderr."""
    print(message, file=sys.stderr, flush=True)


def silent(message: str) -> None:
    """Progress callback that says nothing."""


@dataclass(frozen=True)
class Labelled:
    """A model's examples read into documents: base rows first, then corrections (``n_base`` marks the split)."""

    messages: list[Message]
    docs: list[Document]
    n_base: int
    label_order: list[str]
    left_out: dict[str, int]  # labels with fewer than MIN_EXAMPLES examples, and how many they had

    @classmethod
    def of(cls, base: Sequence[Message], corrections: Sequence[Message] = ()) -> Labelled:
        """Leave out rare labels, read the rest; raise ValueError if fewer than two labels remain."""
        counts = Counter(m.label for m in [*base, *corrections])
        left_out = {label: n for label, n in sorted(counts.items()) if n < MIN_EXAMPLES}
        base = [m for m in base if m.label not in left_out]
        corrections = [m for m in corrections if m.label not in left_out]
        messages = base + corrections
        label_order = sorted({m.label for m in messages})
        if len(label_order) < 2:
            raise ValueError(f"need at least two labels with at least {MIN_EXAMPLES} examples each")
        docs = [read(m.title, m.body) for m in messages]
        return cls(messages, docs, len(base), label_order, left_out)

    @property
    def labels(self) -> list[str]:
        """The label of every row."""
        return [m.label for m in self.messages]

    @property
    def corrections(self) -> list[Message]:
        """The correction rows (after the base rows)."""
        return self.messages[self.n_base :]

    def truth(self) -> np.ndarray:
        """The index in ``label_order`` of every row's label."""
        return np.searchsorted(self.label_order, self.labels)


@dataclass(frozen=True)
class Fold:
    """Out-of-fold probabilities (columns in ``label_order``) of the ``test`` rows, in one repeat."""

    repeat: int
    test: np.ndarray
    proba: np.ndarray


def stratified_splits(labels: Sequence[str], n_repeats: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Repeated stratified 5-fold splits of the rows, seeded."""
    splitter = RepeatedStratifiedKFold(n_splits=N_SPLITS, n_repeats=n_repeats, random_state=SEED)
    return list(splitter.split(np.zeros(len(labels)), list(labels)))


def fit(spec: ModelSpec, docs: Sequence[Document], labels: Sequence[str]) -> Pipeline:
    """Fit a fresh pipeline of the spec."""
    return spec.pipeline().fit(list(docs), list(labels))


def fit_and_predict(
    build: Callable[[], Pipeline],
    docs: Sequence[Document],
    labels: Sequence[str],
    train: np.ndarray,
    test: np.ndarray,
    label_order: Sequence[str],
) -> np.ndarray:
    """Fit on the ``train`` rows; return probabilities of the ``test`` rows over ``label_order`` (0 for a label
    the training rows lack)."""
    pipeline = build().fit([docs[i] for i in train], [labels[i] for i in train])
    out = np.zeros((len(test), len(label_order)))
    out[:, np.searchsorted(label_order, pipeline.classes_)] = pipeline.predict_proba([docs[i] for i in test])
    return out


def out_of_fold(
    spec: ModelSpec,
    data: Labelled,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    progress: Progress,
    what: str,
) -> list[np.ndarray]:
    """``fit_and_predict`` for every split, in split order."""
    n_jobs = 1 if len(data.docs) < PARALLEL_FROM else max(1, min(2, os.cpu_count() or 1))
    args = (data.docs, data.labels)
    jobs = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(fit_and_predict)(spec.pipeline, *args, train, test, data.label_order) for train, test in splits
    )
    out = []
    for number, proba in enumerate(jobs, start=1):
        progress(f"  {what} {number}/{len(splits)}")
        out.append(proba)
    return out


def _spread(values: list[float]) -> float:
    return round(float(np.std(values, ddof=1)), 4) if len(values) > 1 else 0.0


def cv_report(
    spec: ModelSpec, data: Labelled, folds: Sequence[Fold], n_repeats: int, scheme: str
) -> tuple[dict, float]:
    """The card's figures from out-of-fold probabilities that score every row once per repeat; and the threshold.

    Figures are per repeat, then mean and sample std; coverage and precision at the threshold are cross-fitted:
    each fold is judged by a threshold chosen on the other folds of its repeat.  The returned threshold is chosen
    on all out-of-fold predictions.
    """
    n, truth, order = len(data.messages), data.truth(), data.label_order
    proba = np.zeros((n_repeats, n, len(order)))
    group = np.full((n_repeats, n), -1)
    for number, fold in enumerate(folds):
        if (group[fold.repeat, fold.test] >= 0).any():
            raise ValueError("a row is scored twice in one repeat")
        proba[fold.repeat, fold.test], group[fold.repeat, fold.test] = fold.proba, number
    if (group < 0).any():
        raise ValueError("every row must be scored once per repeat")
    predicted = proba.argmax(axis=2)
    confidence, correct = proba.max(axis=2), predicted == truth
    figures: dict[str, list[float]] = defaultdict(list)
    routed = np.zeros((n_repeats, n), dtype=bool)
    for repeat in range(n_repeats):
        true, guessed = data.labels, [order[i] for i in predicted[repeat]]
        report = quality(true, guessed)
        figures["macro_f1"].append(report["macro_f1"])
        figures["accuracy"].append(report["accuracy"])
        for name, value in (spec.extra_metrics(true, guessed) if spec.extra_metrics else {}).items():
            figures[name].append(value)
        for number in np.unique(group[repeat]):
            inside = group[repeat] == number
            cut = choose_threshold(confidence[repeat][~inside], correct[repeat][~inside], spec.target_precision)
            routed[repeat, inside] = confidence[repeat, inside] >= cut["threshold"]
    pooled = quality(data.labels * n_repeats, [order[i] for i in predicted.ravel()])
    chosen = choose_threshold(confidence.ravel(), correct.ravel(), spec.target_precision)
    report = {"scheme": scheme, "n": n}
    for name, values in figures.items():
        report[f"{name}_mean"] = round(float(np.mean(values)), 4)
        report[f"{name}_std"] = _spread(values)
        report[f"{name}_per_repeat"] = [round(float(value), 4) for value in values]
    report.update(
        {
            "per_class": pooled["per_class"],
            "confusion": pooled["confusion"],
            "ece": expected_calibration_error(confidence.ravel(), correct.ravel()),
            "threshold": {
                "threshold": chosen["threshold"],
                "target_precision": spec.target_precision,
                "coverage": round(float(routed.mean()), 4),
                "precision": round(float(correct[routed].mean()), 4) if routed.any() else None,
                "method": "lowest confidence at which out-of-fold predictions are >= target precision; coverage and "
                "precision cross-fitted (each fold judged by a threshold chosen on the other folds of its repeat)",
                "in_sample_coverage": chosen["coverage"],
                "in_sample_precision": chosen["precision"],
            },
        }
    )
    return report, chosen["threshold"]


def cross_validate(
    spec: ModelSpec, data: Labelled, *, n_repeats: int, progress: Progress = silent
) -> tuple[dict, float]:
    """Repeated stratified 5-fold cross-validation of the spec's pipeline; returns (report, threshold)."""
    splits = stratified_splits(data.labels, n_repeats)
    probas = out_of_fold(spec, data, splits, progress=progress, what=f"{spec.name} cross-validation fold")
    folds = [
        Fold(number // N_SPLITS, test, proba)
        for number, ((_, test), proba) in enumerate(zip(splits, probas, strict=True))
    ]
    scheme = f"{n_repeats}x{N_SPLITS} repeated stratified k-fold, seed {SEED}; mean and sample std over repeats"
    return cv_report(spec, data, folds, n_repeats, scheme)


def model_card(
    spec: ModelSpec, data: Labelled, examples: Examples, report: dict, threshold: float, pipeline: Pipeline
) -> dict:
    """One model's part of the card."""
    return {
        "recipe": spec.recipe,
        "steps": {name: repr(step) for name, step in pipeline.steps},
        "labels": list(data.label_order),
        "threshold": threshold,
        "target_precision": spec.target_precision,
        "n_features": int(pipeline.named_steps["clf"].coef_.shape[1]),
        "data": {
            "files": examples.files,
            "n": len(data.messages),
            "label_counts": dict(sorted(Counter(data.labels).items())),
            "left_out": data.left_out,
            "corrections": [message_digest(m) for m in data.corrections],
            **examples.notes,
        },
        "cv": report,
    }


def finish_card(models: dict[str, dict], skipped: dict[str, str], started: float, **extra) -> dict:
    """The whole card: version, time, library versions and every model's part (None for a skipped model)."""
    trained_at = datetime.now(UTC)
    digests = [
        digest for part in models.values() for digest in (*part["data"]["files"].values(), *part["data"]["corrections"])
    ]
    stamp = hashlib.sha256("\n".join([*digests, trained_at.isoformat()]).encode()).hexdigest()
    return {
        "version": f"{trained_at:%Y%m%d-%H%M%S}-{stamp[:8]}",
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "artifact_format": ARTIFACT_FORMAT,
        "versions": library_versions(),
        "seed": SEED,
        "models": {name: models.get(name) for name in MODEL_NAMES},
        "skipped": skipped,
        **extra,
        "training_seconds": round(time.perf_counter() - started, 1),
    }


def sources(data_dir: Path | None, data_path: Path | None, labels_dir: Path | None) -> Sources:
    """Where to read from: without ``data_path`` the data directory defaults to DATA_DIR; with it (a test
    fixture) only a given ``data_dir`` is read."""
    if data_path is None and data_dir is None:
        data_dir = DATA_DIR
    return Sources(
        data_dir=Path(data_dir) if data_dir else None,
        data_path=Path(data_path) if data_path else None,
        labels_dir=Path(labels_dir) if labels_dir else LABELS_DIR,
    )


class Unavailable(Exception):
    """Raised when an optional model cannot be trained from the sources at hand; the message says why."""


def prepare(spec: ModelSpec, where: Sources, corrections: Sequence[Message] = ()) -> tuple[Examples, Labelled]:
    """Read a model's examples (and corrections) into documents.

    :raise Unavailable: if its files are absent or it has too few examples (DatasetError for the category model,
        which every artifact needs).
    """
    reason = spec.missing(where)
    if reason is None:
        examples = spec.examples(where)
        try:
            return examples, Labelled.of(examples.messages, corrections)
        except ValueError as exc:
            reason = str(exc)
    if spec.name == "category":
        raise DatasetError(f"cannot train the category model: {reason}")
    raise Unavailable(reason)


def train(
    out_path: Path,
    *,
    data_dir: Path | None = None,
    data_path: Path | None = None,
    labels_dir: Path | None = None,
    cv_repeats: int = 5,
    with_handler: bool = True,
    progress: Progress = stderr_progress,
) -> dict:
    """Train every model its data allows, save the artifact to ``out_path``; return the card.

    ``data_dir`` is laid out like DATA_DIR (training set, attachment-4 replies); ``data_path`` replaces its category
    training set; ``labels_dir`` holds hand-made label files (default ``classifier/labels``).
    """
    started = time.perf_counter()
    where = sources(data_dir, data_path, labels_dir)
    wanted = [spec for spec in SPECS if with_handler or spec.name != "handler"]
    models, cards = {}, {}
    skipped = {} if with_handler else {"handler": "not asked for"}
    for number, spec in enumerate(wanted, start=1):
        step = f"[{number}/{len(wanted)}] {spec.name}"
        try:
            examples, data = prepare(spec, where)
        except Unavailable as exc:
            progress(f"{step}: skipped ({exc})")
            skipped[spec.name] = str(exc)
            continue
        progress(f"{step}: cross-validating on {len(data.messages)} messages ({cv_repeats}x{N_SPLITS} folds)")
        report, threshold = cross_validate(spec, data, n_repeats=cv_repeats, progress=progress)
        progress(f"{step}: fitting on all messages (CV {spec.headline} {report[spec.headline + '_mean']:.3f})")
        models[spec.name] = fit(spec, data.docs, data.labels)
        cards[spec.name] = model_card(spec, data, examples, report, threshold, models[spec.name])
    card = finish_card(cards, skipped, started)
    save(Router(models, card), out_path)
    progress(f"saved {out_path} (version {card['version']}) in {card['training_seconds']} s")
    return card
