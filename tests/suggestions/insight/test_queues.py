"""Read-side queries: queues, next item, tracking codes."""

from datetime import timedelta

import pytest

from suggestions import clock
from suggestions.extensions import db
from suggestions.insight import queues
from suggestions.intake.tracking import parse_tracking_code
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
        ("JDZ-2026-12345-67897", "JDZ-2026-12345-67897"),
        (" jdz-2026-12345-67897 ", "JDZ-2026-12345-67897"),
        ("JDZ20261234567897", "JDZ-2026-12345-67897"),
        (
            "ＪＤＺ－２０２６－１２３４５－６７８９７".replace("Ｊ", "J").replace("Ｄ", "D").replace("Ｚ", "Z"),
            "JDZ-2026-12345-67897",
        ),
        ("JDZ-2026-12345-67890", None),  # wrong check digit: a typo
        ("JDZ-2026-000123", None),  # an old sequential code
        ("JDZ-2026", None),
        ("'; DROP TABLE suggestions; --", None),
        ("", None),
    ],
)
def test_parse_tracking_code(code, expected):
    assert parse_tracking_code(code) == expected


def test_a_code_with_a_typo_finds_nothing(seeded, vault):
    suggestion = factories.submit(vault).suggestion
    code = suggestion.tracking_code
    typo = code[:10] + str((int(code[10]) + 3) % 10) + code[11:]  # one digit misheard on the phone
    assert queues.by_tracking_code(typo) is None
    assert db.session.scalar(queues.by_tracking_code(suggestion.tracking_code)) == suggestion
