"""Seed reference data (taxonomy, departments, districts, campaign) and demo accounts.

Seeding only adds what is missing, so it is safe to run on every start and
never overwrites a choice an administrator made in the admin pages.
"""

from __future__ import annotations

import secrets
import string
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources

import sqlalchemy as sa

from suggestions import clock
from suggestions.campaign import taxonomy
from suggestions.extensions import db
from suggestions.models import (
    LOCAL_GOVERNMENT,
    Campaign,
    Category,
    Department,
    District,
    ReplyTemplate,
    RoutingRule,
    StaffUser,
    TimeLimit,
)
from suggestions.workflow import Role, Status, Step, TimeUnit, Urgency


def load_seed_file() -> dict:
    text = resources.files("suggestions").joinpath("seed/taxonomy.toml").read_text("utf-8")
    return tomllib.loads(text)


@dataclass
class SeedReport:
    departments: int = 0
    categories: int = 0
    districts: int = 0
    campaigns: int = 0
    time_limits: int = 0
    reply_templates: int = 0
    routing_rules: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (username, password, role label)


def _department(name: str, report: SeedReport, data: dict | None = None) -> Department:
    """The department of that name, created with its handler type if missing (an admin's later choice stays)."""
    department = db.session.scalar(sa.select(Department).where(Department.name == name))
    if department is None:
        handler_type = (data or load_seed_file()).get("department_types", {}).get(name, "其他")
        department = Department(name=name, handler_type=handler_type)
        db.session.add(department)
        report.departments += 1
    return department


def _district_governments(data: dict, report: SeedReport) -> None:
    """One 属地政府 department per district (not for 全市), linked to its district."""
    pattern = data["districts"]["government"]
    for district in db.session.scalars(sa.select(District).where(District.is_citywide.is_(False))):
        if db.session.scalar(sa.select(Department.id).where(Department.district_id == district.id)) is not None:
            continue
        name = pattern.format(district=district.name)
        department = db.session.scalar(sa.select(Department).where(Department.name == name))
        if department is None:
            department = Department(name=name)
            db.session.add(department)
            report.departments += 1
        department.handler_type = LOCAL_GOVERNMENT
        department.district = district


def seed_reference_data(data: dict | None = None) -> SeedReport:
    """Add the seed file's departments, categories, districts and a current campaign if missing."""
    data = data or load_seed_file()
    report = SeedReport()
    for position, entry in enumerate(data["categories"]):
        department = _department(entry["department"], report, data)
        if db.session.scalar(sa.select(Category).where(Category.code == entry["code"])) is None:
            db.session.add(
                Category(
                    code=entry["code"], name=entry.get("name", entry["code"]), department=department, position=position
                )
            )
            report.categories += 1
    for name in data["departments"]["manual"] + [data["departments"]["campaign_office"]]:
        _department(name, report, data)
    names = data["districts"]["names"] + [data["districts"]["citywide"]]
    existing = set(db.session.scalars(sa.select(District.name)))
    for position, name in enumerate(names):
        if name not in existing:
            db.session.add(District(name=name, position=position, is_citywide=name == data["districts"]["citywide"]))
            report.districts += 1
    db.session.flush()
    _district_governments(data, report)
    if db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 0:
        spec, today = data["campaign"], clock.local_today()
        campaign = Campaign(
            year=today.year,
            name=spec["name"].format(year=today.year, next_year=today.year + 1),
            opens_on=today - timedelta(days=spec["opens_days_before_today"]),
            closes_on=today + timedelta(days=spec["closes_days_after_today"]),
        )
        db.session.add(campaign)
        for domain in spec["domains"]:
            department = _department(domain["department"], report, data) if domain.get("department") else None
            taxonomy.add_domain(campaign, domain["name"], department, **taxonomy.signals_of(domain))
        report.campaigns += 1
    if db.session.scalar(sa.select(sa.func.count(TimeLimit.id))) == 0:
        for spec in data.get("time_limits", []):
            db.session.add(
                TimeLimit(
                    step=Step(spec["step"]),
                    urgency=Urgency(spec["urgency"]) if spec.get("urgency") else None,
                    amount=spec["amount"],
                    unit=TimeUnit(spec["unit"]),
                )
            )
            report.time_limits += 1
    if db.session.scalar(sa.select(sa.func.count(ReplyTemplate.id))) == 0:
        for spec in data.get("reply_templates", []):
            db.session.add(
                ReplyTemplate(
                    name=spec["name"],
                    body=spec["body"],
                    status=Status(spec["status"]) if spec.get("status") else None,
                )
            )
            report.reply_templates += 1
    if db.session.scalar(sa.select(sa.func.count(RoutingRule.id))) == 0:
        for position, spec in enumerate(data.get("routing_rules", [])):
            db.session.add(
                RoutingRule(
                    name=spec["name"],
                    keywords=spec["keywords"],
                    excludes=spec.get("excludes", ""),
                    department=_department(spec["department"], report, data),
                    priority=100 + position,
                )
            )
            report.routing_rules += 1
    db.session.flush()
    return report


def create_demo_accounts(data: dict | None = None, report: SeedReport | None = None) -> SeedReport:
    """Create the seed file's demo accounts that do not exist yet, with fresh random passwords."""
    data = data or load_seed_file()
    report = report or SeedReport()
    for spec in data["demo_accounts"]:
        if db.session.scalar(sa.select(StaffUser).where(StaffUser.username == spec["username"])) is not None:
            continue
        department = None
        if spec.get("department"):
            department = db.session.scalar(sa.select(Department).where(Department.name == spec["department"]))
        password = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
        user = StaffUser(
            username=spec["username"], display_name=spec["display_name"], role=Role(spec["role"]), department=department
        )
        user.set_password(password)
        db.session.add(user)
        report.accounts.append((user.username, password, user.role.label))
    db.session.flush()
    return report
