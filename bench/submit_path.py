"""In-process cost of one public-form submission, routed before answering, without gunicorn or sockets.

Usage: .venv/bin/python -m bench.submit_path [--requests 400] [--repeats 5] [--database sqlite|postgres]

Posts real form submissions (session cookie, CSRF token, idempotency key) through Flask's test client in one
process and prints the median milliseconds per submission over several repeats, next to the minimal
one-row-insert app of bench/burst.py, and how much of a submission routing alone takes (the decision:
models, rules, departments).  Far less noisy than the burst bench; use it to compare two versions of the
submission path.  Target (issue 15): ≤ 4 ms per routed submission.  For PostgreSQL run it under
tests/scripts/with_postgres.sh.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.burst import BODIES, SECRETS, model_path, prepare_database  # noqa: E402


def time_posts(post, requests: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean milliseconds per call of ``post(number)``, after a warm-up."""
    for number in range(50):
        post(number)
    means = []
    for repeat in range(repeats):
        started = time.perf_counter()
        for number in range(requests):
            post(1000 + repeat * requests + number)
        means.append((time.perf_counter() - started) / requests * 1000)
    return statistics.median(means)


def form_poster(url: str, model: Path):
    from app import create_app

    app = create_app(
        {
            **SECRETS,
            "SQLALCHEMY_DATABASE_URI": url,
            "CLASSIFIER_MODEL_PATH": str(model),
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    districts = re.findall(r'<option value="(\d+)"', page)

    def post(number: int) -> None:
        form = {
            "csrf_token": token,
            "idempotency_key": uuid.uuid4().hex,
            "title": f"基准 {number}",
            "body": BODIES[number % len(BODIES)],
            "district": districts[number % len(districts)],
            "consent": "y",
        }
        if number % 2:
            form["phone"] = f"170{number:08d}"
        response = client.post("/", data=form)
        if response.status_code != 201:
            raise RuntimeError(f"submission answered {response.status_code}")

    return post


def decider(url: str, model: Path):
    """What routing costs of a submission: the decision for a text (models, rules, departments), no writes."""
    from app import create_app
    from suggestions.routing.decision import route_text

    app = create_app({**SECRETS, "SQLALCHEMY_DATABASE_URI": url, "CLASSIFIER_MODEL_PATH": str(model)})
    context = app.test_request_context()
    context.push()

    def decide(number: int) -> None:
        route_text(f"基准 {number}", BODIES[number % len(BODIES)], None)

    return decide


def minimal_poster(url: str):
    os.environ["DATABASE_URL"] = url
    from bench.minimal_app import app

    client = app.test_client()
    return lambda number: client.post("/insert", data={"body": f"{number}-{uuid.uuid4().hex}"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # migrations and model loading would fill the screen
    workdir = Path(tempfile.mkdtemp(prefix="jdz-path-"))
    os.environ.setdefault("INSTANCE_PATH", str(workdir))
    url = prepare_database(args.database, workdir)
    model = model_path(workdir)
    figures = {
        "routed before answering": time_posts(form_poster(url, model), args.requests, args.repeats),
        "route decision alone": time_posts(decider(url, model), args.requests, args.repeats),
        "minimal insert (ceiling app)": time_posts(minimal_poster(url), args.requests, args.repeats),
    }
    ceiling = figures["minimal insert (ceiling app)"]
    print(f"\n{args.database}: median ms per submission in one process (Flask test client)")
    for name, milliseconds in figures.items():
        print(f"  {name:<30} {milliseconds:6.2f} ms   ×{milliseconds / ceiling:5.1f} the ceiling app")
    return 0


if __name__ == "__main__":
    sys.exit(main())
