"""Invariants the database itself guards."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from suggestions.extensions import db
from suggestions.intake.tracking import new_tracking_code
from suggestions.models import StaffUser, Suggestion
from suggestions.workflow import Channel, Status
from tests import factories


def bare_suggestion(**overrides) -> Suggestion:
    values = dict(
        tracking_code=new_tracking_code(2026),
        code_year=2026,
        channel=Channel.WEB,
        status=Status.ACCEPTED,
        body="建议内容足够长了吧",
        access_hash="salt$hash",
        received_at=datetime.now(UTC),
    )
    values.update(overrides)
    return Suggestion(**values)


def test_a_dispatched_suggestion_needs_a_department(seeded):
    db.session.add(bare_suggestion(status=Status.DISPATCHED))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_hotline_caller_may_withhold_the_number_but_then_no_number_is_stored(seeded):
    """Issue 16.9: 12345 takes calls from callers who give no number; the flag must not contradict the data."""
    db.session.add(bare_suggestion(channel=Channel.HOTLINE, phone_withheld=True))
    db.session.flush()
    db.session.add(bare_suggestion(channel=Channel.HOTLINE, phone_withheld=True, phone_ciphertext="token"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_officer_needs_a_department(seeded):
    db.session.add(StaffUser(username="o", display_name="o", password_hash="x", role="officer"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_unknown_status_is_refused_before_it_reaches_the_database(seeded):
    db.session.add(bare_suggestion(status="lost"))
    with pytest.raises(StatementError):
        db.session.flush()
    db.session.rollback()


def test_unknown_status_is_refused_by_the_database_too(seeded):
    db.session.add(bare_suggestion())
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text("UPDATE suggestions SET status = 'lost'"))
        db.session.flush()
    db.session.rollback()


def test_times_come_back_timezone_aware_in_utc(seeded):
    beijing = timezone(timedelta(hours=8))
    suggestion = bare_suggestion(received_at=datetime(2026, 10, 1, 9, 0, tzinfo=beijing))
    db.session.add(suggestion)
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(Suggestion, suggestion.id)
    assert loaded.received_at == datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
    assert loaded.received_at.tzinfo is not None


def test_naive_times_are_refused(seeded):
    db.session.add(bare_suggestion(received_at=datetime(2026, 10, 1, 9, 0)))
    with pytest.raises(StatementError):
        db.session.flush()
    db.session.rollback()


def test_reprs_name_id_and_state(seeded):
    suggestion = bare_suggestion()
    db.session.add(suggestion)
    db.session.flush()
    assert repr(suggestion) == f"<Suggestion {suggestion.id} accepted>"
    assert "交通运输" in repr(factories.category_coded("交通运输"))
