"""factory_boy factories for real rows.

Rows are committed: the test and each request use separate sessions on a real
database, so a request sees only committed rows, exactly as in production.
"""

from __future__ import annotations

import factory
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from suggestions import clock, intake, routing
from suggestions.extensions import db
from suggestions.models import Category, Department, District, StaffUser, Suggestion
from suggestions.routing.decision import Candidate, RouteDecision
from suggestions.workflow import Channel

STAFF_PASSWORD = "correct horse battery"
# Hashed once: scrypt per factory call would dominate the suite's run time.
_STAFF_PASSWORD_HASH = generate_password_hash(STAFF_PASSWORD)


class _Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class DepartmentFactory(_Base):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试部门{n}")


class CategoryFactory(_Base):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"类别{n}")
    name = factory.SelfAttribute("code")
    department = factory.SubFactory(DepartmentFactory)


class DistrictFactory(_Base):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"测试区{n}")


class StaffUserFactory(_Base):
    class Meta:
        model = StaffUser

    username = factory.Sequence(lambda n: f"staff{n}")
    display_name = factory.Sequence(lambda n: f"工作人员{n}")
    password_hash = _STAFF_PASSWORD_HASH
    role = "operator"


def department_named(name: str) -> Department:
    return db.session.scalar(sa.select(Department).where(Department.name == name))


def category_coded(code: str) -> Category:
    return db.session.scalar(sa.select(Category).where(Category.code == code))


def district_named(name: str) -> District:
    return db.session.scalar(sa.select(District).where(District.name == name))


def decision_for(category: Category | None, confidence: float = 0.9, threshold: float = 0.5) -> RouteDecision:
    """A route decision as the classifier would make it, without running a model."""
    if category is None:
        return RouteDecision(problem="分类模型不可用，转人工分拨。")
    return RouteDecision(
        category=category,
        department=category.department,
        confidence=confidence,
        threshold=threshold,
        candidates=[Candidate(category, category.code, confidence)],
        explanation=[("公交线路", 0.3)],
        model_version="test-model",
    )


def submit(
    vault,
    *,
    category: Category | None = None,
    confidence: float = 0.9,
    phone: str | None = "13812345678",
    body: str = "建议在小区门口增设公交站点，方便老人出行。",
    channel: Channel = Channel.WEB,
    actor: StaffUser | None = None,
    now=None,
    routed: bool = True,
    **fields,
) -> intake.Receipt:
    """Submit through the real intake service and commit; ``routed=False`` leaves it 已受理, not yet routed."""
    receipt = intake.submit(
        intake.Intake(body=body, phone=phone, received_at=fields.pop("received_at", now or clock.now()), **fields),
        channel=channel,
        decision=decision_for(category, confidence) if routed else None,
        vault=vault,
        actor=actor,
        now=now,
    )
    db.session.commit()
    return receipt


def dispatch(suggestion: Suggestion, department: Department, *, actor: StaffUser, category=None, **kwargs):
    """A dispatcher's route to ``department`` through the one route service (flushes; the test commits)."""
    return routing.route(suggestion, RouteDecision.by_person(department, category), actor=actor, **kwargs)
