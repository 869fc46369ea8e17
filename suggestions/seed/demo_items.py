"""Load real messages as demo suggestions, through the same intake service as real ones.

Items are received over the last 30 days and then moved along the workflow by
the same services staff use, at plausible times, so queues show a realistic
mix: new, signed, replied, closed, some overdue and some waiting for dispatch.
"""

from __future__ import annotations

import csv
import random
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from suggestions import casework, clock, intake, routing
from suggestions.casework.department import unfilled_placeholders
from suggestions.extensions import db
from suggestions.forms import BODY_MIN, TITLE_MAX
from suggestions.models import Campaign, Category, Department, District, ReplyTemplate, StaffUser, Suggestion
from suggestions.privacy.vault import PhoneVault
from suggestions.routing.decision import RouteDecision
from suggestions.workflow import Channel, Role, Satisfaction, Status

DEMO_FILE = "tipdm2020c_attachment3_unlabelled_messages.csv"
SEED = 20261121
# The demo keeps the messages it always picked (the form's limit was 2,000 characters then).
DEMO_BODY_MAX = 2000
CHANNEL_WEIGHTS = {Channel.WEB: 5, Channel.QR: 2, Channel.HOTLINE: 3}
# What a demo officer writes where a reply template asks for the facts: demo replies read as complete answers.
DEMO_FILLINGS = {
    "（请填写政策名称和要点）": "《天津市民心工程实施方案》，其中明确由属地政府牵头、相关部门配合，按年度计划组织实施",
    "（请填写重新办理的情况）": "我单位已会同所在街道到现场重新核实，并制定了具体整改措施，将在本月内完成",
    "（请填写）": "所涉区域的规划调整尚未完成，相关用地和资金条件暂未落实",
}


