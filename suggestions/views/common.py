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
from suggestions.reference_cache import cached

DEFAULT_TOPICS = ["就业", "教育", "社保", "医疗", "住房", "养老", "食品安全", "城乡建设", "生态环境", "文化体育"]


def phone_vault() -> PhoneVault:
    return current_app.extensions["phone_vault"]


_DISTRICT_ORDER = (District.position, District.id)


def district_choices(numbered: bool = False, placeholder: str = "请选择") -> list[tuple]:
    choices = [(None, placeholder)]
    for index, (district_id, name) in enumerate(cached("districts", _district_rows), start=1):
        choices.append((district_id, f"{index:02d} {name}" if numbered else name))
    return choices


def _district_rows() -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(sa.select(District.id, District.name).order_by(*_DISTRICT_ORDER))]


def active_departments() -> list[Department]:
    return list(db.session.scalars(sa.select(Department).where(Department.is_active.is_(True)).order_by(Department.id)))


def active_categories() -> list[Category]:
    return list(
        db.session.scalars(
            sa.select(Category).where(Category.is_active.is_(True)).order_by(Category.position, Category.id)
        )
    )


def campaigns_exist() -> bool:
    return bool(cached("campaigns", _campaign_rows))


def open_campaign(today: date) -> sa.Row | None:
    """The campaign whose intake window contains ``today`` (latest opened first).

    A read-only row with the campaign's ``id``, ``name``, ``opens_on``, ``closes_on`` and ``topics``, from the
    worker's reference cache: the form reads it on every submission and never changes it.
    """
    for campaign in cached("campaigns", _campaign_rows):
        if campaign.opens_on <= today <= campaign.closes_on:
            return campaign
    return None


def _campaign_rows() -> list[sa.Row]:
    columns = (Campaign.id, Campaign.name, Campaign.opens_on, Campaign.closes_on, Campaign.topics)
    return list(db.session.execute(sa.select(*columns).order_by(Campaign.opens_on.desc(), Campaign.id.desc())))


def topic_choices(campaign: sa.Row | None) -> list[tuple[str, str]]:
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
        _commit_keeping_loaded()
        return receipt
    except IntegrityError:
        db.session.rollback()
        if not intake.idempotency_key:
            raise
        existing = services.find_by_idempotency_key(intake.idempotency_key)
        if existing is None:
            raise
        return services.Receipt(existing, replayed=True)


def _commit_keeping_loaded() -> None:
    """Commit without expiring the loaded objects.

    The receipt page shows the suggestion just written, whose state the session already holds; expiring it
    would reload it, with its eager joins, only to show what is known.  What the database filled in itself
    (server defaults) was never loaded, so it is still read on first use.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
