"""A loaded artifact: one scikit-learn pipeline per model, read from one ``Document`` per message."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import sklearn

from classifier.document import Document, read
from classifier.explain import explain

# Every model the router may hold, in the order of ``Predictions``' fields.
MODEL_NAMES = ("category", "handler", "domain")
TOP_ALTERNATIVES = 3
EXPLANATION_WORDS = 6


@dataclass(frozen=True)
class ModelOutput:
    """What one model says about a message.

    ``alternatives``: the top labels with their probabilities, best first, ``label`` included; ``explanation``:
    (word, weight) pairs, words of the text that pushed ``label``; ``threshold``: the confidence from which
    out-of-fold predictions met the model's precision target (1.0 if none did).
    """

    label: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]
    explanation: tuple[tuple[str, float], ...]
    threshold: float

    @property
    def confident(self) -> bool:
        """Whether the confidence reaches the threshold (the label may be acted on without a person)."""
        return self.confidence >= self.threshold


@dataclass(frozen=True)
class Predictions:
    """Every model's output for one message; ``handler`` and ``domain`` are None when the artifact lacks them."""

    category: ModelOutput
    handler: ModelOutput | None
    domain: ModelOutput | None
    model_version: str

    def to_dict(self) -> dict:
        """JSON-ready: pairs become lists."""
        return asdict(self, dict_factory=lambda items: {k: _listed(v) for k, v in items})


def _listed(value):
    if isinstance(value, tuple):
        return [_listed(item) for item in value]
    return value


def _round_down(p: float) -> float:
    """Four decimals, rounded down so that shown probabilities never add up to more than 1."""
    return int(float(p) * 10_000 + 1e-9) / 10_000


class Router:
    """The models of one artifact and their card."""

    def __init__(self, models: dict, card: dict):
        unknown = set(models) - set(MODEL_NAMES)
        if unknown or "category" not in models:
            raise ValueError(f"a router needs a category model and knows only {MODEL_NAMES}, got {sorted(models)}")
        self.models = dict(models)
        self.card = card
        self.version: str = card["version"]
        self._labels = {name: tuple(str(label) for label in model.classes_) for name, model in self.models.items()}
        self._thresholds = {name: float(card["models"][name]["threshold"]) for name in self.models}

    def labels(self, model_name: str) -> tuple[str, ...]:
        """The labels a model can predict; raise KeyError if the artifact has no such model."""
        return self._labels[model_name]

    def predict(self, title: str | None, body: str | None = "") -> Predictions:
        """Run every model on one message; raise ValueError if it has no text."""
        doc = read(title, body, memo=True)
        if not doc.text:
            raise ValueError("empty message")
        outputs = {name: self.run(name, doc) for name in self.models}
        return Predictions(
            category=outputs["category"],
            handler=outputs.get("handler"),
            domain=outputs.get("domain"),
            model_version=self.version,
        )

    def run(self, name: str, doc: Document) -> ModelOutput:
        """One model's output for a document already read (``classifier.document.read``)."""
        pipeline = self.models[name]
        # The input is our own vectorizers' output and the parameters were checked at fit time: skipping those
        # checks halves the cost of a one-message prediction.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            row = pipeline.named_steps["features"].transform([doc])
            proba = pipeline.named_steps["clf"].predict_proba(row)[0]
        order = np.argsort(-proba, kind="stable")
        labels = self._labels[name]
        best = int(order[0])
        return ModelOutput(
            label=labels[best],
            confidence=_round_down(proba[best]),
            alternatives=tuple((labels[i], _round_down(proba[i])) for i in order[:TOP_ALTERNATIVES]),
            explanation=explain(pipeline, doc, row.tocsr(), best, EXPLANATION_WORDS),
            threshold=self._thresholds[name],
        )
