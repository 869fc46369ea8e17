"""What routing proposes for a text: prediction -> category -> department, with a reason staff can read.

The department comes from, in order: a staff keyword rule; the handler-type model with the resident's district
(see ``routing.handlers``); the category table; and when none of them is sure enough, the default department
of a confidently predicted campaign domain (see ``routing.domains``: 养老 → 市民政局).
``routing.dispatch.route`` applies a decision.

This is the only module in ``suggestions`` that knows the classifier's types.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from suggestions import clock
from suggestions.campaign.taxonomy import taxonomy_campaign
from suggestions.extensions import db
from suggestions.models import Campaign, Category, Department, District, RoutingRule
from suggestions.routing.domains import DomainPrediction, predict_domain
from suggestions.routing.handlers import (
    DepartmentCandidate,
    Directory,
    HandlerView,
    department_candidates,
    handler_route,
)
from suggestions.routing.serving import ModelHolder

if TYPE_CHECKING:
    import classifier

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    category: Category | None
    label: str
    probability: float

    @property
    def department(self) -> Department | None:
        return self.category.department if self.category else None


@dataclass
class RouteDecision:
    """What routing proposes for one text; ``automatic`` means dispatch without a person."""

    category: Category | None = None
    department: Department | None = None
    confidence: float | None = None
    threshold: float | None = None
    candidates: list[Candidate] = field(default_factory=list)
    explanation: list[tuple[str, float]] = field(default_factory=list)
    model_version: str | None = None
    problem: str | None = None
    rule: RoutingRule | None = None
    rule_words: list[str] = field(default_factory=list)
    handler: HandlerView | None = None
    basis: str | None = None  # what chose the department: rule, local, functional, category or domain
    needs_district: bool = False
    department_candidates: list[DepartmentCandidate] = field(default_factory=list)
    # A person's choice: ``manual`` (no model run, e.g. the manual queue) or ``chosen`` over the model's proposal.
    domain_output: classifier.ModelOutput | None = None  # the domain model's view, read by routing.domains
    domain_prediction: DomainPrediction | None = None
    category_threshold: float | None = None
    manual: bool = False
    chosen: bool = False
    proposal: Department | None = None

    @classmethod
    def by_person(cls, department: Department | None, category: Category | None = None) -> RouteDecision:
        """A dispatcher's route, made without running the model."""
        return cls(category=category, department=department, manual=True, chosen=True)

    def chose(self, department: Department | None, category: Category | None = None) -> RouteDecision:
        """This decision with a person's department (and category); the model's proposal is kept beside it."""
        return dataclasses.replace(
            self,
            department=department,
            category=category or self.category,
            chosen=True,
            proposal=self.proposed_department,
        )

    @property
    def from_model(self) -> bool:
        return not self.manual

    @property
    def proposed_department(self) -> Department | None:
        """The department routing proposed, before any person's choice."""
        return self.proposal if self.chosen else self.department

    def details(self) -> dict:
        """What the route event records about the model's proposal."""
        return {
            "confidence": self.confidence,
            "threshold": self.threshold,
            "model_version": self.model_version,
            "reason": self.reason,
            "handler_type": self.handler.handler_type if self.handler else None,
            "basis": self.basis,
            "domain": self.domain_prediction.name if self.domain_prediction else None,
        }

    @property
    def category_confidence(self) -> float | None:
        return self.candidates[0].probability if self.candidates else None

    @property
    def route_reason(self) -> str | None:
        """Why this department, in a phrase staff can read next to the route."""
        if self.department is None:
            return None
        if self.rule is not None:
            return f"规则「{self.rule.name}」（提到：{'、'.join(self.rule_words)}）→ {self.department.name}"
        if self.basis == "local" and self.handler is not None:
            return f"属地问题（提到：{self.handler.words() or '具体地点'}）→ {self.department.name}"
        if self.basis == "domain" and self.domain_prediction is not None:
            return f"领域「{self.domain_prediction.name}」（{self.domain_prediction.reason}）→ {self.department.name}"
        if self.basis == "functional" and self.handler is not None:
            return f"{self.handler.handler_type}类问题（提到：{self.handler.words() or '相关事项'}）→ {self.department.name}"
        if self.category is not None:
            return f"类别「{self.category.name}」→ {self.department.name}"
        return None

    @property
    def automatic(self) -> bool:
        if self.basis == "domain":
            return not self.chosen and self.department is not None and self.domain_prediction.confident
        return (
            not self.chosen
            and self.department is not None
            and self.confidence is not None
            and self.threshold is not None
            and self.confidence >= self.threshold
        )

    @property
    def reason(self) -> str:
        """A one-line Chinese explanation of the decision, for staff."""
        if self.problem:
            return self.problem
        if self.basis == "domain" and self.automatic:
            return self.route_reason
        words = "、".join(word for word, _ in self.explanation[:5])
        because = f"因为提到：{words}" if words else "依据全文"
        if self.needs_district:
            words = self.handler.words() if self.handler else ""
            return f"属地问题（提到：{words or '具体地点'}），但未指明所在区，转人工分拨"
        if self.category is None:
            return f"{because}；模型给出的类别不在分类表中，转人工分拨"
        if self.department is None:
            return f"{because}；类别「{self.category.name}」尚未配置承办部门，转人工分拨"
        if not self.automatic:
            if self.basis in ("local", "functional"):
                return f"{self.route_reason}；置信度 {self.confidence:.0%} 低于阈值 {self.threshold:.0%}，请分拨员确认"
            return f"{because}；置信度低于阈值 {self.threshold:.0%}，转人工分拨"
        return f"{because}；{self.route_reason}"


