"""The background router: what the public form recorded reaches a queue, nothing blocks it, and a router that
dies is replaced."""

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from suggestions import background_routing, clock, services
from suggestions.extensions import db
from suggestions.models import Suggestion
from suggestions.workflow import Action, Status
from tests import factories
from tests.suggestions.conftest import events_of

TRANSPORT = "小区门口的公交线路太少，早高峰公交车班次间隔太长，建议增加公交班次并增设站点。"


def statuses() -> list[Status]:
    return list(db.session.scalars(sa.select(Suggestion.status).order_by(Suggestion.id)))


def test_waiting_items_are_routed_with_the_model_and_committed(app, seeded, vault):
    for _ in range(3):
        factories.submit(vault, body=TRANSPORT, routed=False, district_id=factories.district_named("河西区").id)
    assert background_routing.route_waiting() == 3
    db.session.rollback()  # what was routed is committed, not merely flushed
    assert statuses() == [Status.DISPATCHED] * 3
    suggestion = db.session.scalar(sa.select(Suggestion))
    assert suggestion.department.name == "市交通运输委员会"
    assert suggestion.predicted_category == "交通运输" and suggestion.prediction_explanation
    assert [e.action for e in events_of(suggestion)] == [Action.SUBMIT, Action.AUTO_DISPATCH]
    assert background_routing.route_waiting() == 0


def test_routed_and_staff_handled_items_are_left_alone(app, seeded, vault):
    routed = factories.submit(vault, category=factories.category_coded("交通运输")).suggestion
    rejected = factories.submit(vault, body=TRANSPORT, routed=False).suggestion
    services.reject(rejected, actor=factories.StaffUserFactory(role="dispatcher"), reason="重复提交")
    db.session.commit()
    waiting = factories.submit(vault, body=TRANSPORT, routed=False).suggestion
    assert background_routing.route_waiting() == 1
    assert routed.status == Status.DISPATCHED and len(events_of(routed)) == 2
    assert rejected.status == Status.NOT_ACCEPTED and len(events_of(rejected)) == 2
    assert waiting.status == Status.DISPATCHED


def test_a_batch_limit_leaves_the_rest_for_the_next_pass_oldest_first(app, seeded, vault):
    first, second = (factories.submit(vault, body=TRANSPORT, routed=False).suggestion for _ in range(2))
    assert background_routing.route_waiting(limit=1) == 1
    assert (first.status, second.status) == (Status.DISPATCHED, Status.ACCEPTED)


def test_an_item_the_router_fails_on_goes_to_manual_dispatch_and_the_rest_are_routed(app, seeded, vault):
    poison = factories.submit(vault, body="无法分类的内容会让模型出错的测试文本。", routed=False).suggestion
    fine = factories.submit(vault, body=TRANSPORT, routed=False).suggestion
    transport = factories.category_coded("交通运输")

    def decide(title, body, district_id):
        if "出错" in body:
            raise ValueError("model failure")
        return factories.decision_for(transport, 0.95)

    assert background_routing.route_waiting(decide=decide) == 2
    assert poison.status == Status.NEEDS_TRIAGE
    assert events_of(poison)[-1].reason == "自动分拨未能完成，转人工分拨"
    assert fine.status == Status.DISPATCHED


def test_backlog_counts_waiting_items_and_the_oldest_wait(app, seeded, vault):
    assert background_routing.backlog() == (0, None)
    factories.submit(vault, routed=False, now=clock.now() - timedelta(minutes=5))
    factories.submit(vault, routed=False)
    count, oldest = background_routing.backlog()
    assert count == 2 and 290 < oldest < 400


def test_run_stops_at_once_when_its_parent_is_gone(app, seeded, vault):
    factories.submit(vault, body=TRANSPORT, routed=False)
    background_routing.run(app, poll_seconds=0.01, parent_pid=-1)  # no process has pid -1: returns
    assert statuses() == [Status.ACCEPTED]


def _supervise_in_child(app, restart_delay: float = 0.05, max_delay: float = 0.2) -> int:
    """Fork a process that runs the supervisor (as `flask suggestions route --follow` does) and return its pid."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            background_routing.supervise(app, restart_delay=restart_delay, max_delay=max_delay)
        except BaseException:
            code = 1
        finally:
            os._exit(code)  # never return into the test runner's copy of itself
    return pid


def _wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_the_supervisor_starts_a_new_router_whenever_one_dies(app, tmp_path, monkeypatch):
    starts = tmp_path / "starts"

    def crashing_router(app, *, poll_seconds, parent_pid):
        with starts.open("a") as out:
            out.write(f"{os.getpid()} {time.monotonic()}\n")
        os._exit(3)  # as a crash in a native library would

    monkeypatch.setattr(background_routing, "run", crashing_router)
    supervisor = _supervise_in_child(app, restart_delay=0.2, max_delay=0.8)
    try:
        assert _wait_until(lambda: starts.exists() and len(starts.read_text().splitlines()) >= 4)
    finally:
        os.kill(supervisor, signal.SIGTERM)
        _, status = os.waitpid(supervisor, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    records = [line.split() for line in starts.read_text().splitlines()]
    pids = [pid for pid, _ in records]
    assert len(set(pids)) == len(pids)  # each start is a fresh process
    times = [float(when) for _, when in records]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    # A router that keeps crashing is restarted after 0.2, 0.4, 0.8 s: a crash loop does not spin.
    assert gaps[0] >= 0.2 and gaps[2] >= 0.8 and gaps[2] > gaps[0] + 0.3


def test_sigterm_stops_the_supervisor_and_its_router(app, tmp_path, monkeypatch):
    started = tmp_path / "router"

    def waiting_router(app, *, poll_seconds, parent_pid):
        started.write_text(str(os.getpid()))
        while True:
            time.sleep(1)

    monkeypatch.setattr(background_routing, "run", waiting_router)
    supervisor = _supervise_in_child(app)
    assert _wait_until(lambda: started.exists() and started.read_text())
    router = int(started.read_text())
    os.kill(supervisor, signal.SIGTERM)
    _, status = os.waitpid(supervisor, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert _wait_until(lambda: not Path(f"/proc/{router}").exists()), "the router outlived its supervisor"
