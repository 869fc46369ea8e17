"""Messages to residents: written to the outbox with the change they report, sent later by a pluggable sender.

A decision on an idea, or a change of the project it fed, adds a ``Notification`` row in the same transaction,
so a message exists exactly when the change was committed.  A resident who left a phone number gets an SMS;
one who did not finds the message on the tracking page (the only way to reach them).

``flask suggestions send-notifications`` (a scheduled job, e.g. every minute) hands pending SMS to the sender
named by ``NOTIFICATION_SENDER``: any object with ``send(phone, text)`` that raises on failure.  The default,
``LoggingSender``, only logs the message with the number masked, so a real SMS gateway can be plugged in later
without touching the workflow.  The number is decrypted from the suggestion at sending time and never stored
in the outbox; an item anonymised in the meantime is not sent.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from flask import current_app

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import Notification, Project, Suggestion
from suggestions.privacy.scrubbing import scrub_text
from suggestions.privacy.vault import PhoneVault, mask_phone
from suggestions.workflow import LINKED_ADOPTIONS, Adoption

log = logging.getLogger(__name__)

SIGNATURE = "【天津民心工程】"
MAX_ATTEMPTS = 3


class Sender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Deliver ``text`` to ``phone``; raise on failure (the message is tried again later)."""


class LoggingSender:
    """The default sender: writes the message to the log with the number masked; sends nothing."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(phone), text)


def load_sender(path: str) -> Sender:
    """Instantiate ``module:Class`` (the ``NOTIFICATION_SENDER`` setting)."""
    module_name, _, name = path.partition(":")
    return getattr(importlib.import_module(module_name), name)()


def tracking_hint(suggestion: Suggestion) -> str:
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if base:
        return f"详情：{base}/track?code={suggestion.tracking_code}"
    return f"可凭追踪码 {suggestion.tracking_code} 在“金点子”网站查询详情。"


def project_name(project: Project) -> str:
    return f"{project.year}年民心工程第{project.number}项「{project.title}」"


def adoption_message(suggestion: Suggestion) -> str:
    """What the resident is told about the decision on their idea."""
    code, outcome, project = suggestion.tracking_code, suggestion.adoption, suggestion.project
    if outcome in (Adoption.ADOPTED, Adoption.PARTIALLY_ADOPTED):
        verb = "已被采纳" if outcome == Adoption.ADOPTED else "已被部分采纳"
        text = f"您的建议（{code}）{verb}，纳入{project_name(project)}。"
    elif outcome == Adoption.ALREADY_PLANNED:
        text = f"您的建议（{code}）所提事项已在{project_name(project)}中安排。"
    elif outcome == Adoption.NOT_ADOPTED:
        text = f"您的建议（{code}）经研究暂不采纳，原因：{suggestion.adoption_reason}。"
    else:
        text = f"您的建议（{code}）正在研究是否纳入民心工程。"
    return f"{SIGNATURE}{text}感谢您的金点子！{tracking_hint(suggestion)}"


def project_update_message(suggestion: Suggestion, project: Project, change: str) -> str:
    return f"{SIGNATURE}您建议（{suggestion.tracking_code}）相关的{project_name(project)}有新进展：{change}。{tracking_hint(suggestion)}"


def notify(
    suggestion: Suggestion, kind: str, body: str, *, project: Project | None = None, now: datetime | None = None
) -> Notification:
    """Put one message to the suggestion's resident in the outbox: an SMS if they left a phone, else the page."""
    now = now or clock.now()
    by_sms = suggestion.has_phone
    row = Notification(
        suggestion=suggestion,
        project_id=project.id if project is not None else None,
        kind=kind,
        medium="sms" if by_sms else "page",
        body=body,
        status="pending" if by_sms else "sent",
        created_at=now,
        sent_at=None if by_sms else now,
    )
    db.session.add(row)
    return row


def notify_adoption(suggestion: Suggestion, *, now: datetime | None = None) -> Notification | None:
    """Tell the resident about a decision (not about 研究中, which is no decision yet)."""
    if suggestion.adoption in (None, Adoption.EVALUATING):
        return None
    return notify(suggestion, "adoption", adoption_message(suggestion), project=suggestion.project, now=now)


def linked_suggestions(project: Project) -> list[Suggestion]:
    """Ideas whose decision names the project: they fed it, or it already covered them."""
    return list(
        db.session.scalars(
            sa.select(Suggestion)
            .where(Suggestion.project_id == project.id, Suggestion.adoption.in_(sorted(LINKED_ADOPTIONS)))
            .order_by(Suggestion.id)
        )
    )


def notify_project_change(project: Project, change: str, *, now: datetime | None = None) -> int:
    """Tell every resident whose idea is linked to ``project`` what changed; return how many were told."""
    items = linked_suggestions(project)
    for suggestion in items:
        notify(
            suggestion, "project_update", project_update_message(suggestion, project, change), project=project, now=now
        )
    return len(items)


def for_resident(suggestion: Suggestion) -> sa.Select:
    """The messages a resident sees on the tracking page, newest first."""
    return (
        sa.select(Notification)
        .where(Notification.suggestion_id == suggestion.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0


def send_pending(
    sender: Sender, vault: PhoneVault, *, limit: int = 500, now: datetime | None = None, commit=None
) -> SendReport:
    """Send pending SMS oldest first; each outcome is committed on its own (``commit``) so a crash resends little.

    A failure is tried again on the next run, up to ``MAX_ATTEMPTS`` times.
    """
    report = SendReport()
    commit = commit or db.session.commit
    ids = list(
        db.session.scalars(
            sa.select(Notification.id)
            .where(Notification.status == "pending", Notification.medium == "sms")
            .order_by(Notification.id)
            .limit(limit)
        )
    )
    for notification_id in ids:
        row = db.session.get(Notification, notification_id)
        row.attempts += 1
        try:
            phone = row.suggestion.phone_ciphertext
            if phone is None:
                raise LookupError("联系方式已匿名化，无法发送")
            sender.send(vault.decrypt(phone), row.body)
        except Exception as exc:  # any gateway error: keep the message, say why, try again later
            row.last_error = scrub_text(str(exc))[:200] or type(exc).__name__
            final = isinstance(exc, LookupError) or row.attempts >= MAX_ATTEMPTS
            row.status = "failed" if final else "pending"
            report.failed += final
            report.retrying += not final
            log.warning("notification %s not sent (attempt %s): %s", row.id, row.attempts, row.last_error)
        else:
            row.status, row.sent_at, row.last_error = "sent", now or clock.now(), None
            report.sent += 1
        commit()
    return report
