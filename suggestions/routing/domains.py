"""The campaign domain (领域) of a suggestion: whose choice it is, and what the text says it is.

Precedence, for every channel (intake calls ``decide_domain`` and ``apply_domain`` inside SUBMIT):

1. the resident's choice (web or QR form, partner systems) or the operator's (hotline form) is the domain, with
   its source; nothing replaces it silently;
2. a prediction from the text is stored beside it (``predicted_domain_id``, ``domain_confidence``,
   ``domain_reason``) and shown to staff as "系统判断：X（理由）" when it differs;
3. without a person's choice, the prediction becomes the domain (source ``predicted``);
4. a dispatcher's correction (``routing.dispatch.correct_route``) sets it with source ``corrected``, as an event;
   corrections are training rows of the domain model at the next ``flask classifier retrain``.

The prediction (``predict_domain``) reads the signals staff edit on each campaign domain (系统管理 → 征集活动 →
领域) and the models' outputs already in the route decision, first match wins:

a. the domain's keywords (after removing its excluded phrases): most matched characters win.  Precise phrases
   (老年食堂, 加装电梯, 养老金) beat the models, which have too few labelled 养老 and 食品安全 messages to learn them;
b. the domain model (``classifier`` ``domain``), when it reaches its threshold;
c. the handler-type model, when it reaches its threshold and its type belongs to exactly one domain (民政 → 养老);
d. the category model, likewise (环境保护 → 生态环境);
e. the domain model's best guess below its threshold (not confident: it never routes by itself).

A confident prediction feeds the department route (``routing.decision``): when the category and handler models
leave an item to manual dispatch, it goes to the domain's default department instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from suggestions.models import Campaign, CampaignDomain, Suggestion
from suggestions.workflow import DomainSource

if TYPE_CHECKING:
    from suggestions.routing.decision import RouteDecision

OTHER = "其他"  # the label for text that belongs to none of the campaign's domains


@dataclass(frozen=True)
class DomainPrediction:
    """What the text says the domain is, with a Chinese explanation for staff.

    ``domain`` is None when the text belongs to none of the campaign's domains (``label`` 其他); ``confident``
    predictions may route an item by themselves.
    """

    domain: CampaignDomain | None
    confidence: float | None
    reason: str
    confident: bool = False
    label: str | None = None

    @property
    def name(self) -> str:
        """The domain's name, or 其他."""
        return self.domain.name if self.domain is not None else (self.label or OTHER)


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
    """The domain the text belongs to among ``campaign``'s domains (see the module doc), or None."""
    if campaign is None:
        return None
    domains = list(campaign.domains)
    by_name = {d.name: d for d in domains}
    matched = _keyword_match(f"{title}\n{body}", domains)
    if matched is not None:
        domain, words = matched
        return DomainPrediction(domain, None, f"提到：{'、'.join(words)}", confident=True)
    output = decision.domain_output if decision is not None else None
    if output is not None and output.confident:
        return _from_model(output, by_name, confident=True)
    handler = decision.handler if decision is not None else None
    if handler is not None and handler.confident:
        owners = [d for d in domains if handler.handler_type in d.handler_type_list]
        if len(owners) == 1:
            return DomainPrediction(
                owners[0], handler.confidence, f"承办类型「{handler.handler_type}」", confident=True
            )
    category = decision.category if decision is not None else None
    confidence = decision.category_confidence if decision is not None else None
    if category is not None and confidence is not None and confidence >= (decision.category_threshold or 1):
        owners = [d for d in domains if category.code in d.category_list]
        if len(owners) == 1:
            return DomainPrediction(owners[0], confidence, f"类别「{category.name}」", confident=True)
    if output is not None:
        return _from_model(output, by_name, confident=False)
    return None


def _keyword_match(text: str, domains: list[CampaignDomain]) -> tuple[CampaignDomain, list[str]] | None:
    best, best_rank = None, None
    for domain in domains:
        cleaned = text
        for phrase in domain.exclude_list:
            cleaned = cleaned.replace(phrase, " ")
        words = [word for word in domain.keyword_list if word in cleaned]
        rank = sum(len(word) for word in words)
        if words and (best_rank is None or rank > best_rank):
            best, best_rank = (domain, words), rank
    return best


def _from_model(output, by_name: dict[str, CampaignDomain], *, confident: bool) -> DomainPrediction:
    words = "、".join(word for word, _ in output.explanation[:3])
    because = f"提到：{words}" if words else "依据全文"
    reason = f"{because}；把握 {output.confidence:.0%}" + ("" if confident else "，低于把握线")
    # 其他 (or a domain this year no longer has) files the text under no domain.
    return DomainPrediction(
        by_name.get(output.label), output.confidence, reason, confident=confident, label=output.label
    )


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
    if prediction is not None and prediction.domain is not None:
        return DomainDecision(prediction.domain, DomainSource.PREDICTED, prediction)
    return DomainDecision(prediction=prediction)


def apply_domain(suggestion: Suggestion, domain: DomainDecision) -> None:
    """Store a decision on the suggestion (inside a workflow step, which records the change)."""
    suggestion.domain = domain.domain
    suggestion.domain_source = domain.source.value if domain.source else None
    prediction = domain.prediction
    suggestion.predicted_domain = prediction.domain if prediction else None
    suggestion.domain_confidence = prediction.confidence if prediction else None
    suggestion.domain_reason = prediction.reason[:300] if prediction else None
