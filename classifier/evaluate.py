"""Metrics for a classifier: quality, calibration and the auto-routing threshold."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np


def quality(true: Sequence[str], predicted: Sequence[str]) -> dict:
    """Return accuracy, macro-F1, per-class figures and the confusion matrix."""
    # Imported here: loading a model for prediction must not pay for importing scikit-learn.
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    labels = sorted(set(true) | set(predicted))
    with warnings.catch_warnings():
        # One label (a one-message evaluation) is a valid 1x1 matrix; sklearn warns about it.
        warnings.filterwarnings("ignore", message="A single label was found", category=UserWarning)
        matrix = confusion_matrix(true, predicted, labels=labels)
    precision, recall, f1, support = precision_recall_fscore_support(true, predicted, labels=labels, zero_division=0)
    present = [label for label in labels if label in set(true)]
    return {
        "n": len(true),
        "accuracy": round(float(accuracy_score(true, predicted)), 4),
        # Macro-F1 over the classes that occur in the reference, as the challenge defines it.
        "macro_f1": round(float(f1_score(true, predicted, labels=present, average="macro", zero_division=0)), 4),
        "per_class": {
            label: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=False)
        },
        "confusion": {"labels": labels, "matrix": matrix.tolist()},
    }


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Return the ECE of top-class confidences over equal-width bins."""
    confidence, correct = np.asarray(confidence, float), np.asarray(correct, float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=False):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            total += in_bin.mean() * abs(confidence[in_bin].mean() - correct[in_bin].mean())
    return round(float(total), 4)


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, target_precision: float = 0.95) -> dict:
    """Pick the lowest confidence cut whose auto-routed share is at least ``target_precision`` correct.

    Returns the threshold with the precision and coverage it gives on the data.
    If no cut reaches the target the threshold is 1.0 (route everything by hand).
    """
    confidence, correct = np.asarray(confidence, float), np.asarray(correct, bool)
    order = np.argsort(-confidence, kind="stable")
    sorted_conf, sorted_correct = confidence[order], correct[order]
    running_precision = np.cumsum(sorted_correct) / np.arange(1, len(order) + 1)
    best = None
    for i in range(len(order)):
        # Only cut between distinct confidences, so the threshold means what it says.
        if i + 1 < len(order) and sorted_conf[i + 1] == sorted_conf[i]:
            continue
        if running_precision[i] >= target_precision:
            best = i
    if best is None:
        return {"threshold": 1.0, "precision": None, "coverage": 0.0, "target_precision": target_precision}
    return {
        "threshold": round(float(sorted_conf[best]), 4),
        "precision": round(float(running_precision[best]), 4),
        "coverage": round((best + 1) / len(order), 4),
        "target_precision": target_precision,
    }


def evaluate_classifier(classifier, messages) -> dict:
    """Score a loaded classifier on labelled messages."""
    predictions = [classifier.predict(m.title, m.body) for m in messages]
    true = [m.label for m in messages]
    predicted = [p.category for p in predictions]
    report = quality(true, predicted)
    confidence = np.array([p.confidence for p in predictions])
    correct = np.array([t == p for t, p in zip(true, predicted, strict=False)])
    report["ece"] = expected_calibration_error(confidence, correct)
    report["model_version"] = classifier.version
    return report
