"""Median time of /stats/ and the officer's /queue with 1,000,000 suggestions, on SQLite or PostgreSQL.

Usage: .venv/bin/python -m bench.stats_page [--rows 1000000] [--requests 30] [--changes 5]
       tests/scripts/with_postgres.sh .venv/bin/python -m bench.stats_page --postgres [--rows ...]

How the rows are made: a fresh database through the migrations and the seed (departments, 16 districts, the
current campaign and its 10 domains), four earlier campaigns copied from it, 20 projects per campaign; then
plain bulk INSERTs (no services, no model) of suggestions spread over the five campaign years (a month of
intake each, 10 % outside any campaign), the 16 districts, the three channels, the domains (15 % undecided)
and the departments (a third to the housing commission), each with the event rows its life would have left
(submit, dispatch, sign, start, reply, review, callback; due at the end of a day, Beijing time, as working-day
limits are; some signed or answered late, some returned and
dispatched again, some reopened by a 不满意 callback and answered again, a third of the closed ones decided for
adoption, some into a project).  Each step happens only if its moment is already past, so recent items are
spread over the open states and some are overdue, as in real work.

Then gunicorn (one worker) serves the database and the bench times, per page: the first request (nothing
kept yet), the median of ``--requests`` repeats, and the median of ``--changes`` requests each made right after
one more event row was written (what a dispatcher sees while items are being worked on).  Prints one line per
page and what it matched.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.queue_page import PASSWORD, SECRETS, WORDS, free_port  # noqa: E402

BATCH = 5000
YEARS = 5


class Generator:
    """Suggestion rows and their events, from one seeded random stream."""

    def __init__(self, app, now, rng):
        import sqlalchemy as sa

        from suggestions.extensions import db
        from suggestions.models import Campaign, Category, Department, District, Project

        self.now, self.rng = now, rng
        self.departments = db.session.scalars(sa.select(Department.id)).all()
        self.housing = db.session.scalar(sa.select(Department.id).where(Department.name == "市住房和城乡建设委员会"))
        self.categories = db.session.scalars(sa.select(Category.id)).all()
        self.districts = db.session.scalars(sa.select(District.id)).all()
        self.campaigns = [(c.id, c.year, [d.id for d in c.domains]) for c in db.session.scalars(sa.select(Campaign))]
        self.campaigns.sort(key=lambda c: -c[1])
        self.projects: dict[int, list[int]] = {}
        for project_id, campaign_id in db.session.execute(sa.select(Project.id, Project.campaign_id)):
            self.projects.setdefault(campaign_id, []).append(project_id)

    def rows(self, suggestion_id: int, event_id: int):
        """One suggestion and its events; returns (suggestion, events)."""
        rng, now = self.rng, self.now
        back = rng.choices(range(YEARS), weights=[3, 2, 2, 2, 1])[0]
        campaign_id, year, domains = self.campaigns[back]
        received = now - timedelta(days=365 * back, minutes=rng.randint(0, 30 * 24 * 60))
        if rng.random() < 0.10:
            campaign_id, domains = None, []
        domain = rng.choice(domains) if domains and rng.random() < 0.85 else None
        department = self.housing if rng.random() < 0.33 else rng.choice(self.departments)
        s = {
            "id": suggestion_id,
            "tracking_code": f"B{suggestion_id:012d}",
            "code_year": received.year,
            "campaign_id": campaign_id,
            "channel": rng.choices(["web", "qr", "hotline"], weights=[45, 20, 35])[0],
            "title": "".join(rng.sample(WORDS, 3)),
            "body": "建议" + "，".join(rng.sample(WORDS, 8)) + "。",
            "district_id": rng.choice(self.districts),
            "domain_id": domain,
            "domain_source": "resident" if domain else None,
            "category_id": rng.choice(self.categories),
            "access_hash": "x$y",
            "received_at": received,
            "created_at": received,
            "phone_ciphertext": "not-a-real-token",
            "phone_masked": "170****0000",
            "urgency": "general",
            "return_count": 0,
            "designated": False,
            "extension_count": 0,
            "callback_attempts": 0,
            "urge_count": 0,
            "phone_withheld": False,
            "confidential": False,
        }
        events = []

        def event(at, action, status, actor="system", **details):
            events.append(
                {
                    "id": event_id + len(events),
                    "suggestion_id": suggestion_id,
                    "created_at": at,
                    "actor_kind": actor,
                    "action": action,
                    "from_status": s.get("status"),
                    "to_status": status or s.get("status"),
                    "from_department_id": s.get("department_id"),
                    "to_department_id": department,
                    "reason": "",
                    "details": details,
                }
            )
            if status:
                s["status"] = status
            s["department_id"] = department

        event(received, "submit", "accepted")
        s["department_id"] = None
        at = received
        self._dispatch(s, event, at, "auto_dispatch")
        if rng.random() < 0.03:  # returned within the window, then dispatched by hand elsewhere
            at += timedelta(hours=rng.uniform(1, 20))
            if at > now:
                return self._finish(s), events
            department = None
            event(at, "return", "returned", "officer")
            s["return_count"] = 1
            at += timedelta(hours=rng.uniform(1, 20))
            if at > now:
                return self._finish(s), events
            department = rng.choice(self.departments)
            self._dispatch(s, event, at, "dispatch", "dispatcher")
        rounds = 0
        while True:
            if s["status"] == "dispatched":
                at += timedelta(hours=rng.expovariate(1 / 12))
                if at > now:
                    break
                event(at, "sign", "signed", "officer", **({"late": True} if at > s["sign_due_at"] else {}))
                event(at, "start", "in_progress", "officer")
            at += timedelta(days=rng.uniform(1, 26))
            if at > now:
                break
            event(at, "reply", "replied", "officer", **({"late": True} if at > s["reply_due_at"] else {}))
            s["replied_at"] = s["first_replied_at"] = s.get("first_replied_at") or at
            at += timedelta(hours=rng.uniform(2, 30))
            if at > now:
                break
            event(at, "approve_reply", "callback_pending", "dispatcher")
            s["callback_due_at"] = end_of_day(at, 1)
            at += timedelta(hours=rng.uniform(2, 30))
            if at > now:
                break
            outcome = rng.choices(["satisfied", "basically_satisfied", "dissatisfied"], weights=[60, 28, 12])[0]
            s["callback_result"], s["callback_at"] = outcome, at
            if outcome == "dissatisfied" and rounds == 0:
                event(at, "callback_dissatisfied", "redo", "operator")
                s["reply_due_at"], s["replied_at"] = end_of_day(at, 21), None
                rounds += 1
                continue
            event(at, "callback_satisfied", "closed", "operator", outcome=outcome)
            s["closed_at"] = at
            if campaign_id and rng.random() < 0.33:
                at += timedelta(days=rng.uniform(1, 20))
                if at <= now:
                    self._adopt(s, event, at, campaign_id)
            break
        return self._finish(s), events

    def _dispatch(self, s, event, at, action, actor="system"):
        event(at, action, "dispatched", actor)
        s["sign_due_at"] = s["return_due_at"] = end_of_day(at, 1)
        s["first_reply_due_at"] = end_of_day(at, 7)
        s["reply_due_at"] = end_of_day(at, 21)

    def _adopt(self, s, event, at, campaign_id):
        choice = self.rng.choices(
            ["adopt", "partially_adopt", "already_planned", "not_adopt", "evaluate"], weights=[8, 5, 5, 12, 3]
        )[0]
        adoption = {
            "adopt": "adopted",
            "partially_adopt": "partially_adopted",
            "already_planned": "already_planned",
            "not_adopt": "not_adopted",
            "evaluate": "evaluating",
        }[choice]
        event(at, choice, None, "dispatcher")
        s["adoption"], s["adoption_decided_at"] = adoption, at
        if choice in ("adopt", "partially_adopt", "already_planned") and self.projects.get(campaign_id):
            s["project_id"] = self.rng.choice(self.projects[campaign_id])
        elif choice in ("adopt", "partially_adopt", "already_planned"):
            s["adoption"] = "not_adopted"

    def _finish(self, s):
        status = s["status"]
        if status == "dispatched":
            s["due_at"] = s["sign_due_at"]
        elif status in ("signed", "in_progress", "redo"):
            s["due_at"] = (
                min(s["reply_due_at"], s["first_reply_due_at"]) if not s.get("first_replied_at") else s["reply_due_at"]
            )
        elif status == "replied":
            s["review_due_at"] = s["due_at"] = end_of_day(s["replied_at"], 1)
        elif status == "callback_pending":
            s["due_at"] = s["callback_due_at"]
        elif status == "returned":
            s["triage_due_at"] = s["due_at"] = s["sign_due_at"]
        if status == "returned":
            s["department_id"] = None
        return s


def end_of_day(moment, days: int):
    """Due at the end of a day, Beijing time, as the working-day limits the service uses by default are."""
    from suggestions import clock
    from suggestions.workflow.deadlines import END_OF_DAY

    return datetime.combine(clock.local(moment).date() + timedelta(days=days), END_OF_DAY, clock.LOCAL_TZ).astimezone(
        moment.tzinfo
    )


COLUMNS = (
    "sign_due_at return_due_at first_reply_due_at reply_due_at due_at replied_at first_replied_at callback_due_at "
    "callback_result callback_at closed_at adoption adoption_decided_at project_id review_due_at triage_due_at"
).split()


def build_database(url: str, rows: int) -> None:
    import flask_migrate
    import sqlalchemy as sa

    from app import create_app
    from suggestions import clock
    from suggestions.campaign import taxonomy
    from suggestions.extensions import db
    from suggestions.models import Campaign, Department, Project, StaffUser
    from suggestions.seed import reference_data as seeding
    from suggestions.workflow import ProjectStatus, Role

    app = create_app({**SECRETS, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        seeding.seed_reference_data()
        housing = db.session.scalar(sa.select(Department).where(Department.name == "市住房和城乡建设委员会"))
        for username, role, department in (("officer", Role.OFFICER, housing), ("dispatcher", Role.DISPATCHER, None)):
            user = StaffUser(username=username, display_name=username, role=role, department=department)
            user.set_password(PASSWORD)
            db.session.add(user)
        current = db.session.scalar(sa.select(Campaign))
        for back in range(1, YEARS):
            taxonomy.save_campaign(
                None,
                year=current.year - back,
                name=f"{current.year - back}年民心工程建议征集",
                opens_on=date(current.year - back, 9, 1),
                closes_on=date(current.year - back, 9, 30),
                copy_from=current,
            )
        db.session.flush()
        for campaign in db.session.scalars(sa.select(Campaign)):
            for number in range(1, 21):
                domain = campaign.domains[(number - 1) % len(campaign.domains)]
                db.session.add(
                    Project(
                        year=campaign.year + 1,
                        number=number,
                        title=f"民心工程第{number}项",
                        campaign_id=campaign.id,
                        domain_id=domain.id,
                        status=ProjectStatus.UNDERWAY if campaign.year < current.year else ProjectStatus.PLANNED,
                    )
                )
        db.session.commit()
        generator = Generator(app, clock.now(), random.Random(1))
        suggestions, events = db.metadata.tables["suggestions"], db.metadata.tables["suggestion_events"]
        event_id, batch, batch_events = 1, [], []
        for suggestion_id in range(1, rows + 1):
            row, its_events = generator.rows(suggestion_id, event_id)
            for column in COLUMNS:
                row.setdefault(column, None)
            event_id += len(its_events)
            batch.append(row)
            batch_events.extend(its_events)
            if len(batch) == BATCH:
                db.session.execute(sa.insert(suggestions), batch)
                db.session.execute(sa.insert(events), batch_events)
                db.session.commit()
                batch, batch_events = [], []
        if batch:
            db.session.execute(sa.insert(suggestions), batch)
            db.session.execute(sa.insert(events), batch_events)
        db.session.commit()
        with db.engine.connect() as connection:
            if db.engine.dialect.name == "postgresql":
                for table in ("suggestions", "suggestion_events"):
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                connection.commit()
                connection.exec_driver_sql("VACUUM ANALYZE") if False else connection.exec_driver_sql("ANALYZE")
            else:
                connection.exec_driver_sql("ANALYZE")
            connection.commit()
        print(f"  {rows} suggestions, {event_id - 1} events; campaign years {[c[1] for c in generator.campaigns]}")
        db.session.remove()
        db.engine.dispose()


def add_event(url: str) -> None:
    """Write one more event row, as any change of an item does (a note on suggestion 1)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO suggestion_events (suggestion_id, created_at, actor_kind, action, reason, details) "
                "VALUES (1, CURRENT_TIMESTAMP, 'dispatcher', 'note', '', '{}')"
            )
        )
    engine.dispose()


