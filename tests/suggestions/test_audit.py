"""The event log is append-only: nothing in the app, and nothing in SQL, can change history."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from suggestions.extensions import db
from suggestions.models import SuggestionEvent
from tests import factories


@pytest.fixture
def event(app, seeded):
    factories.submit(app.extensions["phone_vault"], category=factories.category_coded("交通运输"))
    return db.session.scalar(sa.select(SuggestionEvent).limit(1))


def test_orm_refuses_to_edit_an_event(event):
    event.reason = "rewritten history"
    with pytest.raises(PermissionError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_orm_refuses_to_delete_an_event(event):
    db.session.delete(event)
    with pytest.raises(PermissionError, match="append-only"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE suggestion_events SET reason = 'x'",
        "UPDATE suggestion_events SET actor_id = NULL",
        "DELETE FROM suggestion_events",
    ],
)
def test_database_refuses_update_and_delete(event, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(SuggestionEvent.id))) >= 2


def test_new_events_can_still_be_added(event, app):
    before = db.session.scalar(sa.select(sa.func.count(SuggestionEvent.id)))
    factories.submit(app.extensions["phone_vault"], category=None)
    assert db.session.scalar(sa.select(sa.func.count(SuggestionEvent.id))) == before + 2
