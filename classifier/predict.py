"""Predict a category for one message, with alternatives and a readable explanation."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from sklearn.pipeline import FeatureUnion

from classifier.pipeline import linear_weights
from classifier.tokenize import compose, is_content_word, segment

TOP_ALTERNATIVES = 3
EXPLANATION_TERMS = 6


@dataclass(frozen=True)
class Prediction:
    """What the model says about one message.

    ``alternatives`` holds the top candidates (label, probability), best first,
    including ``category`` itself; ``explanation`` holds (word, weight) pairs of
    words from the text that pushed the prediction towards ``category``.
    """

    category: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]
    explanation: tuple[tuple[str, float], ...]
    model_version: str

    def to_dict(self) -> dict:
        data = asdict(self)
        data["alternatives"] = [list(pair) for pair in self.alternatives]
        data["explanation"] = [list(pair) for pair in self.explanation]
        return data


class Classifier:
    """A loaded model: a fitted pipeline plus its card."""

    def __init__(self, pipeline, card: dict):
        self.pipeline = pipeline
        self.card = card
        self.version: str = card["version"]
        self.labels: list[str] = [str(label) for label in pipeline.classes_]
        self._features = pipeline[:-1]
        self._estimator = pipeline[-1]
        weights = linear_weights(self._estimator)
        # A term's push towards class k is measured against the average class,
        # so words common to every category do not dominate the explanation.
        self._contrast = (weights - weights.mean(axis=0, keepdims=True)).astype(np.float32)
        self._feature_names = _feature_names(self._features)

    def predict(self, title: str | None, body: str | None = "") -> Prediction:
        """Classify one message; raise ValueError if it has no text."""
        text = compose(title, body)
        if not text:
            raise ValueError("empty message")
        row = self._features.transform([text])
        proba = self._estimator.predict_proba(row)[0]
        order = np.argsort(proba)[::-1]
        best = int(order[0])
        return Prediction(
            category=self.labels[best],
            confidence=round(float(proba[best]), 4),
            alternatives=tuple((self.labels[i], round(float(proba[i]), 4)) for i in order[:TOP_ALTERNATIVES]),
            explanation=self._explain(text, row, best),
            model_version=self.version,
        )

    def _explain(self, text: str, row, class_index: int) -> tuple[tuple[str, float], ...]:
        """Map the features that pushed ``class_index`` back onto the words of ``text``."""
        row = row.tocsr()
        contributions = row.data * self._contrast[class_index, row.indices]
        char_scores = np.zeros(len(text), dtype=np.float64)
        for index, contribution in zip(row.indices[contributions > 0], contributions[contributions > 0], strict=False):
            term = self._feature_names[index]
            share = contribution / len(term)
            start = text.find(term)
            while start != -1:
                char_scores[start : start + len(term)] += share
                start = text.find(term, start + 1)
        scores: dict[str, float] = {}
        for word, start, end in segment(text):
            if len(word) < 2 or not is_content_word(word):
                continue
            scores[word] = scores.get(word, 0.0) + float(char_scores[start:end].sum())
        ranked = sorted(((w, s) for w, s in scores.items() if s > 0), key=lambda pair: -pair[1])
        return tuple((word, round(score, 4)) for word, score in ranked[:EXPLANATION_TERMS])


def _feature_names(features) -> np.ndarray:
    """Return the text of every feature column, without FeatureUnion prefixes."""
    names = features.get_feature_names_out()
    if isinstance(features[-1] if hasattr(features, "steps") else features, FeatureUnion):
        names = np.array([name.split("__", 1)[1] for name in names], dtype=object)
    return np.asarray(names, dtype=object)
