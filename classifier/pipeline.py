"""The scikit-learn pipeline that maps composed message text to a category."""

from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from classifier.config import SEED


def build_pipeline(*, ngram_range: tuple[int, int] = (1, 3), C: float = 0.5, min_df: int = 2) -> Pipeline:
    """Return an unfitted character n-gram TF-IDF + calibrated linear SVM pipeline."""
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=ngram_range,
                    min_df=min_df,
                    sublinear_tf=True,
                    lowercase=False,
                    dtype=np.float32,
                ),
            ),
            (
                "clf",
                CalibratedClassifierCV(
                    LinearSVC(C=C, class_weight="balanced", random_state=SEED),
                    method="sigmoid",
                    cv=5,
                ),
            ),
        ]
    )


def linear_weights(estimator) -> np.ndarray:
    """Return the (n_classes, n_features) weight matrix behind a fitted linear classifier.

    A calibrated ensemble is explained by the mean of its members' weights: the
    calibration maps are monotone per class, so the sign and ranking of each
    term's push survive.
    """
    if hasattr(estimator, "coef_"):
        return np.asarray(estimator.coef_)
    if isinstance(estimator, CalibratedClassifierCV):
        return np.mean([linear_weights(member.estimator) for member in estimator.calibrated_classifiers_], axis=0)
    raise TypeError(f"cannot read term weights from {type(estimator).__name__}")
