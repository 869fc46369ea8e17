"""The database storage behind every rate limit and throttle (web/ratelimit.py)."""

import threading

import pytest
import sqlalchemy as sa
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from suggestions.extensions import db
from suggestions.models import RateCounter
from suggestions.web.ratelimit import KEY_MAX, DatabaseStorage, Throttle


@pytest.fixture
def storage(app):
    return storage_from_string("database://")


def test_the_scheme_names_the_database_storage(storage):
    assert isinstance(storage, DatabaseStorage) and storage.check()


def test_counts_expire_with_their_window(storage, monkeypatch):
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3
    clock = __import__("time").time() + 61
    monkeypatch.setattr("suggestions.web.ratelimit.time.time", lambda: clock)
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1  # a new window starts from one, in the same row


def test_a_limit_counts_exactly_under_concurrency(app, storage):
    """Threads with their own connections race on one limit: exactly the limit gets through."""
    limiter, item = SlidingWindowCounterRateLimiter(storage), parse("7 per day")
    results = []

    def hit():
        with app.app_context():
            results.append(limiter.hit(item, "race"))

    threads = [threading.Thread(target=hit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 7
    assert not limiter.test(item, "race")


def test_long_keys_are_bounded_and_stay_distinct(storage):
    first, second = "x" * 300 + "a", "x" * 300 + "b"
    storage.incr(first, 60)
    storage.incr(second, 60, amount=2)
    assert (storage.get(first), storage.get(second)) == (1, 2)
    assert max(len(b) for b in db.session.scalars(sa.select(RateCounter.bucket))) <= KEY_MAX


def test_clear_and_reset(storage):
    storage.incr("a", 60)
    storage.incr("b", 60)
    storage.clear("a")
    assert (storage.get("a"), storage.get("b")) == (0, 1)
    assert storage.reset() == 1 and storage.get("b") == 0


@pytest.mark.app_config(TEST_TIERS="2 per day;3 per 2 days")
def test_a_throttle_grows_through_its_tiers_refunds_and_forgives(app):
    throttle = Throttle("test", "TEST_TIERS")
    assert [throttle.attempt("who") for _ in range(2)] == [0, 0]
    wait = throttle.attempt("who")
    assert 0 < wait <= 86400  # the first tier is full: up to a day
    throttle.refund("who")
    throttle.refund("who")
    assert throttle.attempt("who") == 0  # refunded slots are free again
    throttle.forgive("who")
    assert throttle.attempt("who") == 0 and throttle.attempt("other") == 0


def test_a_key_with_a_nul_byte_is_stored_under_a_digest(app):
    """A tracking code typed with a NUL reached the counter's key, and PostgreSQL refuses NUL in text."""
    from suggestions.web.ratelimit import _bounded

    stored = _bounded("LIMITER/track-code-failures/\x00/1/day")
    assert stored.isprintable() and stored.startswith("LIMITER/track-code-failures/?/")
    assert stored != _bounded("LIMITER/track-code-failures/?/1/day")
