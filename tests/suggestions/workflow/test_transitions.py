"""Every edge of the transition table, taken the way staff, residents and the system take it: through its service.

Each case walks a real item to the edge's source state with the services, takes the action through its own
service verb, and checks what a user would see: the new state (or the same state for a recorded action), the
event in the history with its actor, and that the item moved where the edge says.  A refused step (wrong state,
wrong role, missing reason) changes nothing.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from suggestions import campaign, casework, routing
from suggestions.extensions import db
from suggestions.models import Project, Suggestion
from suggestions.privacy import disclosure
from suggestions.routing.decision import RouteDecision
from suggestions.workflow import (
    PREVIOUS_STATE,
    RESIDENT,
    SYSTEM,
    TERMINAL_STATUSES,
    TRANSITIONS,
    Action,
    InvalidTransition,
    NotPermitted,
    ReasonRequired,
    Role,
    Status,
    WorkflowError,
    check_transition,
)
from suggestions.workflow.steps import transition
from tests import factories
from tests.suggestions.conftest import events_of

S = Status


@pytest.fixture
def item_in(seeded, vault, staff, housing_item):
    """An item in the housing commission's hands (or the campaign office's) in ``status``, walked there by services."""
    officer, dispatcher = staff["officer"], staff["dispatcher"]
    housing = factories.department_named("市住房和城乡建设委员会")

    def make(status: Status) -> Suggestion:
        if status == S.ACCEPTED:
            item = factories.submit(vault, routed=False).suggestion
        elif status == S.NEEDS_TRIAGE:
            item = factories.submit(vault, category=None).suggestion
        elif status == S.RETURNED:
            item = housing_item()
            casework.return_item(item, actor=officer, reason="不属于本部门职责")
        elif status == S.NOT_ACCEPTED:
            item = factories.submit(vault, category=None).suggestion
            casework.reject(item, actor=dispatcher, reason="属于110报警范围")
        elif status == S.EXTENSION_PENDING:
            item = housing_item(S.SIGNED)
            casework.request_extension(item, 5, actor=officer, reason="需要现场勘查")
        elif status == S.REDO:
            item = housing_item(S.CALLBACK_PENDING)
            casework.record_callback(item, "dissatisfied", actor=staff["operator"], note="问题没有解决")
        elif status == S.MERGED:
            master = housing_item(S.IN_PROGRESS)
            item = housing_item()
            casework.merge(item, master, actor=dispatcher, reason="同一诉求")
            casework.reply(master, "已协调安排维修，预计本月完成。", actor=officer)
        else:
            item = housing_item(status)
        db.session.commit()
        assert item.status == status
        assert housing is not None
        return item

    return make


def _project() -> Project:
    project = Project(year=2027, number=3, title="老旧小区改造提升")
    db.session.add(project)
    db.session.flush()
    return project


def _vault():
    from flask import current_app

    return current_app.extensions["phone_vault"]


# (action, source) -> (who, how): ``how(item, staff)`` takes the action through its service.
EDGES = {
    Action.SUBMIT: {None: ("resident", None)},  # covered by tests/suggestions/intake
    Action.AUTO_DISPATCH: {
        S.ACCEPTED: (
            SYSTEM,
            lambda s, u: routing.route(s, factories.decision_for(factories.category_coded("城乡建设"))),
        ),
        S.NEEDS_TRIAGE: (
            SYSTEM,
            lambda s, u: routing.route(s, factories.decision_for(factories.category_coded("城乡建设"))),
        ),
    },
    Action.ROUTE_AT_INTAKE: {
        S.ACCEPTED: (
            "operator",
            lambda s, u: routing.route(
                s, RouteDecision().chose(factories.department_named("市水务局")), actor=u["operator"]
            ),
        )
    },
    Action.FLAG_FOR_TRIAGE: {S.ACCEPTED: (SYSTEM, lambda s, u: routing.route(s, RouteDecision(problem="模型不可用")))},
    Action.DISPATCH: {
        source: (
            "dispatcher",
            lambda s, u: factories.dispatch(s, factories.department_named("市水务局"), actor=u["dispatcher"]),
        )
        for source in (S.NEEDS_TRIAGE, S.RETURNED)
    },
    Action.REDISPATCH: {
        source: (
            "dispatcher",
            lambda s, u: factories.dispatch(
                s, factories.department_named("市水务局"), actor=u["dispatcher"], reason="属供水问题"
            ),
        )
        for source in (S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.REDO)
    },
    Action.REJECT: {
        source: ("dispatcher", lambda s, u: casework.reject(s, actor=u["dispatcher"], reason="属于110报警范围"))
        for source in (S.ACCEPTED, S.NEEDS_TRIAGE, S.RETURNED)
    },
    Action.SIGN: {S.DISPATCHED: ("officer", lambda s, u: casework.sign(s, actor=u["officer"]))},
    Action.RETURN: {
        source: ("officer", lambda s, u: casework.return_item(s, actor=u["officer"], reason="属规划部门职责"))
        for source in (S.DISPATCHED, S.SIGNED)
    },
    Action.START: {
        source: ("officer", lambda s, u: casework.start(s, actor=u["officer"])) for source in (S.SIGNED, S.REDO)
    },
    Action.REQUEST_EXTENSION: {
        source: (
            "officer",
            lambda s, u: casework.request_extension(s, 5, actor=u["officer"], reason="需要协调多个部门"),
        )
        for source in (S.SIGNED, S.IN_PROGRESS, S.REDO)
    },
    Action.APPROVE_EXTENSION: {
        S.EXTENSION_PENDING: (
            "dispatcher",
            lambda s, u: casework.decide_extension(s, approve=True, actor=u["dispatcher"]),
        )
    },
    Action.DENY_EXTENSION: {
        S.EXTENSION_PENDING: (
            "dispatcher",
            lambda s, u: casework.decide_extension(s, approve=False, actor=u["dispatcher"], reason="时限内可以办结"),
        )
    },
    Action.REPLY: {
        source: ("officer", lambda s, u: casework.reply(s, "经研究，已纳入明年老旧小区改造计划。", actor=u["officer"]))
        for source in (S.SIGNED, S.IN_PROGRESS, S.REDO)
    },
    Action.APPROVE_REPLY: {S.REPLIED: ("dispatcher", lambda s, u: casework.approve_reply(s, actor=u["dispatcher"]))},
    Action.CLOSE_WITHOUT_CALLBACK: {S.REPLIED: ("dispatcher", None)},  # a case of its own below: no phone
    Action.SEND_BACK: {
        S.REPLIED: ("dispatcher", lambda s, u: casework.send_back(s, actor=u["dispatcher"], reason="请写明完成时间"))
    },
    Action.CALLBACK_SATISFIED: {
        S.CALLBACK_PENDING: ("operator", lambda s, u: casework.record_callback(s, "satisfied", actor=u["operator"]))
    },
    Action.CALLBACK_DISSATISFIED: {
        S.CALLBACK_PENDING: (
            "operator",
            lambda s, u: casework.record_callback(s, "dissatisfied", actor=u["operator"], note="电梯仍未修好"),
        )
    },
    Action.CALLBACK_UNREACHABLE: {
        S.CALLBACK_PENDING: ("operator", lambda s, u: casework.record_callback(s, "unreachable", actor=u["operator"]))
    },
    Action.CLOSE_UNREACHABLE: {S.CALLBACK_PENDING: (SYSTEM, None)},  # a case of its own below: the third attempt
    Action.MERGE: {S.DISPATCHED: ("dispatcher", None)},  # tests/suggestions/routing and views cover merging
    Action.ASSIGN: {
        S.SIGNED: (
            "officer",
            lambda s, u: casework.assign(
                [s],
                factories.StaffUserFactory(role="officer", department=s.department),
                actor=u["officer"],
            ),
        )
    },
    Action.NOTE: {
        source: ("dispatcher", lambda s, u: casework.add_note(s, "已电话联系区住建委", actor=u["dispatcher"]))
        for source in (S.NEEDS_TRIAGE, S.IN_PROGRESS, S.CLOSED, S.NOT_ACCEPTED, S.MERGED)
    },
    Action.INTERIM_REPLY: {
        source: (
            "officer",
            lambda s, u: casework.interim_reply(s, "正在现场勘查，预计两周内答复。", actor=u["officer"]),
        )
        for source in (S.SIGNED, S.IN_PROGRESS, S.EXTENSION_PENDING)
    },
    Action.CORRECT_ROUTE: {
        source: (
            "dispatcher",
            lambda s, u: routing.correct_route(
                s, actor=u["dispatcher"], category=factories.category_coded("环境保护"), reason="属环境问题"
            ),
        )
        for source in (S.NEEDS_TRIAGE, S.DISPATCHED, S.REPLIED)
    },
    Action.REVEAL_CONTACT: {
        source: (
            "operator",
            lambda s, u: disclosure.reveal_phone(s, actor=u["operator"], reason="回访需要联系市民", vault=_vault()),
        )
        for source in (S.DISPATCHED, S.CLOSED)
    },
    Action.RATE: {
        source: (RESIDENT, lambda s, u: casework.rate(s, "satisfied", comment="处理及时"))
        for source in (S.REPLIED, S.CALLBACK_PENDING, S.CLOSED, S.MERGED)
    },
    Action.MERGED_CALLBACK: {
        S.MERGED: ("operator", lambda s, u: casework.record_callback(s, "satisfied", actor=u["operator"]))
    },
    Action.EVALUATE: {
        S.CLOSED: ("dispatcher", lambda s, u: campaign.decide_adoption(s, "evaluating", actor=u["dispatcher"]))
    },
    Action.ADOPT: {
        source: (
            "dispatcher",
            lambda s, u: campaign.decide_adoption(s, "adopted", actor=u["dispatcher"], project=_project()),
        )
        for source in (S.REPLIED, S.CLOSED)
    },
    Action.PARTIALLY_ADOPT: {
        S.CLOSED: (
            "dispatcher",
            lambda s, u: campaign.decide_adoption(s, "partially_adopted", actor=u["dispatcher"], project=_project()),
        )
    },
    Action.ALREADY_PLANNED: {
        S.CLOSED: (
            "dispatcher",
            lambda s, u: campaign.decide_adoption(s, "already_planned", actor=u["dispatcher"], project=_project()),
        )
    },
    Action.NOT_ADOPT: {
        S.CLOSED: (
            "dispatcher",
            lambda s, u: campaign.decide_adoption(s, "not_adopted", actor=u["dispatcher"], reason="已有同类项目"),
        )
    },
    Action.REVEAL_TEXT: {S.DISPATCHED: ("dispatcher", None)},  # tests/suggestions/privacy covers sealed originals
    Action.ANONYMISE: {S.CLOSED: (SYSTEM, None)},  # tests/suggestions/privacy covers retention
    Action.RESIDENT_DISSATISFIED: {
        S.CLOSED: (RESIDENT, lambda s, u: casework.rate(s, "dissatisfied", comment="电梯至今没有动工"))
    },
    Action.UNMERGE: {
        S.MERGED: ("dispatcher", lambda s, u: casework.unmerge(s, actor=u["dispatcher"], reason="并错了，不是同一诉求"))
    },
    Action.URGE: {
        source: ("dispatcher", lambda s, u: casework.urge(s, actor=u["dispatcher"], note="请尽快签收"))
        for source in (S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.EXTENSION_PENDING)
    },
}
CASES = [
    pytest.param(action, source, who, how, id=f"{action.value}-from-{source.value}")
    for action, sources in EDGES.items()
    for source, (who, how) in sources.items()
    if how is not None
]


@pytest.mark.parametrize(("action", "source", "who", "how"), CASES)
def test_edge(item_in, staff, action, source, who, how):
    item = item_in(source)
    before = events_of(item)
    how(item, staff)
    db.session.commit()
    rule = next(t for t in TRANSITIONS if t.action == action)
    db.session.refresh(item)
    # An undoing step returns the item to the state it came from (a merged item: the state it was merged in).
    target = S.DISPATCHED if rule.target == PREVIOUS_STATE else rule.target
    assert item.status == (target or source)
    new = [e for e in events_of(item) if e.id not in {b.id for b in before}]
    event = next(e for e in new if e.action == action)
    assert (event.from_status, event.to_status) == (source, target or source)
    if who in (SYSTEM, RESIDENT):
        assert event.actor_kind == who and event.actor_id is None
    else:
        assert event.actor_id == staff[who].id
    if rule.target in (S.DISPATCHED,):
        assert item.department is not None and item.sign_due_at is not None  # the department's clock runs
    if rule.target == S.RETURNED:
        assert item.department is None and item.return_count == 1


def test_every_edge_of_the_table_has_a_behaviour_case_here_or_a_named_test_elsewhere():
    """A new row in the table must come with a case (or a pointer to where its behaviour is tested)."""
    table = {(t.action, source) for t in TRANSITIONS for source in t.sources}
    declared = {(action, source) for action, sources in EDGES.items() for source in sources}
    missing = {action for action, _source in table} - {action for action, _source in declared}
    assert not missing


def test_the_third_unanswered_callback_closes_the_item(item_in, staff):
    item = item_in(S.CALLBACK_PENDING)
    for _ in range(3):
        casework.record_callback(item, "unreachable", actor=staff["operator"])
    db.session.commit()
    assert item.status == S.CLOSED and item.callback_result == "unreachable"
    last = events_of(item)[-1]
    assert (last.action, last.actor_kind, last.details["attempts"]) == (Action.CLOSE_UNREACHABLE, SYSTEM, 3)


def test_a_reviewed_reply_without_a_phone_closes_without_a_callback(seeded, vault, staff, housing_item):
    item = housing_item(S.REPLIED, phone=None)
    casework.approve_reply(item, actor=staff["dispatcher"])
    db.session.commit()
    assert item.status == S.CLOSED and events_of(item)[-1].action == Action.CLOSE_WITHOUT_CALLBACK


def test_a_step_records_every_field_it_changed_and_personal_data_by_name_only(item_in, staff):
    item = item_in(S.DISPATCHED)
    casework.sign(item, actor=staff["officer"])
    db.session.commit()
    changed = events_of(item)[-1].details["changed"]
    assert changed["status"] == ["dispatched", "signed"]
    assert "assignee_id" in changed and "due_at" in changed
    anonymised = item_in(S.CLOSED)
    with transition(anonymised, Action.ANONYMISE, actor=SYSTEM):
        anonymised.phone_ciphertext = None
        anonymised.phone_masked = None
    db.session.commit()
    details = events_of(anonymised)[-1].details
    assert details["changed_private"] == ["phone_ciphertext", "phone_masked"]
    assert "138" not in str(details)


def test_an_urgency_change_on_dispatch_is_recorded(item_in, staff):
    item = item_in(S.NEEDS_TRIAGE)
    factories.dispatch(item, factories.department_named("市水务局"), actor=staff["dispatcher"], urgency="utilities")
    db.session.commit()
    assert events_of(item)[-1].details["changed"]["urgency"] == ["general", "utilities"]


def test_terminal_states_have_no_way_out_but_the_two_undoings():
    """Closed, rejected and merged items only collect records (notes, ratings, callbacks, adoption), except that a
    resident's online 不满意 reopens a closed item for a callback and a merge can be undone (issue 16.4, 16.10)."""
    ways_out = {
        (t.action, status) for status in TERMINAL_STATUSES for t in TRANSITIONS if status in t.sources and t.target
    }
    assert ways_out == {(Action.RESIDENT_DISSATISFIED, Status.CLOSED), (Action.UNMERGE, Status.MERGED)}


