"""Each year's taxonomy: the campaign, its ordered domains and their default departments; changes flush.

The domains of a year are data an administrator edits.  A new campaign starts from a copy of the latest one's
domains (names, order and default departments) in one step; earlier years keep theirs, so old suggestions stay
filed under the domains they were filed under.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from suggestions.extensions import db
from suggestions.models import Campaign, CampaignDomain, Department, Project, Suggestion, split_words
from suggestions.workflow import WorkflowError

DOMAIN_NAME_MAX = 32


def latest_campaign(before_year: int | None = None) -> Campaign | None:
    """The campaign of the latest year (before ``before_year`` if given)."""
    query = sa.select(Campaign).order_by(Campaign.year.desc(), Campaign.opens_on.desc(), Campaign.id.desc())
    if before_year is not None:
        query = query.where(Campaign.year < before_year)
    return db.session.scalar(query.limit(1))


def open_campaign(today: date) -> Campaign | None:
    """The campaign whose intake window contains ``today`` (latest opened first)."""
    return db.session.scalar(
        sa.select(Campaign)
        .where(Campaign.opens_on <= today, Campaign.closes_on >= today)
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc())
        .limit(1)
    )


def taxonomy_campaign(today: date) -> Campaign | None:
    """The campaign whose domains apply today: the open one, else the latest that has opened, else the latest.

    The hotline takes calls outside the window too; they are filed under the domains in force.
    """
    return (
        open_campaign(today)
        or db.session.scalar(
            sa.select(Campaign)
            .where(Campaign.opens_on <= today)
            .order_by(Campaign.opens_on.desc(), Campaign.id.desc())
            .limit(1)
        )
        or latest_campaign()
    )


def campaign_years() -> list[int]:
    return list(db.session.scalars(sa.select(Campaign.year).distinct().order_by(Campaign.year.desc())))


def domain_in(campaign: Campaign | None, domain_id: int | None) -> CampaignDomain | None:
    """The domain with this id if it belongs to ``campaign`` (None otherwise: a stale or forged choice)."""
    if campaign is None or domain_id is None:
        return None
    domain = db.session.get(CampaignDomain, domain_id)
    return domain if domain is not None and domain.campaign_id == campaign.id else None


def domain_named(campaign: Campaign | None, name: str | None) -> CampaignDomain | None:
    """The campaign's domain of that name (for channels that send the name, such as partner systems)."""
    if campaign is None or not name:
        return None
    return db.session.scalar(
        sa.select(CampaignDomain).where(CampaignDomain.campaign_id == campaign.id, CampaignDomain.name == name.strip())
    )


def domain_names() -> list[str]:
    """Every domain name any year used, in the latest year's order first (for filters across years)."""
    rows = db.session.execute(
        sa.select(CampaignDomain.name, Campaign.year, CampaignDomain.position)
        .join(Campaign, Campaign.id == CampaignDomain.campaign_id)
        .order_by(Campaign.year.desc(), CampaignDomain.position, CampaignDomain.id)
    )
    names: list[str] = []
    for name, _year, _position in rows:
        if name not in names:
            names.append(name)
    return names


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise WorkflowError("请填写领域名称。")
    if len(name) > DOMAIN_NAME_MAX:
        raise WorkflowError(f"领域名称最多 {DOMAIN_NAME_MAX} 个字。")
    return name


# What predicts a domain besides the domain model (see routing.domains); each a 、-separated list.
SIGNALS = ("keywords", "excludes", "handler_types", "categories")


def signals_of(source) -> dict[str, str]:
    """The prediction signals of a domain, or of a mapping such as a seed file's entry (missing ones empty)."""
    get = source.get if isinstance(source, dict) else lambda name, default: getattr(source, name) or default
    return {name: "、".join(split_words(get(name, ""))) for name in SIGNALS}


def add_domain(
    campaign: Campaign, name: str, default_department: Department | None = None, **signals: str
) -> CampaignDomain:
    """Append a domain to the campaign's list (``signals``: keywords, excludes, handler_types, categories)."""
    name = _clean_name(name)
    if domain_named(campaign, name) is not None:
        raise WorkflowError(f"{campaign.year}年已有领域「{name}」。")
    position = max((d.position for d in campaign.domains), default=-1) + 1
    domain = CampaignDomain(
        campaign=campaign,
        name=name,
        position=position,
        default_department=default_department,
        **signals_of(signals),
    )
    db.session.add(domain)
    db.session.flush()
    return domain


def update_domain(
    domain: CampaignDomain, *, name: str, default_department: Department | None, **signals: str
) -> CampaignDomain:
    """Rename a domain, change its default department or its prediction signals; its suggestions stay filed."""
    name = _clean_name(name)
    clash = domain_named(domain.campaign, name)
    if clash is not None and clash is not domain:
        raise WorkflowError(f"{domain.campaign.year}年已有领域「{name}」。")
    domain.name, domain.default_department = name, default_department
    for field, value in signals_of(signals).items():
        setattr(domain, field, value)
    db.session.flush()
    return domain


def move_domain(domain: CampaignDomain, step: int) -> None:
    """Move a domain one place up (-1) or down (+1) in its campaign's order."""
    ordered = list(domain.campaign.domains)
    index = ordered.index(domain)
    other = index + step
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered):
        row.position = position
    db.session.flush()


def delete_domain(domain: CampaignDomain) -> None:
    """Remove a domain nobody uses yet; one with suggestions or projects stays (rename it instead)."""
    used = db.session.scalar(
        sa.select(sa.func.count(Suggestion.id)).where(
            sa.or_(Suggestion.domain_id == domain.id, Suggestion.predicted_domain_id == domain.id)
        )
    ) or db.session.scalar(sa.select(sa.func.count(Project.id)).where(Project.domain_id == domain.id))
    if used:
        raise WorkflowError(f"领域「{domain.name}」已有建议或项目使用，不能删除；可以改名。")
    domain.campaign.domains.remove(domain)
    db.session.flush()


def copy_domains(source: Campaign, target: Campaign) -> int:
    """Give ``target`` the domains of ``source`` it does not have yet, in order, with their default departments."""
    added = 0
    for domain in source.domains:
        if domain_named(target, domain.name) is None:
            add_domain(target, domain.name, domain.default_department, **signals_of(domain))
            added += 1
    return added


def save_campaign(
    row: Campaign | None, *, year: int, name: str, opens_on: date, closes_on: date, copy_from: Campaign | None = None
) -> Campaign:
    """Create (``row`` None) or update a campaign; a new one starts with a copy of ``copy_from``'s domains."""
    if opens_on > closes_on:
        raise WorkflowError("截止日期不能早于开始日期。")
    new = row is None
    if new:
        row = Campaign()
        db.session.add(row)
    row.year, row.name, row.opens_on, row.closes_on = year, name, opens_on, closes_on
    db.session.flush()
    if new and copy_from is not None:
        copy_domains(copy_from, row)
    return row