def threshold_for(output: classifier.ModelOutput, configured: float | None, fallback: float) -> float:
    """Return the configured threshold, else the one chosen on validation folds, else the fallback."""
    if configured is not None:
        return configured
    return float(output.threshold or fallback)


def decide(
    title: str,
    body: str,
    *,
    model: classifier.Router | None,
    threshold: float | None,
    fallback: float,
    problem: str | None = None,
    district: District | None = None,
    campaign: Campaign | None = None,
) -> RouteDecision:
    """Run the models on the text (read once for all) and choose the department (see the module doc).

    ``campaign`` gives the domains to predict among (none: no domain prediction).
    """
    if model is None:
        return RouteDecision(problem=problem or "分类模型不可用，转人工分拨。")
    try:
        predictions = model.predict(title, body)
    except ValueError:
        return RouteDecision(problem="内容为空，无法自动分类，转人工分拨。")
    prediction = predictions.category
    categories = {c.code: c for c in db.session.scalars(sa.select(Category).where(Category.is_active.is_(True)))}
    category = categories.get(prediction.label)
    decision = RouteDecision(
        category=category,
        department=category.department if category and category.department and category.department.is_active else None,
        confidence=prediction.confidence,
        threshold=threshold_for(prediction, threshold, fallback),
        category_threshold=threshold_for(prediction, threshold, fallback),
        candidates=[Candidate(categories.get(label), label, p) for label, p in prediction.alternatives],
        explanation=list(prediction.explanation),
        model_version=predictions.model_version,
        domain_output=predictions.domain,
    )
    if category is not None:
        apply_rules(decision, f"{title}\n{body}", active_rules())
    directory = Directory.load()
    if decision.department is not None:
        decision.basis = "rule" if decision.rule else "category"
    decision.handler = _handler_view(predictions.handler)
    if decision.handler is not None and decision.rule is None:
        _apply_handler(decision, district, directory)
    decision.department_candidates = department_candidates(
        chosen=decision.department,
        chosen_probability=decision.confidence,
        chosen_basis=decision.basis,
        category_candidates=[(c.department, c.probability) for c in decision.candidates],
        handler=decision.handler,
        district=district,
        directory=directory,
    )
    decision.domain_prediction = predict_domain(title, body, decision, campaign)
    _apply_domain(decision)
    return decision


def _apply_domain(decision: RouteDecision) -> None:
    """Send an item that would wait for manual dispatch to its confidently predicted domain's department."""
    prediction = decision.domain_prediction
    if decision.automatic or prediction is None or not prediction.confident or prediction.domain is None:
        return
    department = prediction.domain.default_department
    if department is None or not department.is_active:
        return
    decision.department, decision.basis, decision.needs_district = department, "domain", False


def _handler_view(output: classifier.ModelOutput | None) -> HandlerView | None:
    if output is None:
        return None
    return HandlerView(
        handler_type=output.label,
        confidence=output.confidence,
        threshold=float(output.threshold),
        alternatives=tuple(output.alternatives),
        explanation=tuple(output.explanation),
    )


def _apply_handler(decision: RouteDecision, district: District | None, directory: Directory) -> None:
    route = handler_route(decision.handler, district=district, current=decision.department, directory=directory)
    if route is None:
        return
    decision.department, decision.basis = route.department, route.basis
    decision.confidence, decision.threshold = route.confidence, route.threshold
    decision.needs_district = route.needs_district


def active_rules() -> list[RoutingRule]:
    return list(
        db.session.scalars(
            sa.select(RoutingRule).where(RoutingRule.is_active.is_(True)).order_by(RoutingRule.priority, RoutingRule.id)
        )
    )


def match_rule(text: str, category_id: int | None, rules: list[RoutingRule]) -> tuple[RoutingRule, list[str]] | None:
    """The rule whose keywords the text mentions: category-specific rules first, then most words, then priority.

    Excluded phrases are removed before matching, so 养老金 does not count as 养老.
    """
    best, best_rank = None, None
    for rule in rules:
        if rule.category_id not in (None, category_id) or not rule.department.is_active:
            continue
        cleaned = text
        for phrase in rule.exclude_list:
            cleaned = cleaned.replace(phrase, " ")
        words = [word for word in rule.keyword_list if word in cleaned]
        if not words:
            continue
        rank = (rule.category_id is not None, len(words), -rule.priority)
        if best_rank is None or rank > best_rank:
            best, best_rank = (rule, words), rank
    return best


def apply_rules(decision: RouteDecision, text: str, rules: list[RoutingRule]) -> None:
    """Refine the department with the admin's keyword rules; the rule is shown in the explanation."""
    matched = match_rule(text, decision.category.id if decision.category else None, rules)
    if matched is not None:
        decision.rule, decision.rule_words = matched
        decision.department = decision.rule.department


def route_text(title: str, body: str, district_id: int | None = None) -> RouteDecision:
    """Decide a route with the app's model holder and threshold settings.

    A failure inside the model or the rules never costs a submission: the item goes to manual dispatch.
    """
    holder: ModelHolder = current_app.extensions["classifier"]
    try:
        return decide(
            title,
            body,
            model=holder.get(),
            threshold=current_app.config.get("CONFIDENCE_THRESHOLD"),
            fallback=current_app.config["FALLBACK_CONFIDENCE_THRESHOLD"],
            problem=holder.problem,
            district=db.session.get(District, district_id) if district_id else None,
            campaign=taxonomy_campaign(clock.local_today()),
        )
    except Exception:
        log.exception("automatic routing failed; the suggestion goes to manual dispatch")
        return RouteDecision(problem=UNROUTABLE)


UNROUTABLE = "自动分拨未能完成，转人工分拨。"
