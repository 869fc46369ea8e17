"""Time of the 12345 work-order import: 10,000 rows with real message texts, through ``flask suggestions import``.

Usage: .venv/bin/python -m bench.import [--rows 10000] [--model PATH] [--format xlsx|csv]

Builds a fresh SQLite database through the migrations and the seed, writes a work-order file with the documented
Chinese columns (texts from ../shared/data's unlabelled messages, random mobile and landline numbers, some rows
without a number), then runs the command as an administrator would: a dry run, the import, and the same file
again (everything skipped).  Each run is a fresh process, so the figures include start-up and loading the model
(``--model``, default: the model ``make run`` trains), and the process's CPU seconds (the wall time on an idle
core; on a shared machine the wall time depends on the others' load).  Target: 10,000 rows in <= 60 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl

from bench.queue_page import ROOT, SECRETS

DATA = ROOT.parent / "shared" / "data" / "tipdm2020c_attachment3_unlabelled_messages.csv"
HEADER = ["工单编号", "受理时间", "来电人", "来电号码", "诉求内容", "所属区", "标题"]
DISTRICTS = ["和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区", "北辰区"]


def work_orders(rows: int) -> list[list]:
    with DATA.open(encoding="utf-8-sig", newline="") as handle:
        messages = [
            ((m["title"] or "").strip()[:50], (m["body"] or "").strip())
            for m in csv.DictReader(handle)
            if 10 <= len((m["body"] or "").strip()) <= 5000
        ]
    rng = random.Random(12345)
    start = datetime(2026, 9, 1, 8, 0)
    orders = []
    for number in range(rows):
        title, body = messages[number % len(messages)]
        roll = rng.random()
        phone = (
            "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
            if roll < 0.8
            else "022-2" + "".join(rng.choice("0123456789") for _ in range(7))
            if roll < 0.9
            else ""
        )
        called = start + timedelta(minutes=7 * number)
        orders.append([f"TJ12345-{number:07d}", called, "市民", phone, body, DISTRICTS[number % len(DISTRICTS)], title])
    return orders


def write_file(path: Path, orders: list[list]) -> None:
    if path.suffix == ".xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("工单")
        sheet.append(HEADER)
        for order in orders:
            sheet.append(order)
        workbook.save(path)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        for order in orders:
            writer.writerow([order[0], order[1].strftime("%Y-%m-%d %H:%M"), *order[2:]])
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def flask(env: dict, *args: str) -> tuple[float, float, str]:
    """Run the command in a fresh process; return (wall seconds, its CPU seconds, output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(done.stdout + done.stderr)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--model", default=str(ROOT / "instance" / "models" / "suggestion_router.joblib"))
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="jdz-bench-import-"))
    env = {
        **os.environ,
        **SECRETS,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "INSTANCE_PATH": str(workdir),
        "CLASSIFIER_MODEL_PATH": args.model,
    }
    flask(env, "db", "upgrade")
    flask(env, "suggestions", "seed", "--no-demo-accounts")
    path = workdir / f"work-orders.{args.format}"
    write_file(path, work_orders(args.rows))
    model = "the trained model" if Path(args.model).is_file() else "NO model (every item to manual dispatch)"
    print(f"{args.rows} work orders in {path} ({path.stat().st_size / 2**20:.1f} MB); routing with {model}")
    print(f"{'run':<18} {'seconds':>8} {'CPU s':>6} {'rows/s':>7}  result")
    for label, extra in (("dry run", ["--dry-run"]), ("import", []), ("same file again", [])):
        seconds, cpu, output = flask(env, "suggestions", "import", str(path), "--channel", "hotline", *extra)
        result = next(line for line in output.splitlines() if " rows: " in line)
        result = re.sub(r"^dry run, nothing written: ", "", result)
        print(f"{label:<18} {seconds:>8.1f} {cpu:>6.1f} {args.rows / seconds:>7.0f}  {result}", flush=True)
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
