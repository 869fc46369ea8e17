import numpy as np

from classifier.calibration import cross_fitted, fit_temperature, negative_log_likelihood, threshold_report
from classifier.model import ABSENT, softmax


def _sample(temperature: float, n: int = 4000, seed: int = 0):
    rng = np.random.default_rng(seed)
    scores = rng.normal(0, 3, size=(n, 4))
    truth = np.array([rng.choice(4, p=p) for p in softmax(scores / temperature)])
    return scores, truth


def test_temperature_is_recovered_from_calibrated_samples():
    scores, truth = _sample(2.0)
    assert abs(fit_temperature(scores, truth) - 2.0) < 0.2


def test_rows_whose_label_the_fit_never_saw_are_ignored():
    scores, truth = _sample(2.0)
    scores[:50, 0] = ABSENT
    truth[:50] = 0
    assert abs(fit_temperature(scores, truth) - 2.0) < 0.2
    assert negative_log_likelihood(np.zeros((2, 2)), np.array([0, 1])) == np.log(2)


def test_cross_fitted_thresholds_come_from_the_other_folds():
    scores, truth = _sample(1.0)
    groups = np.arange(len(truth)) % 5
    fitted = cross_fitted(scores, truth, groups, target_precision=0.9)
    assert fitted["proba"].shape == scores.shape
    assert np.allclose(fitted["proba"].sum(axis=1), 1)
    assert len(np.unique(fitted["threshold"])) <= 5
    report = threshold_report(fitted["proba"], truth, fitted["routed"])
    assert 0 < report["coverage"] < 1 and report["precision"] > 0.85 and report["ece"] < 0.05
