"""Small helpers shared by the views: choice lists and the current campaign."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from suggestions import services
from suggestions.extensions import db
from suggestions.models import Campaign, Category, Department, District
from suggestions.privacy import PhoneVault

DEFAULT_TOPICS = ["就业", "教育", "社保", "医疗", "住房", "养老", "食品安全", "城乡建设", "生态环境", "文化体育"]


def phone_vault() -> PhoneVault:
    return current_app.extensions["phone_vault"]


def districts() -> list[District]:
    return list(db.session.scalars(sa.select(District).order_by(District.position, District.id)))


def district_choices(numbered: bool = False) -> list[tuple]:
    choices = [(None, "请选择")]
    for index, district in enumerate(districts(), start=1):
        label = f"{index:02d} {district.name}" if numbered else district.name
        choices.append((district.id, label))
    return choices


def active_departments() -> list[Department]:
    return list(db.session.scalars(sa.select(Department).where(Department.is_active.is_(True)).order_by(Department.id)))


def active_categories() -> list[Category]:
    return list(
        db.session.scalars(
            sa.select(Category).where(Category.is_active.is_(True)).order_by(Category.position, Category.id)
        )
    )


def campaigns_exist() -> bool:
    return db.session.scalar(sa.select(sa.func.count(Campaign.id))) > 0


def open_campaign(today: date) -> Campaign | None:
    """The campaign whose intake window contains ``today`` (latest opened first)."""
    return db.session.scalar(
        sa.select(Campaign)
        .where(Campaign.opens_on <= today, Campaign.closes_on >= today)
        .order_by(Campaign.opens_on.desc())
        .limit(1)
    )


def topic_choices(campaign: Campaign | None) -> list[tuple[str, str]]:
    topics = campaign.topics if campaign and campaign.topics else DEFAULT_TOPICS
    return [("", "不确定，由系统判断")] + [(topic, topic) for topic in topics]


def submit_and_commit(intake: services.Intake, **kwargs) -> services.Receipt:
    """Record a suggestion and commit it, so the answer that follows means it is stored.

    Two requests with the same idempotency key (a double click, a retry after a
    lost connection) can race past the service's look-up; the database's unique
    key stops the second, which then answers with the first one's receipt.
    """
    try:
        receipt = services.submit_suggestion(intake, **kwargs)
        db.session.commit()
        return receipt
    except IntegrityError:
        db.session.rollback()
        if not intake.idempotency_key:
            raise
        existing = services.find_by_idempotency_key(intake.idempotency_key)
        if existing is None:
            raise
        return services.Receipt(existing, replayed=True)
