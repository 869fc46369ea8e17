"""When the public form routes a suggestion itself, and when it leaves that to the background router.

Routing costs a few milliseconds of CPU per suggestion (two models, rules, deadlines). On a quiet server the
form spends them before answering, so the suggestion is already in its department's queue (or the manual queue)
when the resident sees the receipt. In a burst (a QR code printed in the newspaper) the same milliseconds would
slow every answer, so each worker process watches its own request rate and, while it is busy, records and
answers at once; the background router routes a moment later.

``BACKGROUND_ROUTING``: ``"when-busy"`` (default), ``"always"`` or ``"never"`` (true and false also work, as
``FLASK_BACKGROUND_ROUTING=true|false``). A worker counts as busy while ``BUSY_REQUESTS`` of its requests, the
current one included, started within ``BUSY_WINDOW_SECONDS`` (default 5 within 0.25 s, i.e. 20 a second, a rate
at which inline routing would take a tenth of the worker's time). A short window notices a burst after a
handful of requests, and costs little if it errs: a deferred item is routed a second or two later.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from flask import Flask, current_app

MODES = {"when-busy": "when-busy", "always": "always", "never": "never", True: "always", False: "never"}


class RequestRate:
    """Start times of this process's most recent requests."""

    def __init__(self, limit: int, window: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.window = window
        self._clock = clock
        self._starts: deque[float] = deque(maxlen=max(1, limit))

    def record(self) -> None:
        self._starts.append(self._clock())

    def busy(self) -> bool:
        """Whether ``limit`` requests started within the window (the current one counts once recorded)."""
        starts = self._starts
        return len(starts) == starts.maxlen and self._clock() - starts[0] <= self.window


def init_app(app: Flask) -> None:
    mode = app.config["BACKGROUND_ROUTING"]
    if mode not in MODES:
        raise RuntimeError(f"BACKGROUND_ROUTING must be when-busy, always or never, not {mode!r}")
    app.config["BACKGROUND_ROUTING"] = MODES[mode]
    rate = RequestRate(int(app.config["BUSY_REQUESTS"]), float(app.config["BUSY_WINDOW_SECONDS"]))
    app.extensions["request_rate"] = rate
    app.before_request(rate.record)


def route_in_background() -> bool:
    """Whether the current submission should be left to the background router."""
    mode = current_app.config["BACKGROUND_ROUTING"]
    if mode == "when-busy":
        return current_app.extensions["request_rate"].busy()
    return mode == "always"
