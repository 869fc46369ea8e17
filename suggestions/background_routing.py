"""Routing what the public form recorded, in a process of its own.

The public form answers as soon as the suggestion is committed (已受理). Classifying it, choosing the
department and starting the department's clock happen here a moment later, so that a burst of
submissions (a QR code printed in the newspaper) is taken in at the speed of an insert and routed as
fast as the machine allows. Nothing is lost in between: an item stays 已受理 in the database until a
router has committed its route.

``gunicorn.conf.py`` starts one router beside the web workers; ``flask suggestions route`` runs one
pass, or keeps going with ``--follow``.
"""

from __future__ import annotations

import logging
import os
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
    """Route waiting items until the parent process (gunicorn's master) goes away."""
    logger.info("background routing started (pid %s)", os.getpid())
    while parent_pid is None or os.getppid() == parent_pid:
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
