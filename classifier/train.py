"""Train the production models, estimate their quality by cross-validation, save them with a card.

The category model's card comes from repeated stratified 5-fold cross-validation: every fold fits the whole recipe
on the other folds (``classifier.model.fit``) and scores the held-out messages.  Those out-of-fold scores also
calibrate the shipped model (its temperature) and choose its auto-route threshold, so the final fit is one more
fit on all messages.  Figures reported for the threshold are cross-fitted (``classifier.calibration``): each fold
is judged by a temperature and threshold chosen on the other folds.

Fold fits run in parallel over at most two processes; a 5x5 run on the real data takes about half a minute.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from classifier import artifacts
from classifier.calibration import cross_fitted, fit_temperature, threshold_report
from classifier.config import DATA_DIR, REPLIES_FILE, SEED, TAXONOMY_FILE, TRAIN_FILE
from classifier.dataset import Message, file_sha256, load_labelled, load_taxonomy
from classifier.evaluate import choose_threshold, quality
from classifier.features import Corpus, read
from classifier.model import DEFAULT_RECIPE, CategoryModel, Recipe, fit, fit_and_score, softmax

Progress = Callable[[str], None]
N_SPLITS = 5
# Below this many messages a fold fit takes milliseconds and starting worker processes would cost more.
PARALLEL_FROM = 400


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def silent(message: str) -> None:
    """Progress callback that says nothing."""


@dataclass
class Labelled:
    """Segmented labelled messages and taxonomy pseudo-documents, ready for any number of fits."""

    corpus: Corpus
    targets: list[str]
    labels: list[str]
    taxonomy: tuple[Corpus, list[str]] | None

    @classmethod
    def of(cls, messages: Sequence[Message], taxonomy: Sequence[Message] = ()) -> Labelled:
        targets = [m.label for m in messages]
        if len(set(targets)) < 2:
            raise ValueError("need labelled messages of at least two categories")
        labels = sorted(set(targets))
        corpus = Corpus.of([read(m.title, m.body) for m in messages])
        known = [m for m in taxonomy if m.label in labels]
        tax = (Corpus.of([read(m.title, m.body) for m in known]), [m.label for m in known]) if known else None
        return cls(corpus, targets, labels, tax)

    def truth(self) -> np.ndarray:
        return np.array([self.labels.index(t) for t in self.targets])


def default_jobs(n_rows: int) -> int:
    return 1 if n_rows < PARALLEL_FROM else max(1, min(2, os.cpu_count() or 1))


def fold_scores(
    data: Labelled,
    splits: Sequence[tuple[Sequence[int], Sequence[int]]],
    *,
    recipe: Recipe,
    progress: Progress,
    n_jobs: int | None = None,
    what: str = "cross-validation fold",
) -> list[np.ndarray]:
    """Fit the recipe on each split's train rows and return the raw scores of its test rows, in split order."""
    n_jobs = default_jobs(len(data.targets)) if n_jobs is None else n_jobs
    kwargs = {"labels": data.labels, "taxonomy": data.taxonomy, "recipe": recipe}
    if n_jobs == 1:
        out = []
        for number, (train, test) in enumerate(splits, start=1):
            progress(f"  {what} {number}/{len(splits)}")
            out.append(fit_and_score(data.corpus, data.targets, train, test, **kwargs))
        return out
    from joblib import Parallel, delayed

    jobs = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(fit_and_score)(data.corpus, data.targets, train, test, **kwargs) for train, test in splits
    )
    out = []
    for number, scores in enumerate(jobs, start=1):
        progress(f"  {what} {number}/{len(splits)}")
        out.append(scores)
    return out


