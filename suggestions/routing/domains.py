"""The campaign domain (领域) of a suggestion: whose choice it is, and where a prediction will plug in.

Precedence, for every channel (intake calls ``decide_domain`` and ``apply_domain`` inside SUBMIT):

1. the resident's choice (web or QR form, partner systems) or the operator's (hotline form) is the domain, with
   its source; nothing replaces it silently;
2. a prediction from the text is stored beside it (``predicted_domain_id``, ``domain_confidence``,
   ``domain_reason``) and shown to staff as "系统判断：X（理由）" when it differs;
3. without a person's choice, the prediction becomes the domain (source ``predicted``);
4. a dispatcher's correction (``routing.dispatch.correct_route``) sets it with source ``corrected``, as an event.

Prediction is not built yet: ``predict_domain`` returns None, so today a suggestion without a chosen domain is
undecided (``domain_id`` NULL).  The domain model plugs in there and only there.
"""

from __future__ import annotations

from dataclasses import dataclass

from suggestions.models import Campaign, CampaignDomain, Suggestion
from suggestions.routing.decision import RouteDecision
from suggestions.workflow import DomainSource


@dataclass(frozen=True)
class DomainPrediction:
    """What the text says the domain is, with a Chinese explanation for staff."""

    domain: CampaignDomain
    confidence: float | None
    reason: str


@dataclass(frozen=True)
class DomainDecision:
    """The domain a suggestion is filed under, who set it, and the prediction kept beside it."""

    domain: CampaignDomain | None = None
    source: DomainSource | None = None
    prediction: DomainPrediction | None = None

    @property
    def undecided(self) -> bool:
        return self.domain is None

    @property
    def differs(self) -> bool:
        """A prediction that disagrees with a person's choice: staff see both."""
        return self.prediction is not None and self.domain is not None and self.prediction.domain != self.domain


def predict_domain(
    title: str, body: str, decision: RouteDecision | None, campaign: Campaign | None
) -> DomainPrediction | None:
    """The domain the text belongs to among ``campaign``'s domains, or None when there is no prediction.

    Not built yet (the lead wires the domain model here): it may combine the category model, the handler-type
    model (``decision.handler``), the keyword rules and staff corrections (``RouteCorrection.corrected_domain``).
    """
    return None


def decide_domain(
    title: str,
    body: str,
    decision: RouteDecision | None,
    chosen: CampaignDomain | None,
    *,
    campaign: Campaign | None,
    chosen_by: DomainSource = DomainSource.RESIDENT,
) -> DomainDecision:
    """Decide a new suggestion's domain: a person's choice wins, else the prediction, else undecided."""
    prediction = predict_domain(title, body, decision, campaign)
    if chosen is not None:
        return DomainDecision(chosen, chosen_by, prediction)
    if prediction is not None:
        return DomainDecision(prediction.domain, DomainSource.PREDICTED, prediction)
    return DomainDecision()


def apply_domain(suggestion: Suggestion, domain: DomainDecision) -> None:
    """Store a decision on the suggestion (inside a workflow step, which records the change)."""
    suggestion.domain = domain.domain
    suggestion.domain_source = domain.source.value if domain.source else None
    prediction = domain.prediction
    suggestion.predicted_domain = prediction.domain if prediction else None
    suggestion.domain_confidence = prediction.confidence if prediction else None
    suggestion.domain_reason = prediction.reason[:300] if prediction else None
