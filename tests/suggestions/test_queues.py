"""Read-side queries: queues, next item, tracking codes."""

from datetime import timedelta

import pytest

from suggestions import clock, queues
from suggestions.extensions import db
from tests import factories


@pytest.fixture
def vault(app):
    return app.extensions["phone_vault"]


def test_department_queue_is_oldest_first_and_only_open_items(seeded, vault):
    transport = factories.category_coded("交通运输")
    now = clock.now()
    newer = factories.submit(vault, category=transport, received_at=now - timedelta(hours=1)).suggestion
    older = factories.submit(vault, category=transport, received_at=now - timedelta(days=2)).suggestion
    factories.submit(vault, category=factories.category_coded("卫生计生"))
    items = db.session.scalars(queues.department_queue(transport.department_id)).all()
    assert items == [older, newer]


def test_triage_queue_and_next_in_queue(seeded, vault):
    now = clock.now()
    first = factories.submit(vault, category=None, received_at=now - timedelta(days=3)).suggestion
    second = factories.submit(vault, category=None, received_at=now - timedelta(days=1)).suggestion
    factories.submit(vault, category=factories.category_coded("交通运输"))
    assert db.session.scalars(queues.triage_queue()).all() == [first, second]
    assert db.session.scalar(queues.next_in_queue(queues.triage_queue(), first)) == second
    assert db.session.scalar(queues.next_in_queue(queues.triage_queue(), second)) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("JDZ-2026-000123", (2026, 123)),
        (" jdz-2026-000123 ", (2026, 123)),
        ("JDZ2026000123", (2026, 123)),
        ("JDZ-2026", None),
        ("'; DROP TABLE suggestions; --", None),
        ("", None),
    ],
)
def test_parse_tracking_code(code, expected):
    assert queues.parse_tracking_code(code) == expected


def test_tracking_code_with_the_wrong_year_finds_nothing(seeded, vault):
    suggestion = factories.submit(vault).suggestion
    wrong = f"JDZ-{suggestion.code_year - 1}-{suggestion.id:06d}"
    assert db.session.scalar(queues.by_tracking_code(wrong)) is None
    assert db.session.scalar(queues.by_tracking_code(suggestion.tracking_code)) == suggestion
