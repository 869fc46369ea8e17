"""Disclosure of personal data: audited reveals, the audit log, retention and key rotation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import AuditEntry, StaffUser, Suggestion
from suggestions.privacy.vault import PhoneVault, mask_phone
from suggestions.workflow import SYSTEM, TERMINAL_STATUSES, Action, NotPermitted, Role, WorkflowError
from suggestions.workflow.steps import transition

DAYS_PER_MONTH = 30


def record_audit(
    actor: StaffUser | None, action: str, *, reason: str = "", details: dict | None = None, now: datetime | None = None
) -> AuditEntry:
    """Append an audit entry for a sensitive action that is not about one suggestion (e.g. an export)."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        reason=(reason or "").strip(),
        details=details or {},
        created_at=now or clock.now(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


PHONE_LOOKUP = "phone_lookup"


def record_phone_lookup(actor: StaffUser, phone: str, *, found: int, where: str, masked: bool = False) -> AuditEntry:
    """Audit a search for a resident's items by phone number, like a reveal: who, when, which number (masked).

    ``masked``: ``phone`` is already the masked number (the queue search only carries the number's keyed hash).
    """
    shown = phone if masked else mask_phone(phone)
    return record_audit(actor, PHONE_LOOKUP, details={"phone": shown, "rows": found, "where": where})


def anonymise_closed(months: int, *, now: datetime | None = None, batch: int = 500) -> int:
    """Erase contact data of items closed more than ``months`` ago; return how many were anonymised.

    The suggestion text (already masked), its history and the resident's tracking
    credential stay; name, phone, the repeat-caller hash and the sealed original go.
    """
    now = now or clock.now()
    cutoff = now - timedelta(days=months * DAYS_PER_MONTH)
    has_contact = sa.or_(
        Suggestion.phone_ciphertext.is_not(None),
        Suggestion.email_ciphertext.is_not(None),
        Suggestion.contact_name.is_not(None),
        Suggestion.body_sealed.is_not(None),
    )
    done = 0
    while True:
        items = db.session.scalars(
            sa.select(Suggestion)
            .where(
                Suggestion.status.in_(TERMINAL_STATUSES),
                sa.func.coalesce(Suggestion.closed_at, Suggestion.received_at) < cutoff,
                has_contact,
            )
            .limit(batch)
        ).all()
        if not items:
            return done
        for suggestion in items:
            with transition(suggestion, Action.ANONYMISE, actor=SYSTEM, details={"months": months}, now=now):
                suggestion.contact_name = None
                suggestion.phone_ciphertext = None
                suggestion.phone_hash = None
                suggestion.phone_masked = None
                suggestion.email_ciphertext = None
                suggestion.body_sealed = None
            done += 1


def rotate_phone_key(vault) -> int:
    """Re-encrypt stored phone numbers, e-mail addresses and sealed texts under the first configured key."""
    count = 0
    for suggestion in db.session.scalars(
        sa.select(Suggestion).where(
            sa.or_(
                Suggestion.phone_ciphertext.is_not(None),
                Suggestion.email_ciphertext.is_not(None),
                Suggestion.body_sealed.is_not(None),
            )
        )
    ):
        if suggestion.phone_ciphertext:
            suggestion.phone_ciphertext = vault.rotate(suggestion.phone_ciphertext)
        if suggestion.email_ciphertext:
            suggestion.email_ciphertext = vault.rotate(suggestion.email_ciphertext)
        if suggestion.body_sealed:
            suggestion.body_sealed = vault.rotate(suggestion.body_sealed)
        count += 1
    db.session.flush()
    return count


def reveal_phone(
    suggestion: Suggestion, *, actor: StaffUser, reason: str, vault: PhoneVault, now: datetime | None = None
) -> str:
    """Return the full phone number and leave an audit event saying who looked and why."""
    if suggestion.confidential and actor.role == Role.OFFICER:
        raise NotPermitted("该建议要求保密，承办部门不能查看建议人的联系方式，回访由12345热线负责。")
    if not suggestion.has_phone:
        raise WorkflowError("该建议没有留联系电话。")
    with transition(suggestion, Action.REVEAL_CONTACT, actor=actor, reason=reason, now=now):
        pass
    return vault.decrypt(suggestion.phone_ciphertext)


def reveal_original(
    suggestion: Suggestion, *, actor: StaffUser, reason: str, vault: PhoneVault, now: datetime | None = None
) -> dict:
    """Return the title and body as the resident typed them, personal numbers included; audited."""
    if suggestion.body_sealed is None:
        raise WorkflowError("该建议原文中没有被遮盖的个人信息。")
    with transition(suggestion, Action.REVEAL_TEXT, actor=actor, reason=reason, now=now):
        pass
    return json.loads(vault.decrypt(suggestion.body_sealed))
