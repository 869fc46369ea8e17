"""Recording new suggestions from residents and operators, and routing them.

The hotline routes at once (the operator confirms the route while the caller waits). The public form
routes at once too, except on a busy worker (``suggestions.request_rate``): then it only records, and
``suggestions.background_routing`` routes what it recorded a moment later.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import Category, Department, StaffUser, Suggestion, SuggestionEvent
from suggestions.privacy import PhoneVault, mask_phone, scrub_text
from suggestions.routing import RouteDecision
from suggestions.services.core import event_fields, transition
from suggestions.workflow import RESIDENT, SYSTEM, Action, Channel, Status, Urgency, WorkflowError

# Characters no database column can hold (PostgreSQL refuses NUL; lone surrogates cannot be encoded).
# Forms already refuse them with a message; the service drops them so that no caller can lose a submission.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def storable_text(value: str) -> str:
    return _UNSTORABLE.sub("", value).strip()


# Letters and digits that cannot be confused when read aloud or typed on a phone.
SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class Intake:
    """What a resident or an operator gives us; fields are already validated by a form."""

    body: str
    title: str = ""
    district_id: int | None = None
    topic_hint: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    consent_version: str | None = None
    received_at: datetime | None = None
    campaign_id: int | None = None
    idempotency_key: str | None = None
    urgency: Urgency = Urgency.GENERAL
    confidential: bool = False


@dataclass
class ManualRoute:
    """An operator's choice at intake: a department (and category), or manual dispatch."""

    category: Category | None = None
    department: Department | None = None


@dataclass
class Receipt:
    suggestion: Suggestion
    secret: str | None = None
    replayed: bool = False


def new_secret() -> str:
    raw = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_secret(value: str) -> str:
    raw = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def access_hash(vault: PhoneVault, value: str, salt: str | None = None) -> str:
    """Return ``salt$hmac`` for a tracking-page credential (phone last four or secret)."""
    salt = salt or secrets.token_hex(8)
    return f"{salt}${vault.keyed_hash('access', salt + ':' + value)[:40]}"


def verify_access(vault: PhoneVault, stored: str, value: str) -> bool:
    salt, _, _digest = stored.partition("$")
    return secrets.compare_digest(stored, access_hash(vault, value, salt))


def submit_suggestion(
    intake: Intake,
    *,
    channel: Channel,
    decision: RouteDecision | None,
    vault: PhoneVault,
    actor: StaffUser | None = None,
    manual_route: ManualRoute | None = None,
    now: datetime | None = None,
) -> Receipt:
    """Record a new suggestion and, given a ``decision``, route it at once (department queue or manual dispatch).

    Without a decision the suggestion stays 已受理 for ``route_accepted`` to route later.
    A repeated ``idempotency_key`` returns the suggestion stored the first time.
    """
    if decision is not None:
        # Recording without a decision finds a stored key in its INSERT instead (_insert_recorded).
        existing = find_by_idempotency_key(intake.idempotency_key)
        if existing is not None:
            return Receipt(existing, replayed=True)
    title, body = storable_text(intake.title), storable_text(intake.body)
    if not body:
        raise WorkflowError("建议内容不能为空。")
    now = now or clock.now()
    received_at = intake.received_at or now
    secret = None if intake.phone else new_secret()
    # Departments read the text with personal numbers masked; the campaign office can unseal the original.
    shown_title, shown_body = scrub_text(title), scrub_text(body)
    sealed = None
    if (shown_title, shown_body) != (title, body):
        sealed = vault.encrypt(json.dumps({"title": title, "body": body}, ensure_ascii=False))
    suggestion = Suggestion(
        code_year=clock.local(received_at).year,
        campaign_id=intake.campaign_id,
        channel=channel,
        status=Status.ACCEPTED,
        title=shown_title,
        body=shown_body,
        body_sealed=sealed,
        confidential=intake.confidential,
        district_id=intake.district_id,
        topic_hint=intake.topic_hint or None,
        contact_name=storable_text(intake.contact_name or "") or None,
        consent_version=intake.consent_version,
        consented_at=now if intake.consent_version else None,
        received_at=received_at,
        created_at=now,
        operator_id=actor.id if actor else None,
        idempotency_key=intake.idempotency_key,
        urgency=intake.urgency,
        access_hash=access_hash(vault, intake.phone[-4:] if intake.phone else secret),
    )
    if intake.phone:
        suggestion.phone_ciphertext = vault.encrypt(intake.phone)
        suggestion.phone_hash = vault.phone_hash(intake.phone)
        suggestion.phone_masked = mask_phone(intake.phone)
    submitted = event_fields(
        Action.SUBMIT,
        actor or RESIDENT,
        from_status=None,
        to_status=Status.ACCEPTED,
        details={"channel": channel.value},
        now=now,
    )
    if decision is None:
        if not _insert_recorded(suggestion, submitted):
            return Receipt(find_by_idempotency_key(intake.idempotency_key), replayed=True)
        return Receipt(suggestion, secret=secret)
    apply_prediction(suggestion, decision)
    db.session.add(suggestion)
    db.session.add(SuggestionEvent(suggestion=suggestion, **submitted))
    # No flush yet: routing's transition flushes the suggestion and both events together.
    _route_new(suggestion, decision, actor, manual_route, now)
    return Receipt(suggestion, secret=secret)


_INSERT_EVENT = sa.insert(SuggestionEvent.__table__)


