"""Rate limits and failure throttles, counted in the application's own database.

One mechanism for every limit: ``DatabaseStorage`` is a storage for the ``limits`` library (scheme
``database://``) that keeps its counters in the ``rate_counters`` table, so they hold across gunicorn workers and
across app servers sharing the database, with no extra server to run.  Flask-Limiter's decorators (public form,
hotline, login page) use it with the sliding-window-counter strategy, and so does ``Throttle``, which limits
*failures* of one kind (wrong passwords per account and address, wrong tracking credentials per code and per
address) in tiers that grow: a few failures cost minutes, many cost hours.

Each counter update is one atomic upsert on its own short transaction, outside the request's session: a
refused request still counts, and a counter never waits for the request's commit.
"""

from __future__ import annotations

import hashlib
import math
import random
import time

import sqlalchemy as sa
from flask import current_app
from limits import parse_many
from limits.storage import SlidingWindowCounterSupport, Storage
from limits.storage.base import TimestampedSlidingWindow
from limits.strategies import SlidingWindowCounterRateLimiter

from suggestions.extensions import db
from suggestions.models import RateCounter

STORAGE_URI = "database://"
KEY_MAX = 255
# About one counter update in this many also deletes long-expired rows, so the table stays small.
CLEANUP_ONE_IN = 200

_UPSERT = sa.text(
    "INSERT INTO rate_counters (bucket, count, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "count = CASE WHEN rate_counters.expires_at <= :now THEN :amount ELSE rate_counters.count + :amount END, "
    "expires_at = CASE WHEN rate_counters.expires_at <= :now THEN :expires ELSE rate_counters.expires_at END "
    "RETURNING count"
)


def _bounded(key: str) -> str:
    """Keys carry hashes, endpoint names and what visitors typed (a tracking code).  A longer key, or one with
    characters a text column refuses (PostgreSQL rejects NUL), keeps its readable start and a digest of all of it."""
    if len(key) <= KEY_MAX and key.isprintable():
        return key
    readable = "".join(c if c.isprintable() else "?" for c in key[: KEY_MAX - 41])
    return readable + "#" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]


