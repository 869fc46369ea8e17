"""Metrics: quality, calibration, the confidence threshold, and scoring a loaded router on labelled messages."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from classifier.dataset import Message
from classifier.router import Router


def quality(true: Sequence[str], predicted: Sequence[str]) -> dict:
    """Return accuracy, macro-F1, per-class figures and the confusion matrix."""
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
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusion": {"labels": labels, "matrix": matrix.tolist()},
    }


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Return the ECE of top-class confidences over equal-width bins."""
    confidence, correct = np.asarray(confidence, float), np.asarray(correct, float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            total += in_bin.mean() * abs(confidence[in_bin].mean() - correct[in_bin].mean())
    return round(float(total), 4)


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, target_precision: float) -> dict:
    """Pick the lowest confidence cut whose predictions at or above it are at least ``target_precision`` correct.

    Returns the threshold with the precision and coverage it gives on the data.
    If no cut reaches the target the threshold is 1.0 (decide everything by hand).
    """
    confidence, correct = np.asarray(confidence, float), np.asarray(correct, bool)
    order = np.argsort(-confidence, kind="stable")
    sorted_conf, sorted_correct = confidence[order], correct[order]
    running_precision = np.cumsum(sorted_correct) / np.arange(1, len(order) + 1)
    # Only cut between distinct confidences, so the threshold means what it says.
    last_of_run = np.append(sorted_conf[1:] != sorted_conf[:-1], True) if len(order) else np.zeros(0, bool)
    reaching = np.flatnonzero(last_of_run & (running_precision >= target_precision))
    if not len(reaching):
        return {"threshold": 1.0, "precision": None, "coverage": 0.0, "target_precision": target_precision}
    best = int(reaching[-1])
    return {
        "threshold": round(float(sorted_conf[best]), 4),
        "precision": round(float(running_precision[best]), 4),
        "coverage": round((best + 1) / len(order), 4),
        "target_precision": target_precision,
    }


def evaluate(
    router: Router,
    messages: Sequence[Message],
    model_name: str = "category",
    extra_metrics: Callable[[Sequence[str], Sequence[str]], dict[str, float]] | None = None,
) -> dict:
    """Score one of a router's models on labelled messages (a label it does not know counts as an error)."""
    if model_name not in router.models:
        raise ValueError(f"the artifact has no {model_name} model")
    if not messages:
        raise ValueError("no labelled messages to evaluate")
    outputs = [getattr(router.predict(m.title, m.body), model_name) for m in messages]
    true = [m.label for m in messages]
    predicted = [output.label for output in outputs]
    report = quality(true, predicted)
    confidence = np.array([output.confidence for output in outputs])
    correct = np.array([t == p for t, p in zip(true, predicted, strict=True)])
    threshold = outputs[0].threshold
    confident = confidence >= threshold
    report.update(
        {
            "ece": expected_calibration_error(confidence, correct),
            "at_threshold": {
                "threshold": threshold,
                "coverage": round(float(confident.mean()), 4),
                "precision": round(float(correct[confident].mean()), 4) if confident.any() else None,
            },
            "unknown_labels": sorted(set(true) - set(router.labels(model_name))),
            "model_version": router.version,
        }
    )
    if extra_metrics:
        report.update({name: round(value, 4) for name, value in extra_metrics(true, predicted).items()})
    return report
