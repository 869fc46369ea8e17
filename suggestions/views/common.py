"""Small helpers shared by the views: choice lists, the phone vault and the current campaign."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app

from suggestions.extensions import db
from suggestions.models import Campaign, Category, Department, District
from suggestions.privacy.vault import PhoneVault

DEFAULT_TOPICS = ["就业", "教育", "社保", "医疗", "住房", "养老", "食品安全", "城乡建设", "生态环境", "文化体育"]


def phone_vault() -> PhoneVault:
    return current_app.extensions["phone_vault"]


def district_choices(numbered: bool = False, placeholder: str = "请选择") -> list[tuple]:
    rows = db.session.execute(sa.select(District.id, District.name).order_by(District.position, District.id))
    choices = [(None, placeholder)]
    for index, (district_id, name) in enumerate(rows, start=1):
        choices.append((district_id, f"{index:02d} {name}" if numbered else name))
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
    return db.session.scalar(sa.select(Campaign.id).limit(1)) is not None


def open_campaign(today: date) -> Campaign | None:
    """The campaign whose intake window contains ``today`` (latest opened first)."""
    return db.session.scalar(
        sa.select(Campaign)
        .where(Campaign.opens_on <= today, Campaign.closes_on >= today)
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc())
        .limit(1)
    )


def topic_choices(campaign: Campaign | None) -> list[tuple[str, str]]:
    topics = campaign.topics if campaign and campaign.topics else DEFAULT_TOPICS
    return [("", "不确定，由系统判断")] + [(topic, topic) for topic in topics]
