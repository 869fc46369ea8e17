"""Who handles it: refine the category's department with the handler-type model and the resident's district.

Real 12345 work shows that a large share of suggestions is answered by the district government (属地管理) and
many others by a functional bureau the category table does not name (police, water, planning...).  The
handler-type model predicts that kind of handler from the text; this module turns it into a department:

* 属地政府, more likely than not -> the government of the suggestion's district, dispatched automatically only at
  the handler threshold (else proposed to a dispatcher); with 全市 or no district, manual dispatch;
* a functional type, confident, other than the category department's type -> the one active department of that type;
* otherwise the category (or keyword-rule) department stays.

Keyword rules written by staff win over the model: they are explicit decisions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import LOCAL_GOVERNMENT, Department, District

# Basis labels stored with each candidate department and shown to dispatchers.
BASIS_LABELS = {
    "category": "按类别",
    "rule": "关键词规则",
    "local": "属地",
    "functional": "职能部门",
}
MAX_DEPARTMENT_CANDIDATES = 4
# A local problem sent to a city bureau comes back as a 退单.  Once 属地政府 is more likely than every other
# handler together, the category's bureau is the worse guess (out of fold on the weak labels: p >= 0.5 covers
# 17 % of messages at 71 % precision, p >= 0.85 only 6 % at 81 %), so the district government is proposed and
# a dispatcher confirms it unless the model is confident.
LOCAL_LIKELY = 0.5
OTHER = "其他"


@dataclass(frozen=True)
class HandlerView:
    """What routing keeps of a handler-type prediction."""

    handler_type: str
    confidence: float
    threshold: float
    alternatives: tuple[tuple[str, float], ...] = ()
    explanation: tuple[tuple[str, float], ...] = ()

    @property
    def confident(self) -> bool:
        return self.confidence >= self.threshold

    @property
    def is_local(self) -> bool:
        return self.handler_type == LOCAL_GOVERNMENT

    def words(self, count: int = 3) -> str:
        return "、".join(word for word, _ in self.explanation[:count])

    def probability_of(self, handler_type: str) -> float:
        return dict(self.alternatives).get(handler_type, 0.0)


@dataclass(frozen=True)
class DepartmentCandidate:
    department: Department
    probability: float
    basis: str

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS.get(self.basis, self.basis)


@dataclass
class Directory:
    """The active departments, looked up once per decision."""

    departments: Sequence[Department] = field(default_factory=list)

    @classmethod
    def load(cls) -> Directory:
        return cls(db.session.scalars(sa.select(Department).where(Department.is_active.is_(True))).all())

    def government_of(self, district: District | None) -> Department | None:
        if district is None or district.is_citywide:
            return None
        return next((d for d in self.departments if d.district_id == district.id and d.is_local_government), None)

    def bureau_of_type(self, handler_type: str) -> Department | None:
        """The single city bureau of that type; none (manual choice) if there are several or none.

        "其他" names no kind of bureau, so it never picks one.
        """
        if handler_type == OTHER:
            return None
        found = [d for d in self.departments if d.handler_type == handler_type and d.district_id is None]
        return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class HandlerRoute:
    """The department the handler model proposes, and why; ``department`` None with ``needs_district``
    means a local problem without a district, which a dispatcher must place."""

    department: Department | None
    basis: str
    confidence: float
    threshold: float
    needs_district: bool = False


def handler_route(
    handler: HandlerView, *, district: District | None, current: Department | None, directory: Directory
) -> HandlerRoute | None:
    """The handler model's department when it should replace ``current``; else None.

    属地 replaces the category's department from LOCAL_LIKELY on (its confidence then decides whether a person
    confirms it); a functional type only when confident.
    """
    if handler.is_local and handler.confidence >= LOCAL_LIKELY:
        government = directory.government_of(district)
        return HandlerRoute(government, "local", handler.confidence, handler.threshold, needs_district=not government)
    if not handler.confident or handler.is_local:
        return None
    if current is not None and current.handler_type == handler.handler_type:
        return None
    bureau = directory.bureau_of_type(handler.handler_type)
    if bureau is None:
        return None
    return HandlerRoute(bureau, "functional", handler.confidence, handler.threshold)


def department_candidates(
    *,
    chosen: Department | None,
    chosen_probability: float | None,
    chosen_basis: str | None,
    category_candidates: Sequence[tuple[Department | None, float]],
    handler: HandlerView | None,
    district: District | None,
    directory: Directory,
) -> list[DepartmentCandidate]:
    """Departments a dispatcher may pick with one click, best first, each once."""
    ranked: list[DepartmentCandidate] = []
    if handler is not None:
        government = directory.government_of(district)
        if government is not None:
            ranked.append(DepartmentCandidate(government, handler.probability_of(LOCAL_GOVERNMENT), "local"))
    ranked.extend(DepartmentCandidate(d, p, "category") for d, p in category_candidates if d is not None)
    if handler is not None:
        for handler_type, probability in handler.alternatives:
            bureau = None if handler_type == LOCAL_GOVERNMENT else directory.bureau_of_type(handler_type)
            if bureau is not None:
                ranked.append(DepartmentCandidate(bureau, probability, "functional"))
    ranked.sort(key=lambda candidate: -candidate.probability)
    if chosen is not None:
        ranked.insert(0, DepartmentCandidate(chosen, chosen_probability or 0.0, chosen_basis or "category"))
    seen: set[int] = set()
    unique = []
    for candidate in ranked:
        if candidate.department.id not in seen:
            seen.add(candidate.department.id)
            unique.append(candidate)
    return unique[:MAX_DEPARTMENT_CANDIDATES]


def stored_candidates(suggestion, departments: Mapping[int, Department]) -> list[DepartmentCandidate]:
    """The department candidates routing stored for an item, among ``departments`` (the active ones), best first."""
    return [
        DepartmentCandidate(departments[i], p, basis)
        for i, p, basis in suggestion.department_candidates or []
        if i in departments
    ]
