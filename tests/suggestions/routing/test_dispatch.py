"""The campaign office's verbs: dispatch, designation after returns, reject, merge, corrections."""

import pytest
import sqlalchemy as sa

from suggestions import casework, routing
from suggestions.extensions import db
from suggestions.models import RouteCorrection, Suggestion
from suggestions.workflow import Action, InvalidTransition, ReasonRequired, Status, WorkflowError
from tests import factories
from tests.suggestions.conftest import events_of


def test_dispatcher_dispatches_from_manual_queue(seeded, vault, staff):
    suggestion = factories.submit(vault, category=None).suggestion
    housing = factories.department_named("市住房和城乡建设委员会")
    factories.dispatch(suggestion, housing, actor=staff["dispatcher"], category=factories.category_coded("城乡建设"))
    db.session.commit()
    assert suggestion.status == Status.DISPATCHED
    assert suggestion.department == housing
    last = events_of(suggestion)[-1]
    assert (last.action, last.actor_id, last.from_department_id) == (Action.DISPATCH, staff["dispatcher"].id, None)


def test_redispatch_needs_a_reason_and_changes_nothing_without_one(seeded, vault, staff):
    suggestion = factories.submit(vault, category=factories.category_coded("交通运输")).suggestion
    before = len(events_of(suggestion))
    with pytest.raises(ReasonRequired):
        factories.dispatch(suggestion, factories.department_named("市公安局"), actor=staff["dispatcher"])
    db.session.rollback()
    db.session.refresh(suggestion)
    assert suggestion.department.name == "市交通运输委员会"
    assert len(events_of(suggestion)) == before


def test_redispatch_to_the_same_department_is_refused(seeded, vault, staff):
    suggestion = factories.submit(vault, category=factories.category_coded("交通运输")).suggestion
    with pytest.raises(WorkflowError, match="相同"):
        factories.dispatch(suggestion, suggestion.department, actor=staff["dispatcher"], reason="x")


def test_officer_cannot_dispatch(seeded, vault, staff):
    suggestion = factories.submit(vault, category=None).suggestion
    with pytest.raises(InvalidTransition):
        factories.dispatch(suggestion, factories.department_named("市公安局"), actor=staff["officer"])


def test_set_category_department_changes_where_new_suggestions_go(seeded, vault):
    transport = factories.category_coded("交通运输")
    police = factories.department_named("市公安局")
    routing.set_category_department(transport, police)
    db.session.commit()
    assert factories.submit(vault, category=transport).suggestion.department == police


def test_after_three_returns_the_department_is_designated_and_cannot_return(seeded, vault, staff):
    officer, dispatcher = staff["officer"], staff["dispatcher"]
    housing = factories.department_named("市住房和城乡建设委员会")
    suggestion = factories.submit(vault, category=factories.category_coded("城乡建设")).suggestion
    for round_ in range(3):
        casework.return_item(suggestion, actor=officer, reason=f"第{round_ + 1}次：不属于本部门职责")
        assert suggestion.status == Status.RETURNED
        factories.dispatch(suggestion, housing, actor=dispatcher)
    db.session.commit()
    assert suggestion.return_count == 3
    assert suggestion.designated
    assert events_of(suggestion)[-2].details == {"designated": True} or any(
        e.details.get("designated") for e in events_of(suggestion)
    )
    with pytest.raises(WorkflowError, match="指定承办"):
        casework.return_item(suggestion, actor=officer, reason="还是不归我们管")


def test_reject_needs_a_reason_and_closes(seeded, vault, staff):
    suggestion = factories.submit(vault, category=None).suggestion
    with pytest.raises(ReasonRequired):
        casework.reject(suggestion, actor=staff["dispatcher"], reason=" ")
    casework.reject(suggestion, actor=staff["dispatcher"], reason="属于110报警范围，已告知市民")
    assert suggestion.status == Status.NOT_ACCEPTED and suggestion.closed_at


