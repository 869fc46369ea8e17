"""The one way a suggestion comes in, from every channel: record it, apply SUBMIT, and route it.

The web form, the QR form, the hotline, the partner API and the 12345 import all call ``submit``.  It stores
the suggestion through the ORM, applies SUBMIT through the transition table, and, given a route decision,
hands it to ``routing.dispatch.route`` in the same transaction, so a suggestion is in its department's queue
(or the manual queue) once the caller commits.  The caller commits once; an answer sent after that commit
means the suggestion is stored.

Idempotency has one mechanism: a key that is unique per channel (the partner's own id, the 12345 work-order
number, or, for a form, ``form_key``: the form's one-time key bound to the sender's session and to the text).  A stored key returns the first suggestion (``Receipt.replayed``); two
requests racing with the same key are settled by the database's unique constraint: the loser's transaction
is rolled back and it answers with the winner's suggestion.  So ``submit`` must be the first write of the
caller's transaction (every caller does exactly that).

(A savepoint would confine the rollback to the insert, but SQLite's Python driver needs its transaction
handling replaced for savepoints, and with that every request's reads open a transaction that then fails to
become a write transaction under concurrent load: 40 instead of 150 submissions a second in bench/burst.py.)
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from suggestions import clock
from suggestions.campaign.taxonomy import taxonomy_campaign
from suggestions.extensions import db
from suggestions.intake.tracking import access_hash, new_secret, new_tracking_code
from suggestions.models import Campaign, CampaignDomain, QrPoster, StaffUser, Suggestion
from suggestions.privacy.scrubbing import scrub_text
from suggestions.privacy.vault import PhoneVault, mask_phone
from suggestions.routing.decision import RouteDecision
from suggestions.routing.dispatch import route
from suggestions.routing.domains import DomainDecision, apply_domain, decide_domain
from suggestions.workflow import RESIDENT, SYSTEM, Action, Channel, DomainSource, Urgency, WorkflowError
from suggestions.workflow.steps import transition

# Characters no database column can hold (PostgreSQL refuses NUL; lone surrogates cannot be encoded).
# Forms already refuse them with a message; the service drops them so that no caller can lose a submission.
# A collision of random tracking codes is rare (ten digits a year); each attempt draws a new one.
CODE_ATTEMPTS = 5
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def storable_text(value: str | None) -> str:
    return _UNSTORABLE.sub("", value or "").strip()


@dataclass
class Intake:
    """What a resident, an operator or a partner system gives us; fields are already validated."""

    body: str
    title: str = ""
    district_id: int | None = None
    domain_id: int | None = None  # the campaign domain the resident (or operator) chose; one of the campaign's
    poster_id: int | None = None  # the QR poster a resident scanned
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None  # partner systems may pass one on; stored encrypted like the phone
    consent_version: str | None = None
    received_at: datetime | None = None
    campaign_id: int | None = None
    idempotency_key: str | None = None  # unique per channel
    urgency: Urgency = Urgency.GENERAL
    confidential: bool = False
    phone_withheld: bool = False  # 不愿留号: the caller was asked and declined (then ``phone`` is None)
    supports_id: int | None = (
        None  # 「我也有同样的建议」: the earlier idea this resident supports (checked by the caller)
    )


@dataclass
class Receipt:
    suggestion: Suggestion
    secret: str | None = None  # the one-time 查询密钥 for a resident who left no phone number
    replayed: bool = False


_FORM_KEY = re.compile(r"[0-9a-f]{32}")


def form_key(issued: str | None, sender: str, *typed: object) -> str | None:
    """The idempotency key of a form submission: the key the form issued, bound to who sent it and what they typed.

    The same form sent again from the same session with the same text is the same submission (a double click, a
    retry after a lost answer).  Anyone else replaying the key, or the same sender sending other text with it,
    makes a new suggestion: a key never opens someone else's receipt and never swallows a text.  A key the form
    could not have issued (not 32 hex digits) means no key.
    """
    if not (issued and _FORM_KEY.fullmatch(issued)):
        return None
    text = "\x1f".join(str(part or "") for part in typed)
    return hashlib.sha256(f"{sender}\x1f{issued}\x1f{text}".encode()).hexdigest()


def find_existing(channel: Channel, key: str | None) -> Suggestion | None:
    """The suggestion an earlier submission with the same key on the same channel created, if any."""
    if not key:
        return None
    return db.session.scalar(
        sa.select(Suggestion).where(Suggestion.channel == channel, Suggestion.idempotency_key == key)
    )


def submit(
    intake: Intake,
    *,
    channel: Channel,
    vault: PhoneVault,
    decision: RouteDecision | None,
    actor: StaffUser | None = None,
    now: datetime | None = None,
) -> Receipt:
    """Record a new suggestion and route it with ``decision`` (None: leave it 已受理 for a later ``route``).

    ``actor`` is the operator who entered a call; the resident (or partner system) otherwise.  The route is the
    operator's when the decision carries their choice, else the system's.

    :raise WorkflowError: if there is no text to store.
    """
    existing = find_existing(channel, intake.idempotency_key)
    if existing is not None:
        return Receipt(existing, replayed=True)
    title, body = storable_text(intake.title), storable_text(intake.body)
    if not body:
        raise WorkflowError("建议内容不能为空。")
    now = now or clock.now()
    received_at = intake.received_at or now
    domain = _domain(intake, title, body, decision, actor, received_at)
    suggestion, secret = _new_suggestion(intake, title, body, channel, vault, actor, received_at, now)
    route_actor = actor if actor is not None and decision is not None and decision.chosen else SYSTEM
    for attempt in range(CODE_ATTEMPTS):
        try:
            # One step: the route is applied inside SUBMIT, so both events and the routed row are one flush.
            with transition(
                suggestion, Action.SUBMIT, actor=actor or RESIDENT, details={"channel": channel.value}, now=now
            ):
                db.session.add(suggestion)
                apply_domain(suggestion, domain)
                if decision is not None:
                    route(suggestion, decision, actor=route_actor, now=now)
            break
        except IntegrityError:
            db.session.rollback()
            existing = find_existing(channel, intake.idempotency_key)
            if existing is not None:  # another request with the same key committed first (a double click)
                return Receipt(existing, replayed=True)
            if attempt == CODE_ATTEMPTS - 1:
                raise
            # The random tracking code was taken: draw another one.
            suggestion = _reset(suggestion, new_tracking_code(suggestion.code_year))
    return Receipt(suggestion, secret=secret)


def _domain(intake: Intake, title, body, decision, actor, received_at) -> DomainDecision:
    """The chosen domain (checked against the campaign) and the prediction beside it; see ``routing.domains``."""
    campaign = db.session.get(Campaign, intake.campaign_id) if intake.campaign_id else None
    chosen = db.session.get(CampaignDomain, intake.domain_id) if intake.domain_id else None
    if intake.domain_id and (chosen is None or (campaign is not None and chosen.campaign_id != campaign.id)):
        raise WorkflowError("所选建议领域不属于本次征集活动，请重新选择。")
    taxonomy = campaign or (chosen.campaign if chosen else taxonomy_campaign(clock.local(received_at).date()))
    chosen_by = DomainSource.OPERATOR if actor is not None else DomainSource.RESIDENT
    return decide_domain(title, body, decision, chosen, campaign=taxonomy, chosen_by=chosen_by)


def _reset(suggestion: Suggestion, code: str) -> Suggestion:
    """A copy of a suggestion whose insert was rolled back, with another tracking code."""
    columns = {attr.key: getattr(suggestion, attr.key) for attr in sa.inspect(Suggestion).column_attrs}
    columns.update(id=None, status=None, tracking_code=code)
    return Suggestion(**columns)


def _new_suggestion(intake, title, body, channel, vault, actor, received_at, now) -> tuple[Suggestion, str | None]:
    secret = None if intake.phone else new_secret()
    # Departments read the text with personal numbers masked; the campaign office can unseal the original.
    shown_title, shown_body = scrub_text(title), scrub_text(body)
    sealed = None
    if (shown_title, shown_body) != (title, body):
        sealed = vault.encrypt(json.dumps({"title": title, "body": body}, ensure_ascii=False))
    year = clock.local(received_at).year
    suggestion = Suggestion(
        tracking_code=new_tracking_code(year),
        code_year=year,
        campaign_id=intake.campaign_id,
        channel=channel,
        title=shown_title,
        body=shown_body,
        body_sealed=sealed,
        confidential=intake.confidential,
        district_id=intake.district_id,
        poster=db.session.get(QrPoster, intake.poster_id) if intake.poster_id and channel == Channel.QR else None,
        contact_name=storable_text(intake.contact_name) or None,
        consent_version=intake.consent_version,
        consented_at=now if intake.consent_version else None,
        received_at=received_at,
        created_at=now,
        operator_id=actor.id if actor else None,
        idempotency_key=intake.idempotency_key,
        urgency=intake.urgency,
        access_hash=access_hash(vault, intake.phone or secret),
        phone_withheld=intake.phone_withheld and not intake.phone,
        supports=db.session.get(Suggestion, intake.supports_id) if intake.supports_id else None,
    )
    if intake.phone:
        suggestion.phone_ciphertext = vault.encrypt(intake.phone)
        suggestion.phone_hash = vault.phone_hash(intake.phone)
        suggestion.phone_masked = mask_phone(intake.phone)
    if intake.email:
        suggestion.email_ciphertext = vault.encrypt(intake.email)
    return suggestion, secret
