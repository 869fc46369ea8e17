"""Intake: one service for every channel: recording, encrypting, SUBMIT, routing at once, idempotency."""

import pytest
import sqlalchemy as sa

from suggestions import intake, routing
from suggestions.extensions import db
from suggestions.models import RouteCorrection, Suggestion
from suggestions.routing.decision import RouteDecision
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
    assert intake.verify_access(vault, receipt.suggestion.access_hash, receipt.secret)
    assert not intake.verify_access(vault, receipt.suggestion.access_hash, "AAAA-BBBB")


def test_the_full_phone_number_opens_tracking_not_the_last_four_staff_see(seeded, vault):
    receipt = factories.submit(vault, phone="13812345678")
    assert receipt.secret is None
    assert intake.verify_access(vault, receipt.suggestion.access_hash, "138-1234-5678")
    assert not intake.verify_access(vault, receipt.suggestion.access_hash, "5678")
    assert not intake.verify_access(vault, receipt.suggestion.access_hash, "13812345679")


def test_tracking_codes_are_random_with_a_check_digit(seeded, vault):
    codes = [factories.submit(vault).suggestion.tracking_code for _ in range(3)]
    year = factories.submit(vault).suggestion.received_at.year
    assert len(set(codes)) == 3
    for code in codes:
        assert code.startswith(f"JDZ-{year}-") and intake.parse_tracking_code(code) == code
    typo = codes[0][:-1] + str((int(codes[0][-1]) + 1) % 10)
    assert intake.parse_tracking_code(typo) is None
    assert intake.parse_tracking_code(codes[0].lower().replace("-", " ")) == codes[0]


def test_a_taken_tracking_code_is_drawn_again(seeded, vault, monkeypatch):
    from suggestions.intake import submission

    taken = factories.submit(vault).suggestion.tracking_code
    fresh = iter([taken, "JDZ-2026-11111-11113"])
    monkeypatch.setattr(submission, "new_tracking_code", lambda year: next(fresh))
    receipt = factories.submit(vault, body="另一条建议：在路口增设红绿灯。")
    assert receipt.suggestion.tracking_code == "JDZ-2026-11111-11113"
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 2


def test_same_idempotency_key_returns_the_first_suggestion(seeded, vault):
    first = factories.submit(vault, idempotency_key="a" * 32)
    again = factories.submit(vault, idempotency_key="a" * 32)
    assert again.replayed and again.suggestion.id == first.suggestion.id
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 1
    assert [e.action for e in events_of(first.suggestion)] == [Action.SUBMIT, Action.FLAG_FOR_TRIAGE]  # no replay event


def test_the_same_key_on_another_channel_is_another_suggestion(seeded, vault):
    web = factories.submit(vault, idempotency_key="partner-17")
    qr = factories.submit(vault, idempotency_key="partner-17", channel=Channel.QR)
    assert not qr.replayed and qr.suggestion.id != web.suggestion.id


def test_a_race_on_the_same_key_is_settled_by_the_database(seeded, vault, monkeypatch):
    """Two workers pass the look-up at once; the unique key stops the second, which answers with the first."""
    from suggestions.intake import submission

    first = factories.submit(vault, idempotency_key="d" * 32)
    real = submission.find_existing
    calls = []

    def looked_up_too_early(channel, key):
        calls.append(key)
        return None if len(calls) == 1 else real(channel, key)  # the first look-up ran before the commit

    monkeypatch.setattr(submission, "find_existing", looked_up_too_early)
    again = factories.submit(vault, idempotency_key="d" * 32)
    assert again.replayed and again.suggestion.id == first.suggestion.id
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 1


