"""A per-process cache of the small reference tables every form page reads: districts and campaigns.

Each public submission used to read both with two queries of their own, which cost about a fifth of the
request. They change a few times a year, from the admin pages. So each worker keeps them for
``REFERENCE_CACHE_SECONDS`` (default 10) and forgets them as soon as its own session writes a district or a
campaign (a flush that touches one, and the commit or rollback after it). Another worker sees such a change
within the TTL at most; a date-bound decision (is a campaign open today?) is still made on every request,
from the cached rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from suggestions.models import Campaign, District

# Written through the ORM, these clear the cache (the admin pages, the seeding, the tests' factories).
CACHED_MODELS = (Campaign, District)


class ReferenceCache:
    """Values loaded by name, kept until they are older than ``ttl`` seconds or the cache is cleared."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, Any]] = {}

    def get(self, name: str, load: Callable[[], Any]) -> Any:
        entry = self._entries.get(name)
        now = self._clock()
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        value = load()
        if self.ttl > 0:
            self._entries[name] = (now, value)
        return value

    def clear(self) -> None:
        self._entries.clear()


def init_app(app: Flask) -> None:
    app.extensions["reference_cache"] = ReferenceCache(float(app.config["REFERENCE_CACHE_SECONDS"]))
    # Registered on the Session class once: the listener finds the app through the current app context.
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "after_commit", _after_end)
        sa.event.listen(Session, "after_soft_rollback", _after_soft_rollback)


def cached(name: str, load: Callable[[], Any]) -> Any:
    return current_app.extensions["reference_cache"].get(name, load)


def _clear() -> None:
    if has_app_context() and "reference_cache" in current_app.extensions:
        current_app.extensions["reference_cache"].clear()


def _after_flush(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, CACHED_MODELS) for instance in changed):
        session.info["reference_changed"] = True
        _clear()  # the same request may read them again before its commit


def _after_end(session: Session) -> None:
    # Cleared again once the change is final, in case something re-read the uncommitted rows in between.
    if session.info.pop("reference_changed", False):
        _clear()


def _after_soft_rollback(session: Session, _previous_transaction) -> None:
    _after_end(session)
