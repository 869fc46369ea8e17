"""Small helpers shared by the views: choice lists, the phone vault and the current campaign."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from flask import current_app, request, session

from suggestions.extensions import db
from suggestions.models import Campaign, Category, Department, District
from suggestions.privacy.vault import PhoneVault
from suggestions.web.errors import refuse

MAX_PAGE = 10_000
FIRST_YEAR, LAST_YEAR = 2000, 2100


def page_number() -> int:
    """The ``page`` of a paged list: 1 without one, 400 in Chinese for anything but 1–10000."""
    raw = request.args.get("page", "")
    if not raw:
        return 1
    if not (re.fullmatch(r"[0-9]{1,5}", raw) and 1 <= int(raw) <= MAX_PAGE):
        refuse(400, f"页码应为 1–{MAX_PAGE} 之间的整数。")
    return int(raw)


def year_argument() -> int | None:
    """The ``year`` in the address, if any; 400 in Chinese outside 2000–2100."""
    raw = request.args.get("year", "")
    if not raw:
        return None
    if not (re.fullmatch(r"[0-9]{4}", raw) and FIRST_YEAR <= int(raw) <= LAST_YEAR):
        refuse(400, f"年度应为 {FIRST_YEAR}–{LAST_YEAR} 之间的四位数字。")
    return int(raw)


def visitor_id() -> str:
    """A random id for this browser's session (kept in its session cookie); forms bind their one-time keys to it."""
    if "visitor" not in session:
        session["visitor"] = secrets.token_hex(16)
    return session["visitor"]


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