def stratified_splits(targets: Sequence[str], n_repeats: int, seed: int = SEED) -> list[tuple[np.ndarray, np.ndarray]]:
    """Repeated stratified 5-fold splits; a category rarer than five lands in fewer folds."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    splitter = RepeatedStratifiedKFold(n_splits=N_SPLITS, n_repeats=n_repeats, random_state=seed)
    with warnings.catch_warnings():
        # A category rarer than the folds (a correction's new label) is expected and handled; sklearn warns.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        return list(splitter.split(np.zeros(len(targets)), list(targets)))


def summarise(
    data: Labelled,
    scores: np.ndarray,
    groups: np.ndarray,
    repeat_of: np.ndarray,
    recipe: Recipe,
    scheme: str | None = None,
) -> tuple[dict, float, float]:
    """The card's figures from out-of-fold scores; also the shipped model's temperature and threshold.

    ``scores`` holds one row per (repeat, message) with ``repeat_of`` and ``groups`` (fold ids, unique across
    repeats) alongside.  Returns (report, temperature, threshold).
    """
    truth_one = data.truth()
    n = len(truth_one)
    truth = np.tile(truth_one, len(scores) // n)
    f1s, accuracies = [], []
    pooled_true, pooled_pred = [], []
    for repeat in np.unique(repeat_of):
        rows = repeat_of == repeat
        predicted = [data.labels[i] for i in scores[rows].argmax(axis=1)]
        true = [data.labels[i] for i in truth[rows]]
        report = quality(true, predicted)
        f1s.append(report["macro_f1"])
        accuracies.append(report["accuracy"])
        pooled_true += true
        pooled_pred += predicted
    pooled = quality(pooled_true, pooled_pred)
    fitted = cross_fitted(scores, truth, groups, recipe.target_precision)
    honest = threshold_report(fitted["proba"], truth, fitted["routed"])
    temperature = fit_temperature(scores, truth)
    proba = softmax(scores / temperature)
    chosen = choose_threshold(proba.max(axis=1), proba.argmax(axis=1) == truth, recipe.target_precision)
    report = {
        "scheme": scheme
        or f"{len(f1s)}x{len(np.unique(groups)) // len(f1s)} repeated stratified k-fold, seed {SEED}; "
        "mean and population std over repeats",
        "n": n,
        "macro_f1_mean": round(float(np.mean(f1s)), 4),
        "macro_f1_std": round(float(np.std(f1s)), 4),
        "accuracy_mean": round(float(np.mean(accuracies)), 4),
        "accuracy_std": round(float(np.std(accuracies)), 4),
        "per_class": pooled["per_class"],
        "confusion": pooled["confusion"],
        "ece": honest["ece"],
        "temperature": round(temperature, 4),
        "threshold": {
            "threshold": chosen["threshold"],
            "target_precision": recipe.target_precision,
            # Cross-fitted: each fold routed with a threshold chosen on the other folds.
            "coverage": honest["coverage"],
            "precision": honest["precision"],
            "method": "lowest confidence whose auto-routed share of out-of-fold predictions is >= target precision; "
            "coverage and precision cross-fitted (threshold and temperature chosen on the other folds)",
            "in_sample_coverage": chosen["coverage"],
            "in_sample_precision": chosen["precision"],
        },
    }
    return report, temperature, chosen["threshold"]


def cross_validate(
    data: Labelled, *, n_repeats: int = 1, recipe: Recipe = DEFAULT_RECIPE, progress: Progress = silent, n_jobs=None
) -> tuple[dict, float, float]:
    """Repeated stratified k-fold of the recipe; returns (report, temperature, threshold) as ``summarise``."""
    splits = stratified_splits(data.targets, n_repeats)
    per_fold = fold_scores(data, splits, recipe=recipe, progress=progress, n_jobs=n_jobs)
    n, n_splits = len(data.targets), len(splits) // n_repeats
    scores = np.zeros((n * n_repeats, len(data.labels)))
    groups = np.zeros(n * n_repeats, dtype=int)
    for number, ((_, test), fold) in enumerate(zip(splits, per_fold, strict=True)):
        repeat = number // n_splits
        scores[repeat * n + np.asarray(test)] = fold
        groups[repeat * n + np.asarray(test)] = number
    return summarise(data, scores, groups, np.repeat(np.arange(n_repeats), n), recipe)


def fit_final(data: Labelled, temperature: float, threshold: float, recipe: Recipe = DEFAULT_RECIPE) -> CategoryModel:
    model = fit(data.corpus, data.targets, labels=data.labels, taxonomy=data.taxonomy, recipe=recipe)
    model.temperature, model.threshold = temperature, threshold
    return model


def messages_digest(messages: Sequence[Message]) -> str:
    """A hash of labelled rows (for corrections, which have no file)."""
    digest = hashlib.sha256()
    for m in messages:
        digest.update(message_digest(m).encode() + b"\x1e")
    return digest.hexdigest()


def message_digest(message: Message) -> str:
    """A short hash of one labelled row: the card lists those of the corrections a model was trained on, so a
    later retraining knows which corrections the current model has already seen."""
    text = "\x1f".join((message.title or "", message.body or "", message.label or ""))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def category_card(
    data: Labelled,
    cv: dict,
    model: CategoryModel,
    *,
    data_path: Path,
    taxonomy_path: Path | None,
    extra: Sequence[Message],
    recipe: Recipe,
) -> dict:
    """The card's category part (everything but version, timing and the handler)."""
    return {
        "versions": artifacts.library_versions(),
        "data": {
            "file": data_path.name,
            "sha256": file_sha256(data_path),
            "n": len(data.targets),
            "n_extra": len(extra),
            "extra_sha256": messages_digest(extra) if extra else None,
            "extra_digests": [message_digest(m) for m in extra],
            "label_counts": dict(sorted(Counter(data.targets).items())),
            "taxonomy": (
                {
                    "file": taxonomy_path.name,
                    "sha256": file_sha256(taxonomy_path),
                    "pseudo_documents": len(data.taxonomy[1]) if data.taxonomy else 0,
                }
                if taxonomy_path
                else None
            ),
        },
        "labels": list(model.labels),
        "seed": SEED,
        "recipe": recipe.describe(),
        "n_features": model.n_features,
        "metrics": {"cv": cv},
        "temperature": round(model.temperature, 4),
        "threshold": model.threshold,
    }


