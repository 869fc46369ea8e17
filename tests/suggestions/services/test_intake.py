"""Intake: recording, encrypting, routing at once, idempotency."""

import pytest
import sqlalchemy as sa

from suggestions import services
from suggestions.extensions import db
from suggestions.models import Suggestion
from suggestions.routing import RouteDecision
from suggestions.workflow import Action, Channel, Status, WorkflowError
from tests import factories
from tests.suggestions.conftest import events_of


def test_confident_prediction_dispatches_to_the_category_department(seeded, vault):
    transport = factories.category_coded("交通运输")
    receipt = factories.submit(vault, category=transport, confidence=0.91)
    suggestion = receipt.suggestion
    assert suggestion.status == Status.DISPATCHED
    assert suggestion.department.name == "市交通运输委员会"
    assert suggestion.category == transport
    assert suggestion.predicted_category == "交通运输"
    assert suggestion.prediction_confidence == 0.91
    assert suggestion.model_version == "test-model"
    assert [(e.action, e.from_status, e.to_status) for e in events_of(suggestion)] == [
        (Action.SUBMIT, None, Status.ACCEPTED),
        (Action.AUTO_DISPATCH, Status.ACCEPTED, Status.DISPATCHED),
    ]
    dispatched = events_of(suggestion)[1]
    assert dispatched.actor_kind == "system"
    assert dispatched.to_department.name == "市交通运输委员会"
    assert dispatched.details["confidence"] == 0.91


def test_unsure_prediction_goes_to_manual_dispatch_with_candidates(seeded, vault):
    receipt = factories.submit(vault, category=factories.category_coded("交通运输"), confidence=0.3)
    suggestion = receipt.suggestion
    assert suggestion.status == Status.NEEDS_TRIAGE
    assert suggestion.department is None
    assert suggestion.prediction_candidates == [["交通运输", 0.3]]
    flagged = events_of(suggestion)[-1]
    assert flagged.action == Action.FLAG_FOR_TRIAGE
    assert "置信度低于阈值" in flagged.reason


def test_without_a_model_everything_is_accepted_and_goes_to_manual_dispatch(seeded, vault):
    receipt = factories.submit(vault, category=None)
    assert receipt.suggestion.status == Status.NEEDS_TRIAGE
    assert receipt.suggestion.predicted_category is None
    assert "模型不可用" in events_of(receipt.suggestion)[-1].reason


def test_category_without_department_goes_to_manual_dispatch(seeded, vault):
    category = factories.CategoryFactory(department=None)
    receipt = factories.submit(vault, category=category, confidence=0.99)
    assert receipt.suggestion.status == Status.NEEDS_TRIAGE
    assert "尚未配置承办部门" in events_of(receipt.suggestion)[-1].reason


def test_phone_is_encrypted_hashed_and_masked(seeded, vault):
    suggestion = factories.submit(vault, phone="13812345678").suggestion
    assert "13812345678" not in (suggestion.phone_ciphertext or "")
    assert vault.decrypt(suggestion.phone_ciphertext) == "13812345678"
    assert suggestion.phone_masked == "138****5678"
    assert suggestion.phone_hash == vault.phone_hash("13812345678")


def test_anonymous_resident_gets_a_one_time_secret_that_opens_tracking(seeded, vault):
    receipt = factories.submit(vault, phone=None)
    assert receipt.secret and len(receipt.secret) == 9
    assert receipt.secret not in receipt.suggestion.access_hash
    assert services.verify_access(vault, receipt.suggestion.access_hash, receipt.secret)
    assert not services.verify_access(vault, receipt.suggestion.access_hash, "AAAA-BBBB")


def test_phone_last_four_opens_tracking(seeded, vault):
    receipt = factories.submit(vault, phone="13812345678")
    assert receipt.secret is None
    assert services.verify_access(vault, receipt.suggestion.access_hash, "5678")
    assert not services.verify_access(vault, receipt.suggestion.access_hash, "1234")


def test_tracking_code_has_year_and_padded_id(seeded, vault):
    suggestion = factories.submit(vault).suggestion
    assert suggestion.tracking_code == f"JDZ-{suggestion.received_at.year}-{suggestion.id:06d}"


def test_same_idempotency_key_returns_the_first_suggestion(seeded, vault):
    first = factories.submit(vault, idempotency_key="a" * 32)
    again = factories.submit(vault, idempotency_key="a" * 32)
    assert again.replayed and again.suggestion.id == first.suggestion.id
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 1


def test_operator_override_routes_at_intake_and_records_the_operator(seeded, vault, staff):
    operator = staff["operator"]
    water = factories.department_named("市水务局")
    receipt = services.submit_suggestion(
        services.Intake(body="自来水管道漏水好几天了，希望尽快维修。", phone="13900001111"),
        channel=Channel.HOTLINE,
        decision=factories.decision_for(factories.category_coded("城乡建设"), 0.95),
        vault=vault,
        actor=operator,
        manual_route=services.ManualRoute(department=water),
    )
    db.session.commit()
    suggestion = receipt.suggestion
    assert suggestion.channel == Channel.HOTLINE
    assert suggestion.department == water
    assert suggestion.operator_id == operator.id
    last = events_of(suggestion)[-1]
    assert (last.action, last.actor_id) == (Action.ROUTE_AT_INTAKE, operator.id)