class DatabaseStorage(Storage, SlidingWindowCounterSupport, TimestampedSlidingWindow):
    """A ``limits`` storage on the ``rate_counters`` table of the current app's database."""

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    @staticmethod
    def _engine() -> sa.Engine:
        return db.engine  # the current app's engine: each app (and each test) counts in its own database

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self._engine().begin() as connection:
            return self._incr(connection, key, expiry, amount, time.time())

    @staticmethod
    def _incr(connection, key: str, expiry: int, amount: int, now: float) -> int:
        count = connection.execute(
            _UPSERT, {"key": _bounded(key), "amount": amount, "expires": now + expiry, "now": now}
        ).scalar_one()
        if random.randrange(CLEANUP_ONE_IN) == 0:
            connection.execute(sa.delete(RateCounter).where(RateCounter.expires_at < now - 3600))
        return count

    @staticmethod
    def _counts(connection, keys: list[str], now: float) -> dict[str, tuple[int, float]]:
        rows = connection.execute(
            sa.select(RateCounter.bucket, RateCounter.count, RateCounter.expires_at).where(
                RateCounter.bucket.in_([_bounded(k) for k in keys]), RateCounter.expires_at > now
            )
        )
        found = {row.bucket: (row.count, row.expires_at) for row in rows}
        return {key: found.get(_bounded(key), (0, now)) for key in keys}

    def _read(self, key: str) -> tuple[int, float]:
        now = time.time()
        with self._engine().connect() as connection:
            return self._counts(connection, [key], now)[key]

    def get(self, key: str) -> int:
        return self._read(key)[0]

    def get_expiry(self, key: str) -> float:
        return self._read(key)[1]

    def check(self) -> bool:
        with self._engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True

    def reset(self) -> int | None:
        with self._engine().begin() as connection:
            return connection.execute(sa.delete(RateCounter)).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as connection:
            connection.execute(sa.delete(RateCounter).where(RateCounter.bucket == _bounded(key)))

    # The sliding window counter: this window's count plus the previous one's, weighted by how much of it
    # still overlaps the last ``expiry`` seconds.

    def acquire_sliding_window_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Take ``amount`` slots if the weighted count allows; one transaction that writes first (so SQLite takes
        its write lock before reading, and PostgreSQL locks the counter row), and concurrent hits queue on it."""
        if amount > limit:
            return False
        now = time.time()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        with self._engine().begin() as connection:
            current_count = self._incr(connection, current_key, 2 * expiry, amount, now)
            previous_count = self._counts(connection, [previous_key], now)[previous_key][0]
            if (
                math.floor(previous_count * self._previous_ttl(previous_count, expiry, now) / expiry + current_count)
                > limit
            ):
                self._incr(connection, current_key, 2 * expiry, -amount, now)  # over the limit: give it back
                return False
        return True

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        now = time.time()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        with self._engine().connect() as connection:
            counts = self._counts(connection, [previous_key, current_key], now)
        previous_count, current_count = counts[previous_key][0], counts[current_key][0]
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous_count, self._previous_ttl(previous_count, expiry, now), current_count, current_ttl

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        previous_key, current_key = self.sliding_window_keys(key, expiry, time.time())
        with self._engine().begin() as connection:
            connection.execute(
                sa.delete(RateCounter).where(RateCounter.bucket.in_([_bounded(previous_key), _bounded(current_key)]))
            )

    @staticmethod
    def _previous_ttl(previous_count: int, expiry: int, now: float) -> float:
        return 0.0 if previous_count == 0 else (1 - (((now - expiry) / expiry) % 1)) * expiry


def failure_counter() -> SlidingWindowCounterRateLimiter:
    """The strategy the throttles count with, on the same storage as the Flask-Limiter decorators."""
    return current_app.extensions["failure_counter"]


class Throttle:
    """Tiered limits on failures of one kind, e.g. ``"5 per 5 minutes;10 per hour;20 per day"`` from config.

    Every attempt takes a slot first, atomically (``attempt``), so that requests racing on several workers cannot
    all slip through before the first failure is counted; a success then gives its slot back (``refund``) or
    forgets the failures (``forgive``).  Throttles are security controls: they work even where rate limits are
    switched off (tests).
    """

    def __init__(self, name: str, config_key: str):
        self.name, self.config_key = name, config_key

    def _tiers(self):
        return parse_many(current_app.config[self.config_key])

    def attempt(self, *who: str) -> int:
        """Count an attempt by ``who`` (an account and an address, a tracking code, …); return 0 to go ahead, or
        the seconds to wait when a tier is full (the attempt is then refused and must not be made)."""
        counter, now = failure_counter(), time.time()
        full = [tier for tier in self._tiers() if not counter.hit(tier, self.name, *who)]
        if not full:
            return 0
        return max(1, math.ceil(max(counter.get_window_stats(t, self.name, *who).reset_time - now for t in full)))

    def refund(self, *who: str) -> None:
        """Give back the slot of an attempt that succeeded."""
        counter = failure_counter()
        storage = counter.storage
        for tier in self._tiers():
            expiry = tier.get_expiry()
            _previous, current = storage.sliding_window_keys(tier.key_for(self.name, *who), expiry, time.time())
            if storage.get(current) > 0:
                storage.incr(current, 2 * expiry, -1)

    def forgive(self, *who: str) -> None:
        """Forget every counted attempt of ``who``."""
        counter = failure_counter()
        for tier in self._tiers():
            counter.clear(tier, self.name, *who)


def minutes(seconds: int) -> int:
    """A wait in whole minutes, as residents and staff are told it (at least 1)."""
    return max(1, math.ceil(seconds / 60))


def init_app(app) -> None:
    app.extensions["failure_counter"] = SlidingWindowCounterRateLimiter(DatabaseStorage(STORAGE_URI))
