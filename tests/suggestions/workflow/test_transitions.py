"""Every legal and illegal transition, parametrised from the single table."""

import pytest

from suggestions.workflow import (
    RESIDENT,
    SYSTEM,
    TERMINAL_STATUSES,
    TRANSITIONS,
    Action,
    InvalidTransition,
    ReasonRequired,
    Role,
    Status,
    available_actions,
    check_transition,
)

ACTOR_KINDS = [role.value for role in Role] + [SYSTEM, RESIDENT]
LEGAL = [(t.action, source, actor) for t in TRANSITIONS for source in t.sources for actor in t.actors]
ILLEGAL_SOURCES = [(t.action, source) for t in TRANSITIONS for source in [None, *Status] if source not in t.sources]


@pytest.mark.parametrize(("action", "source", "actor"), LEGAL)
def test_legal_transition_is_allowed(action, source, actor):
    rule = check_transition(action, source, actor, reason="测试原因")
    assert rule.action == action


@pytest.mark.parametrize(("action", "source"), ILLEGAL_SOURCES)
def test_transition_from_wrong_state_is_refused_in_chinese(action, source):
    rule = next(t for t in TRANSITIONS if t.action == action)
    actor = next(iter(rule.actors))
    with pytest.raises(InvalidTransition, match="不能执行"):
        check_transition(action, source, actor, reason="测试原因")


@pytest.mark.parametrize(
    ("action", "source", "actor"),
    [(t.action, next(iter(t.sources)), kind) for t in TRANSITIONS for kind in ACTOR_KINDS if kind not in t.actors],
)
def test_transition_by_wrong_role_is_refused(action, source, actor):
    with pytest.raises(InvalidTransition, match="角色"):
        check_transition(action, source, actor, reason="测试原因")


@pytest.mark.parametrize("rule", [t for t in TRANSITIONS if t.reason_required], ids=lambda t: t.action)
@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_required_where_marked(rule, reason):
    with pytest.raises(ReasonRequired, match="需要填写原因"):
        check_transition(rule.action, next(iter(rule.sources)), next(iter(rule.actors)), reason=reason)


def test_reasons_are_required_for_the_domain_doc_markers():
    needs_reason = {t.action for t in TRANSITIONS if t.reason_required}
    assert {
        Action.RETURN,
        Action.REJECT,
        Action.REQUEST_EXTENSION,
        Action.SEND_BACK,
        Action.MERGE,
        Action.NOT_ADOPT,
        Action.REVEAL_CONTACT,
        Action.CALLBACK_DISSATISFIED,
    } <= needs_reason


def test_terminal_states_have_no_way_out_but_the_two_undoings():
    """Closed, rejected and merged items only collect records (notes, ratings, callbacks), except that a resident's
    online 不满意 reopens a closed item for a callback and a merge can be undone (issue 16.4 and 16.10)."""
    ways_out = {
        (t.action, status) for status in TERMINAL_STATUSES for t in TRANSITIONS if status in t.sources and t.target
    }
    assert ways_out == {(Action.RESIDENT_DISSATISFIED, Status.CLOSED), (Action.UNMERGE, Status.MERGED)}


def test_recorded_actions_keep_the_state():
    recorded = {t.action for t in TRANSITIONS if t.target is None}
    assert {Action.NOTE, Action.RATE, Action.REVEAL_CONTACT, Action.ASSIGN, Action.INTERIM_REPLY} <= recorded
    assert {Action.SIGN, Action.REPLY, Action.MERGE}.isdisjoint(recorded)


def test_available_actions_for_an_officer_on_a_dispatched_item():
    actions = {t.action for t in available_actions(Status.DISPATCHED, Role.OFFICER)}
    assert actions == {
        Action.SIGN,
        Action.RETURN,
        Action.ASSIGN,
        Action.NOTE,
        Action.CORRECT_ROUTE,
        Action.REVEAL_CONTACT,
    }


def test_every_status_has_a_chinese_label():
    assert all(status.label and not status.label.isascii() for status in Status)
