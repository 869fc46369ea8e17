"""A department's work: sign, return, assign, notes, interim and final replies, extensions."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from suggestions import casework, clock
from suggestions.extensions import db
from suggestions.models import ExtensionRequest, Note, Reply
from suggestions.workflow import Action, InvalidTransition, ReasonRequired, Status, WorkflowError
from tests import factories
from tests.suggestions.conftest import events_of


def test_sign_moves_the_clock_to_the_reply_and_assigns_the_signer(housing_item, staff):
    suggestion = housing_item()
    assert suggestion.due_at == suggestion.sign_due_at
    casework.sign(suggestion, actor=staff["officer"])
    assert suggestion.status == Status.SIGNED
    assert suggestion.assignee == staff["officer"]
    assert suggestion.due_at == min(suggestion.first_reply_due_at, suggestion.reply_due_at)


def test_late_sign_is_marked_in_the_event(housing_item, staff):
    suggestion = housing_item()
    casework.sign(suggestion, actor=staff["officer"], now=suggestion.sign_due_at + timedelta(hours=1))
    assert events_of(suggestion)[-1].details["late"] is True


def test_officer_of_another_department_cannot_act(housing_item, staff):
    suggestion = housing_item()
    stranger = factories.StaffUserFactory(role="officer", department=factories.department_named("市公安局"))
    with pytest.raises(WorkflowError, match="不属于您的部门"):
        casework.sign(suggestion, actor=stranger)


def test_bulk_sign_signs_what_it_can_and_reports_the_rest(housing_item, staff):
    items = [housing_item() for _ in range(3)]
    already = housing_item(Status.SIGNED)
    skipped = casework.bulk_sign([*items, already], actor=staff["officer"])
    assert skipped == [already]
    assert {s.status for s in items} == {Status.SIGNED}


def test_return_needs_a_reason_and_goes_back_to_the_campaign_office(housing_item, staff):
    suggestion = housing_item()
    with pytest.raises(ReasonRequired):
        casework.return_item(suggestion, actor=staff["officer"], reason="")
    casework.return_item(suggestion, actor=staff["officer"], reason="属于规划部门职责")
    assert suggestion.status == Status.RETURNED
    assert suggestion.return_count == 1
    # Back with the campaign office, whose clock runs now: manual dispatch within 1 working day (issue 16.8).
    assert suggestion.triage_due_at is not None and suggestion.due_at == suggestion.triage_due_at


def test_return_after_the_window_is_refused(housing_item, staff):
    suggestion = housing_item()
    with pytest.raises(WorkflowError, match="已超过退单时限"):
        casework.return_item(
            suggestion, actor=staff["officer"], reason="太晚了", now=suggestion.return_due_at + timedelta(minutes=1)
        )


def test_returned_item_is_not_in_the_department_any_more_after_redispatch(housing_item, staff):
    suggestion = housing_item(Status.SIGNED)
    casework.return_item(suggestion, actor=staff["officer"], reason="不属于本部门")
    water = factories.department_named("市水务局")
    factories.dispatch(suggestion, water, actor=staff["dispatcher"])
    assert suggestion.department == water and suggestion.assignee is None


def test_assign_to_a_colleague_in_the_same_department_only(housing_item, staff):
    suggestion = housing_item(Status.SIGNED)
    colleague = factories.StaffUserFactory(role="officer", department=staff["officer"].department)
    casework.assign([suggestion], colleague, actor=staff["officer"])
    assert suggestion.assignee == colleague
    assert events_of(suggestion)[-1].details["assignee"] == colleague.display_name
    assert events_of(suggestion)[-1].details["changed"]["assignee_id"] == [staff["officer"].id, colleague.id]
    outsider = factories.StaffUserFactory(role="officer", department=factories.department_named("市公安局"))
    with pytest.raises(WorkflowError, match="不是承办部门的工作人员"):
        casework.assign([suggestion], outsider, actor=staff["dispatcher"])


def test_notes_are_internal_and_recorded(housing_item, staff):
    suggestion = housing_item(Status.SIGNED)
    note = casework.add_note(suggestion, "已联系街道核实现场情况", actor=staff["officer"])
    assert db.session.get(Note, note.id).body == "已联系街道核实现场情况"
    assert events_of(suggestion)[-1].action == Action.NOTE
    assert db.session.scalar(sa.select(sa.func.count(Reply.id))) == 0


def test_interim_reply_meets_the_first_reply_limit(housing_item, staff):
    suggestion = housing_item(Status.SIGNED)
    assert suggestion.due_at == suggestion.first_reply_due_at
    casework.interim_reply(suggestion, "您的建议已收到，我委正在组织调研。", actor=staff["officer"])
    assert suggestion.first_replied_at is not None
    assert suggestion.due_at == suggestion.reply_due_at
    assert suggestion.status == Status.SIGNED


def test_reply_publishes_the_answer_and_starts_the_review_clock(housing_item, staff):
    suggestion = housing_item(Status.IN_PROGRESS)
    reply = casework.reply(suggestion, "经研究，已纳入明年计划。", actor=staff["officer"])
    assert reply.is_final and reply.department_id == suggestion.department_id
    assert suggestion.status == Status.REPLIED and suggestion.replied_at
    assert suggestion.review_due_at is not None and suggestion.due_at == suggestion.review_due_at


def test_reply_from_dispatched_is_illegal_and_changes_nothing(housing_item, staff):
    suggestion = housing_item()
    before = len(events_of(suggestion))
    with pytest.raises(InvalidTransition, match="当前状态为「已派单」"):
        casework.reply(suggestion, "直接答复", actor=staff["officer"])
    db.session.rollback()
    assert suggestion.status == Status.DISPATCHED
    assert len(events_of(suggestion)) == before
    assert db.session.scalar(sa.select(sa.func.count(Reply.id))) == 0


class TestExtensions:
    def test_approved_extension_moves_the_reply_due_date(self, housing_item, staff):
        suggestion = housing_item(Status.IN_PROGRESS)
        old_due = suggestion.reply_due_at
        casework.request_extension(suggestion, 5, actor=staff["officer"], reason="需要多部门会商")
        assert suggestion.status == Status.EXTENSION_PENDING
        request = casework.decide_extension(suggestion, approve=True, actor=staff["dispatcher"])
        assert suggestion.status == Status.IN_PROGRESS
        assert suggestion.reply_due_at > old_due and request.new_due_at == suggestion.reply_due_at
        assert request.previous_due_at == old_due and request.approved
        assert clock.local(suggestion.reply_due_at).date() > clock.local(old_due).date()

    def test_denied_extension_keeps_the_due_date(self, housing_item, staff):
        suggestion = housing_item(Status.IN_PROGRESS)
        old_due = suggestion.reply_due_at
        casework.request_extension(suggestion, 5, actor=staff["officer"], reason="需要多部门会商")
        with pytest.raises(ReasonRequired):
            casework.decide_extension(suggestion, approve=False, actor=staff["dispatcher"], reason="")
        casework.decide_extension(suggestion, approve=False, actor=staff["dispatcher"], reason="理由不充分")
        assert suggestion.reply_due_at == old_due and suggestion.status == Status.IN_PROGRESS

    def test_rules(self, housing_item, staff):
        suggestion = housing_item(Status.IN_PROGRESS)
        with pytest.raises(WorkflowError, match="1–15"):
            casework.request_extension(suggestion, 30, actor=staff["officer"], reason="x")
        with pytest.raises(WorkflowError, match="届满前"):
            casework.request_extension(
                suggestion, 5, actor=staff["officer"], reason="x", now=suggestion.reply_due_at + timedelta(seconds=1)
            )
        casework.request_extension(suggestion, 5, actor=staff["officer"], reason="需要会商")
        casework.decide_extension(suggestion, approve=True, actor=staff["dispatcher"])
        with pytest.raises(WorkflowError, match="最多申请延期 1 次"):
            casework.request_extension(suggestion, 5, actor=staff["officer"], reason="再延一次")
        assert db.session.scalar(sa.select(sa.func.count(ExtensionRequest.id))) == 1

    def test_officer_cannot_approve_their_own_extension(self, housing_item, staff):
        suggestion = housing_item(Status.IN_PROGRESS)
        casework.request_extension(suggestion, 5, actor=staff["officer"], reason="需要会商")
        with pytest.raises(InvalidTransition):
            casework.decide_extension(suggestion, approve=True, actor=staff["officer"])
