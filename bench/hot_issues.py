"""Hot issues in the application, on SQLite: a full regroup into the tables, and a new suggestion joining one.

Usage: .venv/bin/python -m bench.hot_issues [--rows 20000] [--joins 100]

Builds a fresh database through the migrations, bulk-loads ``--rows`` suggestions of the seeded campaign (the
real messages, then place-swapped copies, as ``bench.topics`` makes them), then prints:

* the full regroup (``grouping.regroup``: read, group, write the issue tables) in seconds;
* the first join in a fresh process, which builds that process's index from the database;
* ``--joins`` suggestions submitted through the one intake, each routed (so it joins), committed one by one:
  the join's own time (p50, p99) and the whole submission's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.topics import build_messages, percentile  # noqa: E402

SECRETS = {
    "SECRET_KEY": "bench-secret",
    "PHONE_ENCRYPTION_KEYS": "7Ub8a1bQy3Vh5mCgZQ0jEYl4mYf1qXb5rO7cS2wq0Xk=",
    "PHONE_HASH_KEY": "bench-hash",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--joins", type=int, default=100)
    args = parser.parse_args()

    import flask_migrate
    import sqlalchemy as sa

    from app import create_app
    from suggestions import clock, intake
    from suggestions.extensions import db
    from suggestions.hotissues import grouping
    from suggestions.models import Campaign, HotIssue
    from suggestions.routing.decision import RouteDecision
    from suggestions.seed import reference_data as seeding
    from suggestions.workflow import Channel

    messages = build_messages(args.rows + args.joins, seed=7)
    loaded, fresh = messages[: args.rows], messages[args.rows : args.rows + args.joins]
    with tempfile.TemporaryDirectory() as folder:
        uri = f"sqlite:///{Path(folder) / 'hot.db'}"
        app = create_app({**SECRETS, "SQLALCHEMY_DATABASE_URI": uri})
        with app.app_context():
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))
            seeding.seed_reference_data()
            db.session.commit()
            campaign = db.session.scalar(sa.select(Campaign))
            now = clock.now()
            table = db.metadata.tables["suggestions"]
            batch = []
            for n, m in enumerate(loaded):
                received = m.time.replace(tzinfo=now.tzinfo) if m.time else now
                batch.append(
                    {
                        "tracking_code": f"B{n:09d}",
                        "code_year": received.year,
                        "campaign_id": campaign.id,
                        "channel": "web",
                        "status": "needs_triage",
                        "title": m.title[:100],
                        "body": m.body,
                        "access_hash": "x$y",
                        "received_at": received,
                        "created_at": received,
                        "urgency": "general",
                        "return_count": 0,
                        "designated": False,
                        "extension_count": 0,
                        "callback_attempts": 0,
                    }
                )
                if len(batch) == 5000:
                    db.session.execute(sa.insert(table), batch)
                    batch = []
            if batch:
                db.session.execute(sa.insert(table), batch)
            db.session.commit()
            print(f"loaded {len(loaded)} suggestions into SQLite")

            started = time.perf_counter()
            report = grouping.regroup(campaign.id, now=now)
            db.session.commit()
            print(
                f"full regroup: {time.perf_counter() - started:.1f} s "
                f"({report.issues} issues of 2+ suggestions written)"
            )

            app.extensions.pop("hot_issues")  # as a freshly started worker
            vault = app.extensions["phone_vault"]
            join_times, submit_times = [], []
            original_join = grouping.join

            def timed_join(suggestion, *, now=None):
                begun = time.perf_counter()
                original_join(suggestion, now=now)
                join_times.append(time.perf_counter() - begun)

            grouping.join = timed_join
            try:
                for m in fresh:
                    begun = time.perf_counter()
                    intake.submit(
                        intake.Intake(body=m.body, title=m.title[:100], campaign_id=campaign.id),
                        channel=Channel.WEB,
                        vault=vault,
                        decision=RouteDecision(problem="基准测试：转人工分拨。"),
                    )
                    db.session.commit()
                    submit_times.append(time.perf_counter() - begun)
            finally:
                grouping.join = original_join
            first, rest = join_times[0], join_times[1:]
            print(f"first join in a fresh process (builds its index from the database): {first:.1f} s")
            print(
                f"join, {len(rest)} new suggestions: p50 {statistics.median(rest) * 1000:.1f} ms, "
                f"p99 {percentile(rest, 99) * 1000:.1f} ms"
            )
            print(
                f"whole submission (intake, route, join, commit): p50 {statistics.median(submit_times[1:]) * 1000:.1f} ms, "
                f"p99 {percentile(submit_times[1:], 99) * 1000:.1f} ms"
            )
            joined = db.session.scalar(sa.select(sa.func.count()).select_from(HotIssue))
            print(f"issues now: {joined}")
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