def test_operator_can_send_a_call_to_manual_dispatch(seeded, vault, staff):
    receipt = services.submit_suggestion(
        services.Intake(body="这条来电内容需要民心办研究后再分派。", phone="13900001111"),
        channel=Channel.HOTLINE,
        decision=factories.decision_for(factories.category_coded("城乡建设"), 0.95),
        vault=vault,
        actor=staff["operator"],
        manual_route=services.ManualRoute(department=None),
    )
    assert receipt.suggestion.status == Status.NEEDS_TRIAGE


def test_empty_body_is_refused_by_the_service_too(seeded, vault):
    with pytest.raises(WorkflowError):
        services.submit_suggestion(
            services.Intake(body="   "), channel=Channel.WEB, decision=RouteDecision(), vault=vault
        )


def test_characters_no_database_can_hold_are_dropped_not_fatal(seeded, vault):
    receipt = services.submit_suggestion(
        services.Intake(title="标题\x00", body="建议\x00在路口\x07增设红绿灯。", contact_name="\x00张"),
        channel=Channel.WEB,
        decision=RouteDecision(),
        vault=vault,
    )
    db.session.commit()
    stored = db.session.get(Suggestion, receipt.suggestion.id)
    assert (stored.title, stored.body, stored.contact_name) == ("标题", "建议在路口增设红绿灯。", "张")


def test_body_of_control_characters_only_is_refused(seeded, vault):
    with pytest.raises(WorkflowError):
        services.submit_suggestion(
            services.Intake(body="\x00\x01 \x02"), channel=Channel.WEB, decision=RouteDecision(), vault=vault
        )


class TestRecordedThenRouted:
    """The public form records without a decision; the background router routes with route_accepted."""

    def test_without_a_decision_the_suggestion_waits_as_accepted(self, seeded, vault):
        suggestion = factories.submit(vault, routed=False).suggestion
        assert suggestion.status == Status.ACCEPTED
        assert suggestion.department is None and suggestion.predicted_category is None
        assert [e.action for e in events_of(suggestion)] == [Action.SUBMIT]

    def test_route_accepted_dispatches_like_routing_at_intake(self, seeded, vault):
        suggestion = factories.submit(vault, routed=False).suggestion
        transport = factories.category_coded("交通运输")
        services.route_accepted(suggestion, factories.decision_for(transport, 0.91))
        db.session.commit()
        assert suggestion.status == Status.DISPATCHED
        assert suggestion.department.name == "市交通运输委员会"
        assert suggestion.predicted_category == "交通运输" and suggestion.due_at is not None
        assert [e.action for e in events_of(suggestion)] == [Action.SUBMIT, Action.AUTO_DISPATCH]

    def test_route_accepted_refuses_an_item_that_was_already_routed(self, seeded, vault):
        suggestion = factories.submit(vault, category=factories.category_coded("交通运输")).suggestion
        with pytest.raises(WorkflowError, match="已分拨"):
            services.route_accepted(suggestion, factories.decision_for(factories.category_coded("教育")))
        assert suggestion.department.name == "市交通运输委员会"

    def test_unroutable_items_go_to_manual_dispatch_with_a_reason(self, seeded, vault):
        suggestion = factories.submit(vault, routed=False).suggestion
        services.flag_unroutable(suggestion)
        db.session.commit()
        assert suggestion.status == Status.NEEDS_TRIAGE
        assert events_of(suggestion)[-1].reason == "自动分拨未能完成，转人工分拨"

    def test_a_recorded_suggestion_reads_back_as_stored_without_a_query(self, seeded, vault):
        """Recording writes plain INSERTs; the object it hands back must agree with the row, defaults included."""
        statements = []
        receipt = services.submit_suggestion(
            services.Intake(
                body="建议在小区门口增设公交站点。", title="公交站点", phone=None, idempotency_key="b" * 32
            ),
            channel=Channel.QR,
            decision=None,
            vault=vault,
        )

        def record(_connection, _cursor, statement, *_args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            suggestion = receipt.suggestion
            shown = (suggestion.tracking_code, suggestion.status, suggestion.phone_masked, suggestion.department)
            defaults = (suggestion.return_count, suggestion.urgency, suggestion.confidential, suggestion.designated)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        assert statements == []
        db.session.commit()
        db.session.expire_all()
        stored = db.session.get(Suggestion, receipt.suggestion.id)
        assert (stored.tracking_code, stored.status, stored.phone_masked, stored.department) == shown
        assert (stored.return_count, stored.urgency, stored.confidential, stored.designated) == defaults
        assert (stored.channel, stored.title, stored.idempotency_key) == (Channel.QR, "公交站点", "b" * 32)
        [submitted] = events_of(stored)
        assert (submitted.action, submitted.to_status, submitted.details) == (
            Action.SUBMIT,
            Status.ACCEPTED,
            {"channel": "qr"},
        )

    def test_a_repeated_key_on_the_recording_path_returns_the_first(self, seeded, vault):
        first = factories.submit(vault, routed=False, idempotency_key="c" * 32)
        again = factories.submit(vault, routed=False, idempotency_key="c" * 32)
        assert again.replayed and again.suggestion.id == first.suggestion.id
        assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 1
        assert [e.action for e in events_of(first.suggestion)] == [Action.SUBMIT]  # the replay wrote nothing
