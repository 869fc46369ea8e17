"""Review, callbacks (including merged items), resident ratings, adoption and contact reveals."""

import pytest

from suggestions import casework
from suggestions.privacy import disclosure
from suggestions.workflow import (
    Action,
    InvalidTransition,
    ReasonRequired,
    Satisfaction,
    Status,
    WorkflowError,
)
from tests import factories
from tests.suggestions.conftest import events_of


def test_approved_reply_waits_for_a_callback_with_a_due_date(housing_item, staff):
    suggestion = housing_item(Status.REPLIED)
    casework.approve_reply(suggestion, actor=staff["dispatcher"])
    assert suggestion.status == Status.CALLBACK_PENDING
    assert suggestion.callback_due_at and suggestion.due_at == suggestion.callback_due_at


def test_without_a_phone_an_approved_reply_closes_the_item(housing_item, staff):
    suggestion = housing_item(Status.REPLIED, phone=None)
    casework.approve_reply(suggestion, actor=staff["dispatcher"])
    assert suggestion.status == Status.CLOSED and suggestion.closed_at
    assert events_of(suggestion)[-1].action == Action.CLOSE_WITHOUT_CALLBACK


def test_send_back_needs_a_reason_and_reopens_the_work(housing_item, staff):
    suggestion = housing_item(Status.REPLIED)
    with pytest.raises(ReasonRequired):
        casework.send_back(suggestion, actor=staff["dispatcher"], reason="")
    casework.send_back(suggestion, actor=staff["dispatcher"], reason="答复未回应市民提出的具体问题")
    assert suggestion.status == Status.IN_PROGRESS


class TestCallbacks:
    @pytest.mark.parametrize("outcome", ["satisfied", "basically_satisfied"])
    def test_satisfied_closes(self, housing_item, staff, outcome):
        suggestion = housing_item(Status.CALLBACK_PENDING)
        casework.record_callback(suggestion, outcome, actor=staff["operator"])
        assert suggestion.status == Status.CLOSED
        assert suggestion.callback_result == outcome and suggestion.closed_at

    def test_dissatisfied_reopens_as_redo_with_a_new_reply_clock(self, housing_item, staff):
        suggestion = housing_item(Status.CALLBACK_PENDING)
        with pytest.raises(ReasonRequired):
            casework.record_callback(suggestion, "dissatisfied", actor=staff["operator"])
        casework.record_callback(suggestion, "dissatisfied", actor=staff["operator"], note="电梯仍未安装")
        assert suggestion.status == Status.REDO
        assert suggestion.due_at == suggestion.reply_due_at and suggestion.replied_at is None
        casework.start(suggestion, actor=staff["officer"])
        casework.reply(suggestion, "已协调加装电梯，预计下月开工。", actor=staff["officer"])
        assert suggestion.status == Status.REPLIED

    def test_three_unreachable_attempts_close_the_item(self, housing_item, staff):
        suggestion = housing_item(Status.CALLBACK_PENDING)
        for attempt in (1, 2):
            casework.record_callback(suggestion, "unreachable", actor=staff["operator"])
            assert suggestion.status == Status.CALLBACK_PENDING and suggestion.callback_attempts == attempt
        casework.record_callback(suggestion, "unreachable", actor=staff["operator"])
        assert suggestion.status == Status.CLOSED
        assert suggestion.callback_result == Satisfaction.UNREACHABLE
        assert [e.action for e in events_of(suggestion)[-2:]] == [Action.CALLBACK_UNREACHABLE, Action.CLOSE_UNREACHABLE]

    def test_officer_cannot_record_a_callback(self, housing_item, staff):
        with pytest.raises(InvalidTransition):
            casework.record_callback(housing_item(Status.CALLBACK_PENDING), "satisfied", actor=staff["officer"])

    def test_merged_item_gets_its_own_callback_once_the_master_is_answered(self, seeded, vault, staff, housing_item):
        master = housing_item(Status.SIGNED)
        child = factories.submit(vault, category=factories.category_coded("城乡建设"), phone="13700001111").suggestion
        casework.merge(child, master, actor=staff["dispatcher"], reason="同一诉求")
        with pytest.raises(WorkflowError, match="主件尚未答复"):
            casework.record_callback(child, "satisfied", actor=staff["operator"])
        casework.reply(master, "已安排维修。", actor=staff["officer"])
        casework.approve_reply(master, actor=staff["dispatcher"])
        casework.record_callback(child, "basically_satisfied", actor=staff["operator"])
        assert child.status == Status.MERGED and child.callback_result == Satisfaction.BASICALLY_SATISFIED
        assert master.status == Status.CALLBACK_PENDING  # the master's own callback is separate
        with pytest.raises(WorkflowError, match="已完成回访"):
            casework.record_callback(child, "satisfied", actor=staff["operator"])