def finish_card(card: dict, handler, started: float) -> dict:
    """Add the version, timestamps and the handler's card."""
    trained_at = datetime.now(UTC)
    stamp = hashlib.sha256(
        (card["data"]["sha256"] + (card["data"].get("extra_sha256") or "") + trained_at.isoformat()).encode()
    ).hexdigest()
    return {
        "version": f"{trained_at:%Y%m%d-%H%M%S}-{stamp[:8]}",
        "trained_at": trained_at.isoformat(timespec="seconds"),
        **card,
        "handler": handler.card if handler is not None else None,
        "training_seconds": round(time.perf_counter() - started, 1),
    }


def train(
    out_path: Path,
    *,
    data_path: Path | None = None,
    data_dir: Path | None = None,
    extra: Sequence[Message] = (),
    cv_repeats: int = 1,
    with_handler: bool = True,
    recipe: Recipe = DEFAULT_RECIPE,
    progress: Progress = stderr_progress,
) -> dict:
    """Fit the models on the labelled data (plus ``extra`` rows), save them to ``out_path``; return the card.

    Without ``data_path`` the labelled set is ``DATA_DIR/TRAIN_FILE`` and ``data_dir`` defaults to ``DATA_DIR``.
    ``data_dir`` supplies the taxonomy (optional) and, if ``with_handler``, the attachment-4 replies for the
    handler model; with ``data_path`` but no ``data_dir`` (a test fixture) neither is used.
    """
    started = time.perf_counter()
    if data_path is None:
        data_dir = Path(data_dir) if data_dir else DATA_DIR
        data_path = data_dir / TRAIN_FILE
    data_path = Path(data_path)
    taxonomy_path = Path(data_dir) / TAXONOMY_FILE if data_dir and (Path(data_dir) / TAXONOMY_FILE).is_file() else None
    steps = 4 if data_dir and with_handler else 3
    progress(
        f"[1/{steps}] reading and segmenting {data_path}" + (f" and {taxonomy_path.name}" if taxonomy_path else "")
    )
    messages = load_labelled(data_path) + list(extra)
    data = Labelled.of(messages, load_taxonomy(taxonomy_path) if taxonomy_path else ())
    progress(f"[2/{steps}] cross-validating on {len(messages)} messages ({cv_repeats}x{N_SPLITS} folds)")
    cv, temperature, threshold = cross_validate(data, n_repeats=cv_repeats, recipe=recipe, progress=progress)
    progress(f"[3/{steps}] fitting the category model (CV macro-F1 {cv['macro_f1_mean']:.3f})")
    model = fit_final(data, temperature, threshold, recipe)
    card = category_card(data, cv, model, data_path=data_path, taxonomy_path=taxonomy_path, extra=extra, recipe=recipe)
    handler = None
    if data_dir and with_handler:
        handler = train_handler_if_possible(Path(data_dir), cv_repeats=cv_repeats, progress=progress, step=steps)
    card = finish_card(card, handler, started)
    artifacts.save(model, handler, card, out_path)
    progress(f"saved {out_path} (version {card['version']}) in {card['training_seconds']} s")
    return card


def train_handler_if_possible(
    data_dir: Path, *, cv_repeats: int, progress: Progress, step: int, extra: Sequence[Message] = ()
):
    """Train the handler model from ``data_dir``, or return None (and say why) if it has no replies file."""
    from classifier.handler_training import train_handler

    if not (data_dir / REPLIES_FILE).is_file():
        progress(f"[{step}/{step}] no {REPLIES_FILE} in {data_dir}: the artifact will have no handler model")
        return None
    progress(f"[{step}/{step}] training the handler-type model from {data_dir / REPLIES_FILE}")
    return train_handler(data_dir, cv_repeats=cv_repeats, progress=progress, extra=extra)
