"""Speed and memory of hot-issue grouping on a year's volume: a full regroup and one message joining.

Usage: .venv/bin/python -m bench.topics [--messages 100000] [--adds 1000] [--seed 2026]

The messages are recombined from the real ones, nothing is invented: every attachment-3 and attachment-4 message
(7,118) once as it is, then copies of randomly chosen real messages until ``--messages``, each with every place it
names (title and body, the same replacement wherever the name recurs, in any of its forms) swapped for another
real place name of the same kind read from the titles of the same files (a 小区 for a 小区, a 路 for a 路), its district codes
swapped for another code, a time drawn over the year and a like count drawn from the real ones.  So the place
keys block the way real ones do, each copy is a template twin of a real message at another place (which the
grouping must keep apart), and the real issues stay in the set.  A copy of a message that names no place is an
exact repeat of it.

Prints:

* full regroup (``group_messages``, hot issues summarised and ranked included; messages read in ``--workers``
  processes, default every core): wall time, CPU time of this process and of the workers, number of issues,
  peak RSS of the process and of the
  largest worker (``resource.getrusage``; the 100,000 messages themselves included), and the load average, since
  other work on the machine stretches wall time;
* incremental: ``TopicIndex.extend`` with all but ``--adds`` messages, then ``TopicIndex.add`` for each of the
  rest, one at a time: p50 and p99 of one add in ms.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import resource
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifier.config import DATA_DIR, REPLIES_FILE, UNLABELLED_FILE  # noqa: E402
from classifier.tokenize import normalize  # noqa: E402
from classifier.topics import Message, TopicIndex, group_messages  # noqa: E402
from classifier.topics.places import extract_places  # noqa: E402

_DISTRICT = re.compile(r"A\d[区县]")
DISTRICTS = [f"A{n}区" for n in range(1, 7)] + ["A7县", "A8县", "A9市"]
YEAR_START = datetime(2019, 1, 1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def real_rows() -> list[dict[str, str]]:
    rows = []
    for name in (UNLABELLED_FILE, REPLIES_FILE):
        with (DATA_DIR / name).open(encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def build_messages(total: int, seed: int) -> list[Message]:
    """Return ``total`` messages: the real ones, then place-swapped copies of real ones (see the docstring)."""
    rng = random.Random(seed)
    rows = real_rows()
    likes = [int(r.get("likes") or 0) for r in rows if r.get("likes")]
    readings = []
    pool: dict[str, set[str]] = {}
    for row in rows:
        title, body = normalize(row["title"]), normalize(row["body"])
        places = [p for p in extract_places(title, body).places if 2 <= len(p.key) <= 10]
        readings.append((title, body, places))
        for place in places:
            if place.in_title and len(place.key) >= 3:
                pool.setdefault(place.kind, set()).add(place.key)
    names = {kind: sorted(values) for kind, values in pool.items()}
    messages = [
        Message(
            row["id"],
            row["title"],
            row["body"],
            datetime.fromisoformat(row["time"]) if row.get("time") else None,
            int(row.get("likes") or 0),
            int(row.get("dislikes") or 0),
        )
        for row in rows
    ]
    while len(messages) < total:
        k = rng.randrange(len(rows))
        title, body, places = readings[k]
        # Swap place keys (the name without its tail: 丽发新城 in 丽发新城小区 and 丽发新城社区), longest first,
        # through placeholders so that a new name is never swapped again.
        swapped: dict[str, str] = {}
        for place in sorted(places, key=lambda p: -len(p.key)):
            if place.key not in swapped and place.kind in names:
                swapped[place.key] = rng.choice(names[place.kind])
        for n, old in enumerate(swapped):
            title, body = title.replace(old, f"\x00{n}\x00"), body.replace(old, f"\x00{n}\x00")
        for n, new in enumerate(swapped.values()):
            title, body = title.replace(f"\x00{n}\x00", new), body.replace(f"\x00{n}\x00", new)
        district = rng.choice(DISTRICTS)
        title, body = _DISTRICT.sub(district, title), _DISTRICT.sub(district, body)
        when = YEAR_START + timedelta(seconds=rng.randrange(365 * 86400))
        messages.append(Message(f"b{len(messages)}", title, body, when, rng.choice(likes), 0))
    return messages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--adds", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes that read messages")
    args = parser.parse_args()

    started = time.perf_counter()
    messages = build_messages(args.messages, args.seed)
    print(f"built {len(messages):,} messages in {time.perf_counter() - started:.1f} s; peak RSS {rss_mb():.0f} MB")

    started, cpu, workers_cpu = time.perf_counter(), time.process_time(), children_cpu()
    topics = group_messages(messages, workers=args.workers)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    workers_cpu = children_cpu() - workers_cpu
    members = sum(len(t.members) for t in topics)
    print(
        f"full regroup ({args.workers} worker process(es)): {seconds:.1f} s wall, {cpu:.1f} s CPU in this process "
        f"+ {workers_cpu:.1f} s in the workers, "
        f"for {len(messages):,} messages, {len(topics):,} issues ({members:,} messages in them); "
        f"peak RSS {rss_mb():.0f} MB (workers' {children_rss_mb():.0f} MB); load average {os.getloadavg()[0]:.1f}"
    )
    print("top 5: " + " | ".join(f"{t.label} ({len(t.members)})" for t in topics[:5]))

    rng = random.Random(args.seed)
    order = messages[:]
    rng.shuffle(order)
    index = TopicIndex()
    started = time.perf_counter()
    index.extend(order[: -args.adds], workers=args.workers)
    print(f"index of {len(index):,} messages built in {time.perf_counter() - started:.1f} s")
    timings = []
    joined = 0
    for message in order[-args.adds :]:
        started = time.perf_counter()
        topic = index.add(message)
        timings.append((time.perf_counter() - started) * 1000)
        joined += topic is not None
    print(
        f"incremental add ({args.adds:,} messages, one at a time): p50 {percentile(timings, 50):.2f} ms, "
        f"p99 {percentile(timings, 99):.2f} ms, mean {statistics.mean(timings):.2f} ms; "
        f"{joined} joined or formed an issue; peak RSS {rss_mb():.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
