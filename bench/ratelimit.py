"""What the shared rate counters cost: one limit check and one throttled attempt, in the application's database.

Usage: .venv/bin/python -m bench.ratelimit [--calls 500] [--repeats 5] [--database sqlite|postgres]

Prints the median milliseconds per call of a sliding-window limit hit (what each Flask-Limiter decorator costs a
request: two reads and one atomic upsert) and of a three-tier ``Throttle.attempt`` (a login or a tracking
look-up), over several repeats, in one process.  A public submission passes three limits (visitor, address,
phone), a login one limit and one throttle.  For PostgreSQL run it under tests/scripts/with_postgres.sh.
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

from bench.burst import SECRETS, prepare_database  # noqa: E402


def median_ms(call, calls: int, repeats: int) -> float:
    for number in range(50):
        call(f"warm-{number}")
    means = []
    for repeat in range(repeats):
        started = time.perf_counter()
        for number in range(calls):
            call(f"key-{repeat}-{number % 50}")
        means.append((time.perf_counter() - started) / calls * 1000)
    return statistics.median(means)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()

    from limits import parse

    from app import create_app
    from suggestions.web.ratelimit import Throttle, failure_counter

    url = prepare_database(args.database, Path(tempfile.mkdtemp(prefix="jdz-ratelimit-")))
    app = create_app(
        {**SECRETS, "SQLALCHEMY_DATABASE_URI": url, "BENCH_TIERS": "5 per 5 minutes;10 per hour;20 per day"}
    )
    with app.app_context():
        counter, item = failure_counter(), parse("1000000 per hour")
        limit_ms = median_ms(lambda key: counter.hit(item, "bench", key), args.calls, args.repeats)
        throttle = Throttle("bench-throttle", "BENCH_TIERS")
        attempt_ms = median_ms(throttle.attempt, args.calls, args.repeats)
    print(f"database: {args.database}; {args.calls} calls x {args.repeats} repeats, median of the means")
    print(f"one limit hit (sliding window, shared counter): {limit_ms:.2f} ms")
    print(f"one throttled attempt (3 tiers):                {attempt_ms:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