def test_a_refused_step_changes_nothing(item_in, staff):
    item = item_in(S.DISPATCHED)
    before = len(events_of(item))
    with pytest.raises(InvalidTransition, match="当前状态为「已派单」，不能执行「答复」"):
        casework.reply(item, "还没签收就直接答复市民的建议", actor=staff["officer"])
    with pytest.raises(NotPermitted, match="您的角色不能执行「签收」"):
        casework.sign(item, actor=staff["dispatcher"])
    with pytest.raises(ReasonRequired, match="「退单」需要填写原因"):
        casework.return_item(item, actor=staff["officer"], reason="  ")
    db.session.rollback()
    db.session.refresh(item)
    assert item.status == S.DISPATCHED and len(events_of(item)) == before
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) >= 1


def test_reasons_are_required_where_the_domain_doc_marks_them():
    for action in (Action.RETURN, Action.REJECT, Action.SEND_BACK, Action.MERGE, Action.NOT_ADOPT):
        rule = next(t for t in TRANSITIONS if t.action == action)
        with pytest.raises(WorkflowError):
            check_transition(action, next(iter(rule.sources)), next(iter(rule.actors)), reason="")


def test_every_status_and_role_has_a_chinese_label():
    assert all(status.label and not status.label.isascii() for status in Status)
    assert all(role.label and not role.label.isascii() for role in Role)
