"""Small helpers shared by the views: choice lists, the phone vault and the current campaign."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from suggestions.extensions import db
from suggestions.models import Campaign, Category, Department, District
from suggestions.privacy.vault import PhoneVault


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


def domain_choices(campaign: Campaign | None, placeholder: str) -> list[tuple]:
    """The campaign's domains in their order, for a select whose empty choice is ``placeholder``."""
    return [(None, placeholder)] + [(d.id, d.name) for d in (campaign.domains if campaign else [])]
