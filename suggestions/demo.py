"""Load real messages as demo suggestions, through the same intake service as real ones."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from suggestions import clock, services
from suggestions.extensions import db
from suggestions.forms import BODY_MAX, BODY_MIN, TITLE_MAX
from suggestions.models import Campaign, District, StaffUser, Suggestion
from suggestions.privacy import PhoneVault
from suggestions.routing import RouteDecision
from suggestions.workflow import Channel, Role

DEMO_FILE = "tipdm2020c_attachment3_unlabelled_messages.csv"
SEED = 20261121
CHANNEL_WEIGHTS = {Channel.WEB: 5, Channel.QR: 2, Channel.HOTLINE: 3}


def read_messages(path: Path, limit: int, rng: random.Random) -> list[tuple[str, str]]:
    """Pick ``limit`` messages whose text fits the public form's limits."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [
            ((row["title"] or "").strip()[:TITLE_MAX], (row["body"] or "").strip()) for row in csv.DictReader(handle)
        ]
    usable = [(title, body) for title, body in rows if BODY_MIN <= len(body) <= BODY_MAX]
    return rng.sample(usable, min(limit, len(usable)))


def demo_phone(rng: random.Random) -> str:
    # 170 numbers are virtual-operator numbers; demo residents are never called.
    return "170" + "".join(rng.choice("0123456789") for _ in range(8))


def load_demo_suggestions(
    data_dir: Path,
    *,
    count: int,
    vault: PhoneVault,
    decide: Callable[[str, str], RouteDecision],
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
    for (title, body), received_at in zip(messages, received, strict=False):
        channel = rng.choice(channels)
        if channel == Channel.HOTLINE and operator is None:
            channel = Channel.WEB
        phone = demo_phone(rng) if channel == Channel.HOTLINE or rng.random() < 0.5 else None
        services.submit_suggestion(
            services.Intake(
                body=body,
                title=title,
                district_id=rng.choice(districts).id if districts else None,
                phone=phone,
                consent_version="hotline-script" if channel == Channel.HOTLINE else "demo",
                received_at=received_at,
                campaign_id=campaign.id if campaign else None,
            ),
            channel=channel,
            decision=decide(title, body),
            vault=vault,
            actor=operator if channel == Channel.HOTLINE else None,
        )
    return len(messages)
