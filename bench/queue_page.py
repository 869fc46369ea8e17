"""Median time of the queue pages with 100,000 suggestions in SQLite, served by gunicorn.

Usage: .venv/bin/python bench/queue_page.py [--rows 100000] [--requests 40]

Builds a fresh database through the migrations, bulk-loads suggestions spread
over the 17 departments, statuses and the last 90 days, starts gunicorn on
loopback and times the pages an officer and a dispatcher open most. Prints
one line per page: median and p90 in milliseconds, and the rows it matched.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRETS = {
    "SECRET_KEY": "bench-secret",
    "PHONE_ENCRYPTION_KEYS": "7Ub8a1bQy3Vh5mCgZQ0jEYl4mYf1qXb5rO7cS2wq0Xk=",
    "PHONE_HASH_KEY": "bench-hash",
}
PASSWORD = "bench-password-1"
WORDS = "老楼 加装 电梯 公交 线路 站点 学校 学位 医院 挂号 养老 社区 食堂 垃圾 分类 停车 噪音 绿化 供暖 燃气 路灯 就业 培训 社保".split()


def build_database(path: Path, rows: int) -> None:
    import flask_migrate
    import sqlalchemy as sa

    from app import create_app
    from suggestions import clock
    from suggestions.extensions import db
    from suggestions.models import Category, Department, District, StaffUser
    from suggestions.seed import reference_data as seeding
    from suggestions.workflow import OPEN_STATUSES, Channel, Role, Status

    app = create_app({**SECRETS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        seeding.seed_reference_data()
        housing = db.session.scalar(sa.select(Department).where(Department.name == "市住房和城乡建设委员会"))
        for username, role, department in (("officer", Role.OFFICER, housing), ("dispatcher", Role.DISPATCHER, None)):
            user = StaffUser(username=username, display_name=username, role=role, department=department)
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
        departments = db.session.scalars(sa.select(Department.id)).all()
        categories = db.session.scalars(sa.select(Category.id)).all()
        districts = db.session.scalars(sa.select(District.id)).all()
        rng = random.Random(1)
        now = clock.now()
        statuses = [Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED, Status.CLOSED]
        batch = []
        table = db.metadata.tables["suggestions"]
        for _ in range(rows):
            status = rng.choice(statuses)
            received = now - timedelta(minutes=rng.randint(0, 90 * 24 * 60))
            # A third of the load goes to the housing commission, as 城乡建设 dominates real data.
            department = housing.id if rng.random() < 0.33 else rng.choice(departments)
            batch.append(
                {
                    "code_year": received.year,
                    "channel": rng.choice(list(Channel)).value,
                    "status": status.value,
                    "title": "".join(rng.sample(WORDS, 3)),
                    "body": "建议" + "，".join(rng.sample(WORDS, 8)) + "。" * 20,
                    "district_id": rng.choice(districts),
                    "category_id": rng.choice(categories),
                    "department_id": department,
                    "access_hash": "x$y",
                    "received_at": received,
                    "created_at": received,
                    "due_at": received + timedelta(days=rng.randint(1, 25)) if status in OPEN_STATUSES else None,
                    "phone_ciphertext": "not-a-real-token",
                    "phone_masked": "170****0000",
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login(base: str, username: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urlencode({"csrf_token": token, "username": username, "password": PASSWORD}).encode()
    opener.open(base + "/login", data)
    return opener


def time_page(opener, url: str, requests: int) -> tuple[float, float, str]:
    samples, total = [], ""
    opener.open(url).read()  # warm caches once
    for _ in range(requests):
        started = time.perf_counter()
        body = opener.open(url).read().decode()
        samples.append((time.perf_counter() - started) * 1000)
    match = re.search(r'class="count">(\d+)<', body)
    total = match.group(1) if match else "?"
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1], total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="jdz-bench-"))
    database = workdir / "bench.db"
    started = time.perf_counter()
    build_database(database, args.rows)
    print(f"loaded {args.rows} suggestions in {time.perf_counter() - started:.1f} s ({database})")
    port = free_port()
    env = {
        **os.environ,
        **SECRETS,
        "DATABASE_URL": f"sqlite:///{database}",
        "INSTANCE_PATH": str(workdir),
        "CLASSIFIER_MODEL_PATH": str(workdir / "no-model.joblib"),
    }
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
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        officer, dispatcher = login(base, "officer"), login(base, "dispatcher")
        pages = [
            ("officer /queue (first page)", officer, "/queue"),
            ("officer /queue page 50", officer, "/queue?page=50"),
            ("officer /queue overdue", officer, "/queue?deadline=overdue"),
            ("officer /queue sorted by due date", officer, "/queue?sort=due"),
            ("officer /queue search 加装电梯", officer, "/queue?q=" + urllib.parse.quote("加装电梯")),
            ("dispatcher /queue (all departments)", dispatcher, "/queue"),
            ("dispatcher /queue status+district", dispatcher, "/queue?status=signed&district=3"),
            ("dispatcher /work/review", dispatcher, "/work/review"),
        ]
        print(f"{'page':<40} {'median ms':>10} {'p90 ms':>8} {'matched':>8}")
        for label, opener, path in pages:
            median, p90, total = time_page(opener, base + path, args.requests)
            print(f"{label:<40} {median:>10.1f} {p90:>8.1f} {total:>8}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