class TestMerge:
    def test_merge_links_the_duplicate_and_needs_a_reason(self, seeded, vault, staff):
        master = factories.submit(vault, category=factories.category_coded("城乡建设")).suggestion
        duplicate = factories.submit(vault, category=factories.category_coded("城乡建设")).suggestion
        with pytest.raises(ReasonRequired):
            casework.merge(duplicate, master, actor=staff["dispatcher"], reason="")
        casework.merge(duplicate, master, actor=staff["dispatcher"], reason="同一小区同一诉求")
        db.session.commit()
        assert duplicate.status == Status.MERGED and duplicate.merged_into == master
        assert events_of(duplicate)[-1].details["master_code"] == master.tracking_code
        assert duplicate.due_at is None

    def test_merge_rules(self, seeded, vault, staff, housing_item):
        dispatcher = staff["dispatcher"]
        a, b, c = (factories.submit(vault, category=None).suggestion for _ in range(3))
        with pytest.raises(WorkflowError, match="自身"):
            casework.merge(a, a, actor=dispatcher, reason="x")
        casework.merge(b, a, actor=dispatcher, reason="重复")
        with pytest.raises(WorkflowError, match="已并入其他工单"):
            casework.merge(c, b, actor=dispatcher, reason="重复")
        with pytest.raises(WorkflowError, match="已是其他工单的主件"):
            casework.merge(a, c, actor=dispatcher, reason="重复")
        closed = housing_item(Status.CLOSED)
        with pytest.raises(WorkflowError, match="已办结"):
            casework.merge(c, closed, actor=dispatcher, reason="重复")

    def test_officer_cannot_merge(self, seeded, vault, staff):
        a, b = (factories.submit(vault, category=factories.category_coded("城乡建设")).suggestion for _ in range(2))
        with pytest.raises(InvalidTransition):
            casework.merge(b, a, actor=staff["officer"], reason="重复")

    def test_database_refuses_a_merged_item_without_a_master(self, seeded, vault):
        from sqlalchemy.exc import IntegrityError

        suggestion = factories.submit(vault, category=None).suggestion
        with pytest.raises(IntegrityError):
            db.session.execute(sa.update(Suggestion).where(Suggestion.id == suggestion.id).values(status="merged"))
        db.session.rollback()


class TestCorrections:
    def test_dispatch_to_another_category_is_recorded_as_a_correction(self, seeded, vault, staff):
        suggestion = factories.submit(vault, category=factories.category_coded("交通运输"), confidence=0.3).suggestion
        health = factories.category_coded("卫生计生")
        factories.dispatch(suggestion, health.department, actor=staff["dispatcher"], category=health)
        db.session.commit()
        correction = db.session.scalar(sa.select(RouteCorrection))
        assert (correction.predicted_category, correction.corrected_category) == ("交通运输", "卫生计生")
        assert correction.predicted_department.name == "市交通运输委员会"
        assert correction.corrected_department.name == "市卫生健康委员会"
        assert correction.body == suggestion.body and correction.actor_id == staff["dispatcher"].id
        assert correction.model_version == "test-model"

    def test_dispatch_that_agrees_with_the_model_is_not_a_correction(self, seeded, vault, staff):
        transport = factories.category_coded("交通运输")
        suggestion = factories.submit(vault, category=transport, confidence=0.3).suggestion
        factories.dispatch(suggestion, transport.department, actor=staff["dispatcher"], category=transport)
        assert db.session.scalar(sa.select(sa.func.count(RouteCorrection.id))) == 0

    def test_officer_corrects_the_category_without_moving_the_item(self, seeded, vault, staff, housing_item):
        suggestion = housing_item(Status.SIGNED)
        environment = factories.category_coded("环境保护")
        routing.correct_route(suggestion, actor=staff["officer"], category=environment, reason="实为扬尘污染问题")
        db.session.commit()
        assert suggestion.department.name == "市住房和城乡建设委员会"
        correction = db.session.scalar(sa.select(RouteCorrection))
        assert correction.corrected_category == "环境保护"
        assert events_of(suggestion)[-1].action == Action.CORRECT_ROUTE

    def test_correction_needs_a_reason(self, seeded, vault, staff, housing_item):
        with pytest.raises(ReasonRequired):
            routing.correct_route(
                housing_item(), actor=staff["dispatcher"], category=factories.category_coded("环境保护"), reason=""
            )