class LoopbackCookies(CookieJar):
    """The site's cookies are Secure (browsers keep them on http://localhost); urllib would drop them."""

    def set_cookie(self, cookie):
        cookie.secure = False
        super().set_cookie(cookie)


def login(base: str, username: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(LoopbackCookies()))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    opener.open(base + "/login", urlencode({"csrf_token": token, "username": username, "password": PASSWORD}).encode())
    return opener


def timed(opener, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    body = opener.open(url).read().decode()
    return (time.perf_counter() - started) * 1000, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="use TEST_DATABASE_URL (see with_postgres.sh)")
    parser.add_argument("--sqlite", type=Path, help="an SQLite file: loaded if missing, else timed as it is")
    parser.add_argument("--load-only", action="store_true", help="load the rows and stop")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="jdz-stats-bench-"))
    sqlite = args.sqlite or workdir / "bench.db"
    url = os.environ["TEST_DATABASE_URL"] if args.postgres else f"sqlite:///{sqlite}"
    if args.postgres or not sqlite.exists():
        started = time.perf_counter()
        build_database(url, args.rows)
        print(f"loaded in {time.perf_counter() - started:.0f} s into {url.split('@')[-1]}")
    if args.load_only:
        return 0
    port = free_port()
    env = {
        **os.environ,
        **SECRETS,
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(workdir),
        "CLASSIFIER_MODEL_PATH": str(workdir / "no-model.joblib"),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "1",
            "--timeout",
            "1800",
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
        officer, dispatcher = login(base, "officer"), login(base, "dispatcher")
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as connection:
            year = connection.execute(text("SELECT max(year) FROM campaigns")).scalar()
        engine.dispose()
        pages = [
            ("dispatcher /stats/ (all years)", dispatcher, "/stats/", True),
            (f"dispatcher /stats/?year={year}", dispatcher, f"/stats/?year={year}", True),
            (f"dispatcher /stats/ {year} 养老", dispatcher, f"/stats/?year={year}&domain={quote('养老')}", True),
            ("officer /queue (first page)", officer, "/queue", False),
            ("officer /queue overdue", officer, "/queue?deadline=overdue", False),
            (f"officer /queue {year} 住房", officer, f"/queue?year={year}&domain={quote('住房')}", False),
            ("dispatcher /queue (all departments)", dispatcher, "/queue", False),
        ]
        print(f"{'page':<36} {'first ms':>9} {'p50 ms':>8} {'p90 ms':>8} {'after a change p50 ms':>22}")
        for label, opener, path, kept in pages:
            first, _ = timed(opener, base + path)
            samples = sorted(timed(opener, base + path)[0] for _ in range(args.requests))
            changed = "—"
            if kept and args.changes:
                after = []
                for _ in range(args.changes):
                    add_event(url)
                    after.append(timed(opener, base + path)[0])
                changed = f"{statistics.median(after):.0f}"
            p90 = samples[max(0, int(len(samples) * 0.9) - 1)]
            print(f"{label:<36} {first:>9.0f} {statistics.median(samples):>8.1f} {p90:>8.1f} {changed:>22}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
