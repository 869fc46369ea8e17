"""SharedPlatt: a linear classifier with probabilities from one sigmoid shared by all labels."""

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from classifier.calibration import SharedPlatt, fit_shared_sigmoid, shared_sigmoid


def _blobs(n_labels: int, n: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 2, size=(n_labels, 5))
    y = rng.integers(0, n_labels, size=n)
    X = centres[y] + rng.normal(0, 1.5, size=(n, 5))
    return X, np.array([f"label{i}" for i in y])


@pytest.mark.parametrize("n_labels", [2, 4])
def test_probabilities_keep_the_classifier_ranking(n_labels):
    X, y = _blobs(n_labels)
    model = SharedPlatt(LinearSVC(random_state=0)).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), n_labels) and np.allclose(proba.sum(axis=1), 1)
    assert (proba.argmax(axis=1) == model.decision_function(X).argmax(axis=1)).all()
    assert list(model.predict(X[:5])) == list(model.classes_[proba[:5].argmax(axis=1)])
    assert model.coef_.shape == (n_labels, 5)


def test_binary_weights_give_one_row_per_label():
    X, y = _blobs(2)
    model = SharedPlatt(LinearSVC(random_state=0)).fit(X, y)
    assert np.allclose(model.coef_[1], model.estimator_.coef_[0]) and np.allclose(model.coef_[0], -model.coef_[1])
    assert np.allclose(model.decision_function(X)[:, 1], model.estimator_.decision_function(X))


def test_the_shared_sigmoid_is_recovered_from_samples_drawn_from_it():
    rng = np.random.default_rng(1)
    scores = rng.normal(0, 1.5, size=(6000, 5))
    truth = np.array([rng.choice(5, p=p) for p in shared_sigmoid(scores, 2.0, -1.0)])
    slope, offset = fit_shared_sigmoid(scores, truth)
    assert abs(slope - 2.0) < 0.3 and abs(offset + 1.0) < 0.3


def test_confidences_are_calibrated_on_held_out_rows():
    X, y = _blobs(4, n=2000, seed=2)
    model = SharedPlatt(LinearSVC(random_state=0)).fit(X[:1000], y[:1000])
    proba = model.predict_proba(X[1000:])
    correct = model.classes_[proba.argmax(axis=1)] == y[1000:]
    assert abs(proba.max(axis=1).mean() - correct.mean()) < 0.05
