"""Temperature scaling and the auto-route threshold, fitted on out-of-fold scores.

The raw score is a sum of an SVM decision and a naive Bayes log-likelihood, far too confident as a logit; one
temperature T (p = softmax(score / T)) fitted by likelihood on out-of-fold scores brings the expected calibration
error to about 0.03 without changing any ranking.

Figures reported for a threshold must not be measured on the data that chose it, so ``cross_fitted`` fits T and
the threshold for each fold on the other folds' scores only and applies them to the fold.
"""

from __future__ import annotations

import math

import numpy as np

from classifier.evaluate import choose_threshold, expected_calibration_error
from classifier.model import ABSENT, softmax


def _usable(scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Rows whose true label was known to the fit that scored them (others cannot inform a temperature)."""
    return scores[np.arange(len(truth)), truth] > ABSENT / 2


def negative_log_likelihood(scores: np.ndarray, truth: np.ndarray) -> float:
    log_norm = np.log(np.exp(scores - scores.max(axis=1, keepdims=True)).sum(axis=1)) + scores.max(axis=1)
    return float(np.mean(log_norm - scores[np.arange(len(truth)), truth]))


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The T > 0 that maximises the likelihood of the true labels under softmax(scores / T)."""
    from scipy.optimize import minimize_scalar

    keep = _usable(scores, truth)
    scores, truth = scores[keep], truth[keep]
    if not len(truth):
        return 1.0
    result = minimize_scalar(
        lambda log_t: negative_log_likelihood(scores / math.exp(log_t), truth), bounds=(-5, 5), method="bounded"
    )
    return float(math.exp(result.x))


def cross_fitted(scores: np.ndarray, truth: np.ndarray, groups: np.ndarray, target_precision: float) -> dict:
    """Probabilities and auto-route decisions of every row, with T and threshold fitted on the other groups.

    ``scores``: out-of-fold raw scores (n, k); ``truth``: label index per row; ``groups``: fold id per row.
    Returns ``proba`` (n, k), ``threshold`` (per row) and ``routed`` (confidence >= the row's threshold).
    """
    proba = np.empty_like(scores, dtype=np.float64)
    threshold = np.empty(len(truth))
    for group in np.unique(groups):
        inside = groups == group
        other = ~inside
        if not other.any():  # a single group: nothing to fit on but itself
            other = inside
        temperature = fit_temperature(scores[other], truth[other])
        other_proba = softmax(scores[other] / temperature)
        cut = choose_threshold(
            other_proba.max(axis=1), other_proba.argmax(axis=1) == truth[other], target_precision=target_precision
        )
        proba[inside] = softmax(scores[inside] / temperature)
        threshold[inside] = cut["threshold"]
    return {"proba": proba, "threshold": threshold, "routed": proba.max(axis=1) >= threshold}


def threshold_report(proba: np.ndarray, truth: np.ndarray, routed: np.ndarray) -> dict:
    """Coverage and precision of the auto-routed share, and the calibration error."""
    correct = proba.argmax(axis=1) == truth
    return {
        "coverage": round(float(routed.mean()), 4),
        "precision": round(float(correct[routed].mean()), 4) if routed.any() else None,
        "ece": expected_calibration_error(proba.max(axis=1), correct),
    }