@functools.cache
def _insert_suggestion(dialect: str) -> sa.Insert:
    """An INSERT that skips a row whose idempotency key is stored already (a double click, a retry).

    Built once per database kind, so its compiled form is cached; values go as bound parameters.
    """
    table = Suggestion.__table__
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"])
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"])
    return sa.insert(table)  # elsewhere the unique key raises, and submit_and_commit answers with the first


def _insert_recorded(suggestion: Suggestion, submitted: dict) -> bool:
    """Write a suggestion that is only recorded (no route yet) and its submit event with two plain INSERTs.

    This is the public form's path on a busy worker (a QR-code burst), where the unit of work's bookkeeping for
    two new objects, and a look-up of the idempotency key, cost more than the two inserts.  Afterwards the
    suggestion sits in the session as if it had been loaded, every column known, so the receipt reads it
    without a query and later verbs change it as usual.

    :return: False, writing nothing, if a suggestion with the same idempotency key is stored already.
    """
    state = sa.inspect(suggestion)
    columns = sa.inspect(Suggestion).column_attrs
    values = {attr.columns[0].name: state.dict[attr.key] for attr in columns if attr.key in state.dict}
    connection = db.session.connection()
    inserted = connection.execute(_insert_suggestion(connection.dialect.name), values)
    # PostgreSQL returns no key for a skipped row; SQLite counts no row (its last row id would be stale).
    if inserted.rowcount == 0 or inserted.inserted_primary_key is None:
        return False
    suggestion_id = inserted.inserted_primary_key[0]
    stored = inserted.last_inserted_params()  # with the columns' defaults filled in
    connection.execute(_INSERT_EVENT, {"suggestion_id": suggestion_id, **submitted})
    suggestion.id = suggestion_id
    make_transient_to_detached(suggestion)
    for attr in columns:
        if attr.key not in state.dict:
            set_committed_value(suggestion, attr.key, stored.get(attr.columns[0].name))
    db.session.add(suggestion)
    return True


def route_accepted(suggestion: Suggestion, decision: RouteDecision, now: datetime | None = None) -> None:
    """Route a suggestion recorded without a decision: its department's queue, or manual dispatch.

    :raise WorkflowError: if it is no longer 已受理 (a dispatcher got there first); nothing is changed then.
    """
    if suggestion.status != Status.ACCEPTED:
        raise WorkflowError("该建议已分拨，无需再次自动分拨。")
    apply_prediction(suggestion, decision)
    _route_new(suggestion, decision, None, None, now or clock.now())


def flag_unroutable(suggestion: Suggestion, now: datetime | None = None) -> None:
    """Send a suggestion the router could not decide on to manual dispatch, so it never waits unseen."""
    transition(
        suggestion,
        Action.FLAG_FOR_TRIAGE,
        actor=SYSTEM,
        reason="自动分拨未能完成，转人工分拨",
        now=now or clock.now(),
    )


def find_by_idempotency_key(key: str | None) -> Suggestion | None:
    """The suggestion an earlier submission of the same form created, if any."""
    if not key:
        return None
    # Nearly every submission is new: look up the id alone, which is far cheaper than loading a suggestion
    # with its eager joins, and load the suggestion only for a replay.
    found = db.session.scalar(sa.select(Suggestion.id).where(Suggestion.idempotency_key == key))
    return db.session.get(Suggestion, found) if found is not None else None


def apply_prediction(suggestion: Suggestion, decision: RouteDecision) -> None:
    """Store what the model said, so later overrides stay visible and can feed retraining."""
    suggestion.predicted_category = decision.candidates[0].label if decision.candidates else None
    suggestion.prediction_confidence = decision.category_confidence
    suggestion.prediction_candidates = [[c.label, c.probability] for c in decision.candidates]
    suggestion.prediction_explanation = [[word, weight] for word, weight in decision.explanation]
    suggestion.model_version = decision.model_version
    suggestion.route_reason = decision.route_reason or (decision.reason if decision.needs_district else None)
    suggestion.predicted_department = decision.department
    if decision.handler is not None:
        suggestion.predicted_handler_type = decision.handler.handler_type
        suggestion.handler_confidence = decision.handler.confidence
    suggestion.department_candidates = [
        [c.department.id, c.probability, c.basis] for c in decision.department_candidates
    ]


def _route_new(
    suggestion: Suggestion,
    decision: RouteDecision,
    operator: StaffUser | None,
    manual_route: ManualRoute | None,
    now: datetime,
) -> None:
    details = {
        "confidence": decision.confidence,
        "threshold": decision.threshold,
        "model_version": decision.model_version,
        "reason": decision.reason,
        "handler_type": decision.handler.handler_type if decision.handler else None,
        "basis": decision.basis,
    }
    if manual_route is not None and operator is not None:
        if manual_route.department is None:
            transition(
                suggestion,
                Action.FLAG_FOR_TRIAGE,
                actor=operator,
                reason="话务员选择转人工分拨",
                details=details,
                now=now,
            )
            return
        transition(
            suggestion,
            Action.ROUTE_AT_INTAKE,
            actor=operator,
            department=manual_route.department,
            category=manual_route.category,
            details=details,
            now=now,
        )
        return
    if decision.automatic:
        transition(
            suggestion,
            Action.AUTO_DISPATCH,
            actor=SYSTEM,
            department=decision.department,
            category=decision.category,
            details=details,
            now=now,
        )
    else:
        transition(suggestion, Action.FLAG_FOR_TRIAGE, actor=SYSTEM, reason=decision.reason, details=details, now=now)