def read_messages(path: Path, limit: int, rng: random.Random) -> list[tuple[str, str]]:
    """Pick ``limit`` messages whose text fits the public form's limits."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [
            ((row["title"] or "").strip()[:TITLE_MAX], (row["body"] or "").strip()) for row in csv.DictReader(handle)
        ]
    usable = [(title, body) for title, body in rows if BODY_MIN <= len(body) <= DEMO_BODY_MAX]
    return rng.sample(usable, min(limit, len(usable)))


def demo_phone(rng: random.Random) -> str:
    # 170 numbers are virtual-operator numbers; demo residents are never called.
    return "170" + "".join(rng.choice("0123456789") for _ in range(8))


def load_demo_suggestions(
    data_dir: Path,
    *,
    count: int,
    vault: PhoneVault,
    decide: Callable[[str, str, int | None], RouteDecision],
    days: int = 30,
) -> int:
    """Add ``count`` real messages spread over the last ``days`` days; return how many were added.

    Does nothing if the database already holds suggestions.
    """
    if db.session.scalar(sa.select(sa.func.count(Suggestion.id))) > 0:
        return 0
    rng = random.Random(SEED)
    districts = list(db.session.scalars(sa.select(District).order_by(District.position)))
    operator = db.session.scalar(sa.select(StaffUser).where(StaffUser.role == Role.OPERATOR).limit(1))
    campaign = db.session.scalar(sa.select(Campaign).order_by(Campaign.opens_on.desc()).limit(1))
    channels = [channel for channel, weight in CHANNEL_WEIGHTS.items() for _ in range(weight)]
    now = clock.now()
    messages = read_messages(Path(data_dir) / DEMO_FILE, count, rng)
    received = sorted(now - timedelta(seconds=rng.randint(600, days * 86400)) for _ in messages)
    submitted = []
    for (title, body), received_at in zip(messages, received, strict=False):
        channel = rng.choice(channels)
        if channel == Channel.HOTLINE and operator is None:
            channel = Channel.WEB
        phone = demo_phone(rng) if channel == Channel.HOTLINE or rng.random() < 0.5 else None
        district_id = rng.choice(districts).id if districts else None
        receipt = intake.submit(
            intake.Intake(
                body=body,
                title=title,
                district_id=district_id,
                phone=phone,
                consent_version="hotline-script" if channel == Channel.HOTLINE else "demo",
                received_at=received_at,
                campaign_id=campaign.id if campaign else None,
            ),
            channel=channel,
            decision=decide(title, body, district_id),
            vault=vault,
            actor=operator if channel == Channel.HOTLINE else None,
            now=received_at,
        )
        submitted.append(receipt.suggestion)
    dispatcher = db.session.scalar(sa.select(StaffUser).where(StaffUser.role == Role.DISPATCHER).limit(1))
    if dispatcher is not None and operator is not None:
        DemoWorkflow(rng, now, dispatcher, operator).advance(submitted)
    return len(messages)


def fill_in(template: str) -> str:
    """A reply template with its placeholders written in, as an officer would before sending it."""
    for placeholder, text in DEMO_FILLINGS.items():
        template = template.replace(placeholder, text)
    return template


def _at(start: datetime, rng: random.Random, low_hours: float, high_hours: float) -> datetime:
    return start + timedelta(hours=rng.uniform(low_hours, high_hours))


class DemoWorkflow:
    """Moves demo items along the workflow at plausible past times, through the real services."""

    def __init__(self, rng: random.Random, now: datetime, dispatcher: StaffUser, operator: StaffUser):
        self.rng, self.now, self.dispatcher, self.operator = rng, now, dispatcher, operator
        self._officers: dict[int, StaffUser] = {}
        templates = db.session.scalars(sa.select(ReplyTemplate).where(ReplyTemplate.status.is_(None))).all()
        self.interim = next((t.body for t in templates if "阶段性" in t.name), "您的建议已收悉，正在研究办理。")
        filled = [fill_in(t.body) for t in templates if t.name.startswith("答复")]
        self.replies = [body for body in filled if not unfilled_placeholders(body)] or ["经研究，已纳入工作计划。"]

    def officer(self, department: Department) -> StaffUser:
        """An officer of ``department``: a real account if there is one, else a demo account nobody can log in to."""
        if department.id not in self._officers:
            user = db.session.scalar(
                sa.select(StaffUser).where(StaffUser.department_id == department.id, StaffUser.role == Role.OFFICER)
            )
            if user is None:
                user = StaffUser(
                    username=f"demo-officer-{department.id}",
                    display_name=f"{department.name}承办人（演示数据）",
                    role=Role.OFFICER,
                    department=department,
                    is_active=False,
                )
                user.set_password(secrets.token_urlsafe(24))
                db.session.add(user)
                db.session.flush()
            self._officers[department.id] = user
        return self._officers[department.id]

    def advance(self, suggestions: list[Suggestion]) -> None:
        for suggestion in suggestions:
            self._advance(suggestion)

    def _advance(self, s: Suggestion) -> None:
        rng, t = self.rng, s.received_at
        if s.status == Status.NEEDS_TRIAGE:
            t = _at(t, rng, 1, 30)
            if t > self.now or rng.random() < 0.35:
                return  # still waiting for a dispatcher
            label = (s.prediction_candidates or [[None]])[0][0]
            category = db.session.scalar(sa.select(Category).where(Category.code == label)) if label else None
            if category is None or category.department is None:
                return
            routing.route(s, RouteDecision.by_person(category.department, category), actor=self.dispatcher, now=t)
        if s.status != Status.DISPATCHED:
            return
        officer = self.officer(s.department)
        t = _at(t, rng, 2, 40)
        if t > self.now or rng.random() < 0.12:
            return  # not signed for yet (some of these are overdue)
        casework.sign(s, actor=officer, now=t)
        t = _at(t, rng, 20, 90)
        if t < self.now and rng.random() < 0.5:
            casework.interim_reply(s, self.interim, actor=officer, now=t)
        t = _at(t, rng, 48, 300)
        if t > self.now or rng.random() < 0.25:
            return
        casework.reply(s, rng.choice(self.replies), actor=officer, now=t)
        t = _at(t, rng, 4, 40)
        if t > self.now:
            return
        casework.approve_reply(s, actor=self.dispatcher, now=t)
        t = _at(t, rng, 4, 30)
        if s.status != Status.CALLBACK_PENDING or t > self.now or rng.random() < 0.3:
            return
        roll = rng.random()
        outcome = (
            Satisfaction.SATISFIED
            if roll < 0.6
            else Satisfaction.BASICALLY_SATISFIED
            if roll < 0.85
            else Satisfaction.DISSATISFIED
            if roll < 0.93
            else Satisfaction.UNREACHABLE
        )
        note = "市民认为答复未解决实际问题" if outcome == Satisfaction.DISSATISFIED else ""
        casework.record_callback(s, outcome, actor=self.operator, note=note, now=t)
