"""Predict a category (and who handles it) for one message, with alternatives and a readable explanation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from classifier.features import read

if TYPE_CHECKING:
    from classifier.handler import HandlerModel, HandlerPrediction
    from classifier.model import CategoryModel

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
    """A loaded artifact: the category model, the optional handler-type model and the card they share."""

    def __init__(self, category: CategoryModel, handler: HandlerModel | None, card: dict):
        self.category = category
        self.handler = handler
        self.card = card
        self.version: str = card["version"]
        self.labels: list[str] = list(category.labels)

    def predict(self, title: str | None, body: str | None = "") -> Prediction:
        """Classify one message; raise ValueError if it has no text."""
        doc = read(title, body)
        if not doc.text:
            raise ValueError("empty message")
        features = self.category.features(doc)
        proba = self.category.probabilities(features.scores)
        order = np.argsort(-proba, kind="stable")
        best = int(order[0])
        return Prediction(
            category=self.labels[best],
            confidence=round(float(proba[best]), 4),
            alternatives=tuple((self.labels[i], round(float(proba[i]), 4)) for i in order[:TOP_ALTERNATIVES]),
            explanation=self.category.explain(doc, features, best, EXPLANATION_TERMS),
            model_version=self.version,
        )

    def predict_handler(self, title: str | None, body: str | None = "") -> HandlerPrediction | None:
        """Who handles the message (属地政府 or a bureau type), or None if the artifact has no handler model."""
        if self.handler is None:
            return None
        return self.handler.predict(title, body)
