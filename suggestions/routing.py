"""Adapter between the classifier and the database: prediction -> category -> department.

The department comes from, in order: a staff keyword rule; the handler-type model with the resident's district
(see ``handler_routing``); the category table.

This is the only module in ``suggestions`` that knows the classifier's types.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from suggestions.extensions import db
from suggestions.handler_routing import (
    DepartmentCandidate,
    Directory,
    HandlerView,
    department_candidates,
    handler_route,
)
from suggestions.models import Category, Department, District, RoutingRule

if TYPE_CHECKING:
    import classifier

log = logging.getLogger(__name__)


_NEVER_LOADED = object()


class ModelHolder:
    """Load the classifier on first use and reload it when a newer artifact is promoted.

    Workers stat the artifact at most every ``reload_seconds``; promotion replaces
    the file atomically, so a changed inode or mtime means a new model.
    """

    def __init__(self, path: str | Path, reload_seconds: float = 10.0):
        self.path = Path(path)
        self.reload_seconds = reload_seconds
        self.problem: str | None = None
        self._model: classifier.Classifier | None = None
        self._stamp: tuple | None | object = _NEVER_LOADED
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def get(self) -> classifier.Classifier | None:
        """Return the current model, or None if there is no usable one."""
        now = time.monotonic()
        if self._checked_at is not None and now - self._checked_at < self.reload_seconds:
            return self._model
        with self._lock:
            self._checked_at = now
            stamp = self._file_stamp()
            if stamp != self._stamp:
                self._stamp = stamp
                self._reload(stamp)
            return self._model

    def current_problem(self) -> str | None:
        """Return why there is no usable model right now (in Chinese), or None."""
        self.get()
        return self.problem

    def _file_stamp(self) -> tuple | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _reload(self, stamp: tuple | None) -> None:
        if stamp is None:
            self._model = None
            self.problem = "未找到分类模型文件，所有建议将转人工分拨。"
            log.warning("classifier model missing at %s; routing everything to manual dispatch", self.path)
            return
        # Imported here, not at module level: scikit-learn and jieba cost ~2 s to import,
        # and CLI commands such as `flask db upgrade` never need them.
        import classifier

        try:
            model = classifier.load(self.path)
        except classifier.ModelError as exc:
            self.problem = "分类模型无法加载，所有建议将转人工分拨。"
            log.warning("classifier model at %s not usable (%s); routing to manual dispatch", self.path, exc)
            self._model = None
            return
        self._model = model
        self.problem = None
        log.info("classifier model %s loaded from %s", model.version, self.path)


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
    basis: str | None = None  # what chose the department: rule, local, functional or category
    needs_district: bool = False
    department_candidates: list[DepartmentCandidate] = field(default_factory=list)

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
        if self.basis == "functional" and self.handler is not None:
            return f"{self.handler.handler_type}类问题（提到：{self.handler.words() or '相关事项'}）→ {self.department.name}"
        if self.category is not None:
            return f"类别「{self.category.name}」→ {self.department.name}"
        return None

    @property
    def automatic(self) -> bool:
        return (
            self.department is not None
            and self.confidence is not None
            and self.threshold is not None
            and self.confidence >= self.threshold
        )

    @property
    def reason(self) -> str:
        """A one-line Chinese explanation of the decision, for staff."""
        if self.problem:
            return self.problem
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


def threshold_for(model: classifier.Classifier, configured: float | None, fallback: float) -> float:
    """Return the configured threshold, else the one chosen on validation folds, else the fallback."""
    if configured is not None:
        return configured
    return float(model.card.get("threshold") or fallback)


def decide(
    title: str,
    body: str,
    *,
    model: classifier.Classifier | None,
    threshold: float | None,
    fallback: float,
    problem: str | None = None,
    district: District | None = None,
) -> RouteDecision:
    """Predict a category and a handler type for the text and choose the department (see the module doc)."""
    if model is None:
        return RouteDecision(problem=problem or "分类模型不可用，转人工分拨。")
    try:
        prediction = model.predict(title, body)
    except ValueError:
        return RouteDecision(problem="内容为空，无法自动分类，转人工分拨。")
    categories = {c.code: c for c in db.session.scalars(sa.select(Category).where(Category.is_active.is_(True)))}
    category = categories.get(prediction.category)
    decision = RouteDecision(
        category=category,
        department=category.department if category and category.department and category.department.is_active else None,
        confidence=prediction.confidence,
        threshold=threshold_for(model, threshold, fallback),
        candidates=[Candidate(categories.get(label), label, p) for label, p in prediction.alternatives],
        explanation=list(prediction.explanation),
        model_version=prediction.model_version,
    )
    if category is not None:
        apply_rules(decision, f"{title}\n{body}", active_rules())
    directory = Directory.load()
    if decision.department is not None:
        decision.basis = "rule" if decision.rule else "category"
    decision.handler = _handler_view(model, title, body)
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
    return decision


def _handler_view(model: classifier.Classifier, title: str, body: str) -> HandlerView | None:
    prediction = model.predict_handler(title, body)
    if prediction is None:
        return None
    return HandlerView(
        handler_type=prediction.handler_type,
        confidence=prediction.confidence,
        threshold=float(model.handler.threshold),
        alternatives=tuple(prediction.alternatives),
        explanation=tuple(prediction.explanation),
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
    """Decide a route with the app's model holder and threshold settings."""
    holder: ModelHolder = current_app.extensions["classifier"]
    return decide(
        title,
        body,
        model=holder.get(),
        threshold=current_app.config.get("CONFIDENCE_THRESHOLD"),
        fallback=current_app.config["FALLBACK_CONFIDENCE_THRESHOLD"],
        problem=holder.problem,
        district=db.session.get(District, district_id) if district_id else None,
    )
