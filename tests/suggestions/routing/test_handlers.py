"""The handler-type model's say in the department: 属地 -> the district's government, functional -> its bureau."""

import pytest
import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import Department, District
from suggestions.routing.handlers import Directory, HandlerView, department_candidates, handler_route
from tests import factories


def district(name):
    return db.session.scalar(sa.select(District).where(District.name == name))


def view(handler_type, confidence=0.9, threshold=0.6, alternatives=None, words=("小区", "路段")):
    return HandlerView(
        handler_type=handler_type,
        confidence=confidence,
        threshold=threshold,
        alternatives=tuple(alternatives or [(handler_type, confidence)]),
        explanation=tuple((w, 0.1) for w in words),
    )


@pytest.fixture
def directory(seeded):
    return Directory.load()


@pytest.mark.parametrize("name", ["和平区", "河西区", "滨海新区", "蓟州区"])
def test_local_problem_goes_to_the_government_of_its_district(directory, name):
    route = handler_route(view("属地政府"), district=district(name), current=None, directory=directory)
    assert route.department.name == f"{name}人民政府"
    assert route.basis == "local" and not route.needs_district


@pytest.mark.parametrize("name", ["全市", None])
def test_local_problem_without_a_district_needs_a_dispatcher(directory, name):
    route = handler_route(
        view("属地政府"), district=district(name) if name else None, current=None, directory=directory
    )
    assert route.department is None and route.needs_district


def test_unsure_handler_changes_nothing(directory):
    housing = factories.department_named("市住房和城乡建设委员会")
    assert (
        handler_route(view("属地政府", 0.45), district=district("河西区"), current=housing, directory=directory) is None
    )
    assert handler_route(view("公安", 0.5), district=None, current=housing, directory=directory) is None


def test_likely_local_problem_is_proposed_to_the_district_for_a_person_to_confirm(directory):
    """p(属地) 0.7 under a 0.85 threshold: the district government replaces the category's bureau, not automatically."""
    from suggestions.routing import RouteDecision

    housing = factories.department_named("市住房和城乡建设委员会")
    handler = view("属地政府", 0.7, threshold=0.85, words=("小区", "门口", "积水"))
    route = handler_route(handler, district=district("河西区"), current=housing, directory=directory)
    assert route.department.name == "河西区人民政府" and route.confidence == 0.7 and route.threshold == 0.85
    decision = RouteDecision(
        category=factories.category_coded("城乡建设"),
        department=route.department,
        confidence=route.confidence,
        threshold=route.threshold,
        handler=handler,
        basis=route.basis,
    )
    assert not decision.automatic
    assert (
        decision.reason == "属地问题（提到：小区、门口、积水）→ 河西区人民政府；置信度 70% 低于阈值 85%，请分拨员确认"
    )


def test_functional_type_picks_the_bureau_of_that_type(directory):
    transport = factories.department_named("市交通运输委员会")
    route = handler_route(view("公安"), district=district("南开区"), current=transport, directory=directory)
    assert route.department.name == "市公安局" and route.basis == "functional"


def test_same_type_as_the_category_department_keeps_it(directory):
    transport = factories.department_named("市交通运输委员会")
    assert handler_route(view("交通运输"), district=None, current=transport, directory=directory) is None


def test_a_type_without_a_single_bureau_keeps_the_category_route(seeded):
    db.session.add(Department(name="市公安局交通管理局", handler_type="公安"))
    db.session.commit()
    route = handler_route(view("公安"), district=None, current=None, directory=Directory.load())
    assert route is None
    assert handler_route(view("其他"), district=None, current=None, directory=Directory.load()) is None


def test_inactive_district_government_is_not_chosen(seeded):
    government = factories.department_named("河西区人民政府")
    government.is_active = False
    db.session.commit()
    route = handler_route(view("属地政府"), district=district("河西区"), current=None, directory=Directory.load())
    assert route.department is None and route.needs_district


def test_candidates_put_the_choice_first_then_by_probability_each_once(directory):
    housing = factories.department_named("市住房和城乡建设委员会")
    transport = factories.department_named("市交通运输委员会")
    handler = view("住建", 0.5, alternatives=[("住建", 0.5), ("属地政府", 0.3), ("公安", 0.1)])
    candidates = department_candidates(
        chosen=housing,
        chosen_probability=0.7,
        chosen_basis="category",
        category_candidates=[(housing, 0.7), (transport, 0.2), (None, 0.1)],
        handler=handler,
        district=district("河西区"),
        directory=directory,
    )
    assert [(c.department.name, c.basis_label) for c in candidates] == [
        ("市住房和城乡建设委员会", "按类别"),
        ("河西区人民政府", "属地"),
        ("市交通运输委员会", "按类别"),
        ("市公安局", "职能部门"),
    ]


def test_the_type_table_covers_every_seeded_department(directory):
    from suggestions.models import HANDLER_TYPES

    assert all(d.handler_type in HANDLER_TYPES for d in directory.departments)


class TestWithAHandlerModel:
    """The combined route with a real artifact holding both models (trained on the fixtures)."""

    @pytest.fixture
    def model_path(self, tiny_full_model_path):
        return tiny_full_model_path

    def test_decision_carries_the_handler_and_department_candidates(self, app, seeded):
        from suggestions.routing.decision import decide

        model = app.extensions["classifier"].get()
        assert "handler" in model.models
        decision = decide(
            "村里道路没有硬化",
            "某某镇某某村的道路雨天泥泞，希望镇政府解决",
            model=model,
            threshold=0.0,
            fallback=0.6,
            district=district("河西区"),
        )
        assert (
            decision.handler is not None and decision.handler.threshold == model.card["models"]["handler"]["threshold"]
        )
        names = [c.department.name for c in decision.department_candidates]
        assert names and names[0] == decision.department.name
        assert len(names) == len(set(names))
        if decision.handler.is_local:
            assert "河西区人民政府" in names

    def test_intake_stores_the_proposal_and_a_correction_compares_with_it(self, app, seeded, staff):
        from suggestions import intake, routing
        from suggestions.workflow import Channel

        decision = routing.route_text("公交班次太少", "希望增开公交线路，方便换乘", district("南开区").id)
        receipt = intake.submit(
            intake.Intake(body="希望增开公交线路，方便换乘", title="公交班次太少", district_id=district("南开区").id),
            channel=Channel.WEB,
            decision=decision,
            vault=app.extensions["phone_vault"],
        )
        db.session.commit()
        item = receipt.suggestion
        assert item.predicted_handler_type == decision.handler.handler_type
        assert item.handler_confidence == decision.handler.confidence
        assert item.predicted_department == decision.department
        assert item.department_candidates[0][0] == (
            decision.department.id if decision.department else item.department_candidates[0][0]
        )
        correction = routing.record_correction(
            item,
            staff["dispatcher"],
            category=factories.category_coded("城乡建设"),
            department=factories.department_named("南开区人民政府"),
        )
        db.session.flush()
        assert correction.predicted_department_id == (decision.department.id if decision.department else None)
        assert correction.predicted_handler_type == decision.handler.handler_type
        assert correction.corrected_handler_type == "属地政府"