def test_operator_override_routes_at_intake_and_records_the_operator(seeded, vault, staff):
    operator = staff["operator"]
    water = factories.department_named("市水务局")
    receipt = intake.submit(
        intake.Intake(body="自来水管道漏水好几天了，希望尽快维修。", phone="13900001111"),
        channel=Channel.HOTLINE,
        vault=vault,
        actor=operator,
        decision=factories.decision_for(factories.category_coded("城乡建设"), 0.95).chose(water),
    )
    db.session.commit()
    suggestion = receipt.suggestion
    assert suggestion.channel == Channel.HOTLINE
    assert suggestion.department == water
    assert suggestion.operator_id == operator.id
    last = events_of(suggestion)[-1]
    assert (last.action, last.actor_id) == (Action.ROUTE_AT_INTAKE, operator.id)
    assert suggestion.predicted_department.name == "市住房和城乡建设委员会"  # the model's proposal is kept
    [correction] = db.session.scalars(sa.select(RouteCorrection)).all()
    assert correction.corrected_department == water


def test_a_call_without_an_override_is_routed_as_the_model_decided(seeded, vault, staff):
    receipt = intake.submit(
        intake.Intake(body="自来水管道漏水好几天了，希望尽快维修。", phone="13900001111"),
        channel=Channel.HOTLINE,
        vault=vault,
        actor=staff["operator"],
        decision=factories.decision_for(factories.category_coded("城乡建设"), 0.95),
    )
    last = events_of(receipt.suggestion)[-1]
    assert (last.action, last.actor_kind) == (Action.AUTO_DISPATCH, "system")


def test_operator_can_send_a_call_to_manual_dispatch(seeded, vault, staff):
    receipt = intake.submit(
        intake.Intake(body="这条来电内容需要民心办研究后再分派。", phone="13900001111"),
        channel=Channel.HOTLINE,
        decision=factories.decision_for(factories.category_coded("城乡建设"), 0.95).chose(None),
        vault=vault,
        actor=staff["operator"],
    )
    assert receipt.suggestion.status == Status.NEEDS_TRIAGE


def test_empty_body_is_refused_by_the_service_too(seeded, vault):
    with pytest.raises(WorkflowError):
        intake.submit(intake.Intake(body="   "), channel=Channel.WEB, decision=RouteDecision(), vault=vault)


def test_characters_no_database_can_hold_are_dropped_not_fatal(seeded, vault):
    receipt = intake.submit(
        intake.Intake(title="标题\x00", body="建议\x00在路口\x07增设红绿灯。", contact_name="\x00张"),
        channel=Channel.WEB,
        decision=RouteDecision(),
        vault=vault,
    )
    db.session.commit()
    stored = db.session.get(Suggestion, receipt.suggestion.id)
    assert (stored.title, stored.body, stored.contact_name) == ("标题", "建议在路口增设红绿灯。", "张")


def test_body_of_control_characters_only_is_refused(seeded, vault):
    with pytest.raises(WorkflowError):
        intake.submit(intake.Intake(body="\x00\x01 \x02"), channel=Channel.WEB, decision=RouteDecision(), vault=vault)


def test_without_a_decision_the_suggestion_waits_as_accepted_until_routed(seeded, vault):
    suggestion = factories.submit(vault, routed=False).suggestion
    assert suggestion.status == Status.ACCEPTED
    assert suggestion.department is None and suggestion.predicted_category is None
    routing.route(suggestion, factories.decision_for(factories.category_coded("交通运输"), 0.91))
    db.session.commit()
    assert suggestion.status == Status.DISPATCHED and suggestion.due_at is not None
    assert [e.action for e in events_of(suggestion)] == [Action.SUBMIT, Action.AUTO_DISPATCH]


def test_a_failing_model_never_costs_the_submission(app, seeded, vault, monkeypatch):
    holder = app.extensions["classifier"]

    def broken():
        raise RuntimeError("model crashed")

    monkeypatch.setattr(holder, "get", broken)
    decision = routing.route_text("路灯坏了", "小区门口路灯坏了一个月，晚上出行不便，请尽快维修。", None)
    suggestion = intake.submit(
        intake.Intake(body="小区门口路灯坏了一个月，晚上出行不便，请尽快维修。"),
        channel=Channel.WEB,
        vault=vault,
        decision=decision,
    ).suggestion
    db.session.commit()
    assert suggestion.status == Status.NEEDS_TRIAGE
    assert events_of(suggestion)[-1].reason == "自动分拨未能完成，转人工分拨。"
