"""Train the production model, estimate its quality by cross-validation, save it with a card."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import RepeatedStratifiedKFold

from classifier import artifacts
from classifier.config import DATA_DIR, SEED, TRAIN_FILE
from classifier.dataset import Message, file_sha256, load_labelled
from classifier.evaluate import choose_threshold, expected_calibration_error, quality
from classifier.pipeline import build_pipeline

Progress = Callable[[str], None]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cross_validate(
    messages: Sequence[Message],
    *,
    n_splits: int = 5,
    n_repeats: int = 1,
    progress: Progress = stderr_progress,
    pipeline_factory: Callable = build_pipeline,
) -> dict:
    """Return out-of-fold metrics for the pipeline, averaged over repeats.

    Every repeat gives each message exactly one out-of-fold prediction, so the
    threshold and calibration figures are computed over all repeats' predictions.
    """
    texts = np.array([m.text for m in messages], dtype=object)
    labels = np.array([m.label for m in messages], dtype=object)
    splitter = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=SEED)
    f1_per_repeat, accuracy_per_repeat = [], []
    all_true, all_pred, all_conf = [], [], []
    folds = list(splitter.split(texts, labels))
    for repeat in range(n_repeats):
        predicted = np.empty(len(texts), dtype=object)
        confidence = np.empty(len(texts))
        for fold in range(n_splits):
            number = repeat * n_splits + fold
            train_idx, test_idx = folds[number]
            progress(f"  cross-validation fold {number + 1}/{len(folds)}")
            model = clone(pipeline_factory()).fit(list(texts[train_idx]), list(labels[train_idx]))
            proba = model.predict_proba(list(texts[test_idx]))
            predicted[test_idx] = model.classes_[proba.argmax(axis=1)]
            confidence[test_idx] = proba.max(axis=1)
        report = quality(list(labels), list(predicted))
        f1_per_repeat.append(report["macro_f1"])
        accuracy_per_repeat.append(report["accuracy"])
        all_true.extend(labels)
        all_pred.extend(predicted)
        all_conf.extend(confidence)
    correct = np.array(all_true) == np.array(all_pred)
    pooled = quality(all_true, all_pred)
    return {
        "scheme": f"{n_repeats}x{n_splits} repeated stratified k-fold, seed {SEED}",
        "macro_f1_mean": round(float(np.mean(f1_per_repeat)), 4),
        "macro_f1_std": round(float(np.std(f1_per_repeat)), 4),
        "accuracy_mean": round(float(np.mean(accuracy_per_repeat)), 4),
        "accuracy_std": round(float(np.std(accuracy_per_repeat)), 4),
        "per_class": pooled["per_class"],
        "confusion": pooled["confusion"],
        "ece": expected_calibration_error(np.array(all_conf), correct),
        "threshold": choose_threshold(np.array(all_conf), correct),
    }


def train(
    out_path: Path,
    *,
    data_path: Path | None = None,
    extra: Sequence[Message] = (),
    cv_repeats: int = 1,
    progress: Progress = stderr_progress,
) -> dict:
    """Fit the production model on the labelled data (plus ``extra`` rows) and save it.

    Returns the model card.
    """
    started = time.perf_counter()
    data_path = Path(data_path) if data_path else DATA_DIR / TRAIN_FILE
    progress(f"[1/3] reading {data_path}")
    messages = load_labelled(data_path) + list(extra)
    progress(f"[2/3] cross-validating on {len(messages)} messages")
    cv = cross_validate(messages, n_repeats=cv_repeats, progress=progress)
    progress(f"[3/3] fitting the final model (CV macro-F1 {cv['macro_f1_mean']:.3f})")
    pipeline = build_pipeline().fit([m.text for m in messages], [m.label for m in messages])
    trained_at = datetime.now(UTC)
    data_hash = file_sha256(data_path)
    card = {
        "version": f"{trained_at:%Y%m%d-%H%M%S}-{data_hash[:8]}",
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "versions": artifacts.library_versions(),
        "data": {
            "file": data_path.name,
            "sha256": data_hash,
            "n": len(messages),
            "n_extra": len(extra),
            "label_counts": dict(sorted(Counter(m.label for m in messages).items())),
        },
        "labels": [str(label) for label in pipeline.classes_],
        "seed": SEED,
        "params": _simple_params(pipeline),
        "metrics": {"cv": cv},
        "threshold": cv["threshold"]["threshold"],
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    artifacts.save(pipeline, card, out_path)
    progress(f"saved {out_path} (version {card['version']}) in {card['training_seconds']} s")
    return card


def _simple_params(pipeline) -> dict:
    """Keep the hyper-parameters that serialise to JSON as plain values."""
    return {
        key: value if isinstance(value, (int, float, str, bool, type(None))) else repr(value)
        for key, value in pipeline.get_params(deep=True).items()
        if "__" in key and not key.endswith(("estimator", "tokenizer", "preprocessor", "dtype"))
    }
