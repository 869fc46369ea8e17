"""Routing what the public form recorded without routing, in a process of its own.

While a worker is busy (``suggestions.request_rate``), the public form answers as soon as the suggestion is
committed (已受理). Classifying it, choosing the department and starting the department's clock happen here
a moment later, so that a burst of submissions (a QR code printed in the newspaper) is taken in at the speed
of an insert and routed as fast as the machine allows. Nothing is lost in between: an item stays 已受理 in
the database until a router has committed its route.

``gunicorn.conf.py`` starts one router beside the web workers; ``flask suggestions route`` runs one
pass, or keeps going with ``--follow``, under a small supervisor that starts a new router if it dies.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import OperationalError

from suggestions import clock, services
from suggestions.extensions import db
from suggestions.models import Suggestion
from suggestions.routing import RouteDecision, route_text
from suggestions.workflow import Status, WorkflowError

logger = logging.getLogger(__name__)

Decide = Callable[[str, str, int | None], RouteDecision]

# Recorded by the public form, not yet routed.
WAITING = Suggestion.status == Status.ACCEPTED


def _claim(suggestion_id: int) -> Suggestion | None:
    """The item, locked until the next commit, if it still waits; rows another router holds are skipped."""
    return db.session.scalar(
        sa.select(Suggestion)
        .where(Suggestion.id == suggestion_id, WAITING)
        .with_for_update(skip_locked=True, of=Suggestion)  # OF: the row, not the eagerly joined tables
    )


def backlog() -> tuple[int, float | None]:
    """How many items wait for routing, and how many seconds the oldest has waited."""
    count, oldest = db.session.execute(
        sa.select(sa.func.count(Suggestion.id), sa.func.min(Suggestion.created_at)).where(WAITING)
    ).one()
    if not count:
        return 0, None
    return count, max(0.0, (clock.now() - oldest).total_seconds())


def route_waiting(limit: int = 50, decide: Decide = route_text) -> int:
    """Route up to ``limit`` waiting items, committing each; return how many were handled.

    An item the model or the rules fail on goes to manual dispatch rather than blocking the rest.
    """
    ids = list(db.session.scalars(sa.select(Suggestion.id).where(WAITING).order_by(Suggestion.id).limit(limit)))
    handled = 0
    for suggestion_id in ids:
        suggestion = _claim(suggestion_id)
        if suggestion is None:  # routed by someone else meanwhile
            db.session.commit()
            continue
        try:
            services.route_accepted(suggestion, decide(suggestion.title, suggestion.body, suggestion.district_id))
            db.session.commit()
        except WorkflowError:
            db.session.rollback()
            continue
        except OperationalError:
            db.session.rollback()
            raise  # the database is unavailable; the caller waits and tries again
        except Exception:
            db.session.rollback()
            logger.exception("automatic routing failed for suggestion %s; sent to manual dispatch", suggestion_id)
            suggestion = db.session.get(Suggestion, suggestion_id)
            services.flag_unroutable(suggestion)
            db.session.commit()
        handled += 1
    return handled


def run(app: Flask, *, poll_seconds: float = 0.5, batch: int = 50, parent_pid: int | None = None) -> None:
    """Route waiting items until the parent process (the supervisor, or gunicorn's master) goes away."""
    logger.info("background routing started (pid %s)", os.getpid())
    while _is_parent(parent_pid):
        with app.app_context():
            try:
                handled = route_waiting(batch)
            except OperationalError:
                logger.warning("database unavailable; background routing retries shortly")
                handled = 0
            except Exception:  # a bug must not stop routing for good; staff see the backlog if it persists
                logger.exception("background routing pass failed")
                handled = 0
            finally:
                db.session.remove()
        if handled < batch:
            time.sleep(poll_seconds)
    logger.info("gunicorn is gone; background routing stops")


# A router that dies sooner than this after its start is restarted after a growing delay, not at once.
STEADY_SECONDS = 60.0


def supervise(
    app: Flask,
    *,
    parent_pid: int | None = None,
    restart_delay: float = 1.0,
    max_delay: float = 30.0,
    poll_seconds: float = 0.5,
) -> None:
    """Run ``run`` in a forked child and start a new one whenever it dies, until the parent (gunicorn's master)
    goes away or this process gets SIGTERM.

    Everything the public form records waits for the router, so an out-of-memory kill or a crash in a native
    library must not stop routing until the site is restarted. This process only waits and opens no database
    connection, so there is little in it that could fail; a model the app preloaded (``make run`` sets
    ``FLASK_CLASSIFIER_PRELOAD``) is shared by every router it forks.
    """
    supervisor = os.getpid()
    state = {"stopping": False, "child": 0}

    def stop(_signum, _frame):
        state["stopping"] = True
        if state["child"]:
            _signal(state["child"], signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # Ctrl-C on a terminal: stop quietly, the router with us
    delay = restart_delay
    while not state["stopping"] and _is_parent(parent_pid):
        started = time.monotonic()
        child = os.fork()
        if child == 0:
            _router_child(app, supervisor, poll_seconds)
        state["child"] = child
        status = _wait_for(child, parent_pid, state)
        state["child"] = 0
        if status is None or state["stopping"] or not _is_parent(parent_pid):
            break
        if time.monotonic() - started >= STEADY_SECONDS:
            delay = restart_delay  # it had been working: this is a new failure, not a crash loop
        logger.warning(
            "background router (pid %s) stopped with %s; starting a new one in %.0f s", child, _describe(status), delay
        )
        _sleep_unless_stopping(delay, state)
        delay = min(delay * 2, max_delay)
    logger.info("background routing supervisor stops")


def _router_child(app: Flask, supervisor: int, poll_seconds: float) -> None:
    """The forked router: never returns, so it cannot run the supervisor's loop by mistake."""
    # The inherited handlers would act on the supervisor's state; the supervisor stops this process itself.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    code = 0
    try:
        with app.app_context():
            db.engine.dispose(close=False)  # connections opened before the fork belong to the supervisor
        run(app, poll_seconds=poll_seconds, parent_pid=supervisor)
    except BaseException:
        logger.exception("background router failed")
        code = 1
    finally:
        os._exit(code)


def _wait_for(child: int, parent_pid: int | None, state: dict) -> int | None:
    """The child's wait status once it ends; None if it was stopped because the parent went away."""
    while True:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid == child:
            return status
        if state["stopping"] or not _is_parent(parent_pid):
            _signal(child, signal.SIGTERM)
            os.waitpid(child, 0)
            return None
        time.sleep(0.2)


def _is_parent(parent_pid: int | None) -> bool:
    return parent_pid is None or os.getppid() == parent_pid


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _describe(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    return f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"


def _sleep_unless_stopping(seconds: float, state: dict) -> None:
    deadline = time.monotonic() + seconds
    while not state["stopping"] and time.monotonic() < deadline:
        time.sleep(0.1)