class TestResidentRating:
    def test_rating_after_the_reply(self, housing_item):
        suggestion = housing_item(Status.REPLIED)
        casework.rate(suggestion, "satisfied", comment="答复很及时")
        assert suggestion.resident_rating == Satisfaction.SATISFIED
        assert suggestion.resident_comment == "答复很及时"
        assert events_of(suggestion)[-1].actor_kind == "resident"
        with pytest.raises(WorkflowError, match="已评价过"):
            casework.rate(suggestion, "dissatisfied")

    def test_no_rating_before_the_reply(self, housing_item):
        with pytest.raises(WorkflowError, match="答复后才能评价"):
            casework.rate(housing_item(Status.SIGNED), "satisfied")

    def test_merged_resident_rates_the_masters_reply(self, seeded, vault, staff, housing_item):
        master = housing_item(Status.IN_PROGRESS)
        child = factories.submit(vault, category=factories.category_coded("城乡建设"), phone=None).suggestion
        casework.merge(child, master, actor=staff["dispatcher"], reason="同一诉求")
        with pytest.raises(WorkflowError):
            casework.rate(child, "satisfied")
        casework.reply(master, "已解决。", actor=staff["officer"])
        casework.rate(child, "satisfied")
        assert child.resident_rating == Satisfaction.SATISFIED


class TestOnlineDissatisfaction:
    """Issue 16.4: an online 不满意 takes the hotline's callback/redo path."""

    def test_a_closed_item_reopens_for_a_callback_that_can_send_it_to_redo(self, housing_item, staff):
        suggestion = housing_item(Status.CLOSED)
        casework.rate(suggestion, "dissatisfied", comment="电梯至今没有动工")
        assert suggestion.status == Status.CALLBACK_PENDING
        assert suggestion.closed_at is None and suggestion.callback_result is None
        assert suggestion.callback_due_at and suggestion.due_at == suggestion.callback_due_at
        event = events_of(suggestion)[-1]
        assert event.action == Action.RESIDENT_DISSATISFIED and event.actor_kind == "resident"
        assert (event.from_status, event.to_status) == (Status.CLOSED, Status.CALLBACK_PENDING)
        assert event.reason == "电梯至今没有动工"
        casework.record_callback(suggestion, "dissatisfied", actor=staff["operator"], note="市民要求尽快开工")
        assert suggestion.status == Status.REDO

    def test_while_waiting_for_review_the_rating_brings_a_callback_even_without_a_phone(self, housing_item, staff):
        suggestion = housing_item(Status.REPLIED, phone=None)
        casework.rate(suggestion, "dissatisfied", comment="答复没有说明时间")
        assert suggestion.status == Status.REPLIED
        casework.approve_reply(suggestion, actor=staff["dispatcher"])
        assert suggestion.status == Status.CALLBACK_PENDING

    def test_a_satisfied_rating_changes_no_state(self, housing_item):
        suggestion = housing_item(Status.CLOSED)
        casework.rate(suggestion, "satisfied")
        assert suggestion.status == Status.CLOSED and events_of(suggestion)[-1].action == Action.RATE


class TestReveal:
    def test_reveal_returns_the_number_and_records_who_and_why(self, housing_item, staff, vault):
        suggestion = housing_item()
        phone = disclosure.reveal_phone(suggestion, actor=staff["operator"], reason="回访需要拨打电话", vault=vault)
        assert phone == "13812345678"
        event = events_of(suggestion)[-1]
        assert (event.action, event.actor_id, event.reason) == (
            Action.REVEAL_CONTACT,
            staff["operator"].id,
            "回访需要拨打电话",
        )

    def test_reveal_needs_a_reason(self, housing_item, staff, vault):
        with pytest.raises(ReasonRequired):
            disclosure.reveal_phone(housing_item(), actor=staff["operator"], reason=" ", vault=vault)
