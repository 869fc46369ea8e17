"""Export rows of a queue filter: plain values read in batches, masked unless the export is unmasked.

The rows are read as columns (not ORM objects), ``yield_per`` at a time, so a 100,000-row export keeps memory
flat and nothing it reads can be expired by a commit while the response streams.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.insight import queues
from suggestions.models import Campaign, CampaignDomain, Category, Department, District, Suggestion
from suggestions.privacy.vault import PhoneVault
from suggestions.workflow import STATUS_LABELS, Channel, Status
from suggestions.workflow.deadlines import deadline_state

HEADER = (
    "追踪码",
    "受理时间",
    "渠道",
    "状态",
    "时限",
    "征集年度",
    "领域",
    "类别",
    "承办部门",
    "所在区",
    "标题",
    "内容",
    "联系人",
    "联系电话",
)
# Column widths in the XLSX file (characters), in HEADER's order.
WIDTHS = (22, 17, 10, 10, 9, 9, 12, 12, 22, 9, 30, 60, 10, 14)
BATCH = 1000
DEADLINE_LABELS = {"overdue": "超期", "due_soon": "即将超期"}


def mask_name(name: str | None) -> str:
    return (name[0] + "*" * (len(name) - 1)) if name else ""


def export_query(f: queues.QueueFilter, now: datetime, due_soon: timedelta) -> sa.Select:
    """The columns of the export for the suggestions ``f`` selects, in the queue's order."""
    query = (
        sa.select(
            Suggestion.tracking_code,
            Suggestion.received_at,
            Suggestion.channel,
            Suggestion.status,
            Suggestion.due_at,
            Campaign.year,
            CampaignDomain.name,
            Category.name,
            Department.name,
            District.name,
            Suggestion.title,
            Suggestion.body,
            Suggestion.contact_name,
            Suggestion.phone_masked,
            Suggestion.phone_ciphertext,
            Suggestion.confidential,
        )
        .select_from(Suggestion)
        .outerjoin(Campaign, Suggestion.campaign_id == Campaign.id)
        .outerjoin(CampaignDomain, Suggestion.domain_id == CampaignDomain.id)
        .outerjoin(Category, Suggestion.category_id == Category.id)
        .outerjoin(Department, Suggestion.department_id == Department.id)
        .outerjoin(District, Suggestion.district_id == District.id)
    )
    return queues.narrowed(query, f, now, due_soon)


def export_rows(
    f: queues.QueueFilter, *, now: datetime, due_soon: timedelta, unmasked: bool, vault: PhoneVault
) -> Iterator[list]:
    """The export's rows (without the header) for the suggestions ``f`` selects.

    Masked: names as 王**, phones as stored masked; 保密 items show 保密 instead of any contact.  Unmasked: the
    name and the decrypted phone.
    """
    result = db.session.execute(export_query(f, now, due_soon).execution_options(yield_per=BATCH))
    try:
        yield from _formatted(result, now=now, due_soon=due_soon, unmasked=unmasked, vault=vault)
    finally:
        result.close()  # a download broken off leaves no server-side cursor open (PostgreSQL)


def _formatted(result, *, now: datetime, due_soon: timedelta, unmasked: bool, vault: PhoneVault) -> Iterator[list]:
    for (
        code,
        received_at,
        channel,
        status,
        due_at,
        year,
        domain,
        category,
        department,
        district,
        title,
        body,
        name,
        phone_masked,
        phone_ciphertext,
        confidential,
    ) in result:
        if confidential and not unmasked:
            contact, phone = "保密", "保密"
        elif unmasked:
            contact, phone = name or "", vault.decrypt(phone_ciphertext) if phone_ciphertext else ""
        else:
            contact, phone = mask_name(name), phone_masked or ""
        yield [
            code,
            clock.local(received_at).strftime("%Y-%m-%d %H:%M"),
            Channel(channel).label,
            STATUS_LABELS[Status(status)],
            DEADLINE_LABELS.get(deadline_state(due_at, now, due_soon), ""),
            year or "",
            domain or "",
            category or "",
            department or "",
            district or "",
            title or "",
            body,
            contact,
            phone,
        ]
