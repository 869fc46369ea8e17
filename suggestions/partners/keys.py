"""API keys of partner systems: issued once in clear, stored as SHA-256, revoked for good; changes flush.

A key is 32 random bytes, so a plain SHA-256 (not a slow password hash) is enough to make a stolen table useless,
and it lets a request find its key with one indexed look-up.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from limits import parse_many

from suggestions import clock
from suggestions.extensions import db
from suggestions.models import ApiKey, StaffUser
from suggestions.workflow import PARTNER_CHANNELS, Channel, WorkflowError

KEY_PREFIX = "jdz_"
DEFAULT_RATE_LIMIT = "60 per minute"
NAME_MAX = 64


@dataclass
class IssuedKey:
    row: ApiKey
    key: str  # shown once; only its hash is stored


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_rate_limit(text: str) -> str:
    """The rate limit as Flask-Limiter reads it (e.g. ``60 per minute;1000 per day``).

    :raise WorkflowError: if it cannot be read.
    """
    text = (text or "").strip()
    try:
        if not text or not parse_many(text):
            raise ValueError(text)
    except ValueError as exc:
        raise WorkflowError(
            "频率限制格式应为“60 per minute”，多个用分号隔开，例如“60 per minute;1000 per day”。"
        ) from exc
    return text


_PERIODS = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天", "month": "月", "year": "年"}


def describe_rate_limit(text: str) -> str:
    """A rate limit in Chinese: 60 per minute is 每分钟 60 次."""
    parts = []
    for item in parse_many(text):
        period = _PERIODS.get(item.GRANULARITY.name, item.GRANULARITY.name)
        every = f"每{item.multiples}{period}" if item.multiples > 1 else f"每{period}"
        parts.append(f"{every} {item.amount} 次")
    return "，".join(parts)


def issue_key(
    channel: Channel,
    name: str,
    *,
    rate_limit: str = DEFAULT_RATE_LIMIT,
    actor: StaffUser | None = None,
    now: datetime | None = None,
) -> IssuedKey:
    """Make a new key for a partner channel; the returned ``key`` is the only time it exists in clear."""
    if channel not in PARTNER_CHANNELS:
        raise WorkflowError("只能为天津政务网、北方网和12345系统创建接口密钥。")
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise WorkflowError(f"请填写密钥用途（最多 {NAME_MAX} 个字）。")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name,
        channel=channel,
        key_hash=key_hash(key),
        key_prefix=key[:12],
        rate_limit=check_rate_limit(rate_limit),
        created_at=now or clock.now(),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    return IssuedKey(row, key)


def revoke_key(row: ApiKey, *, actor: StaffUser | None = None, now: datetime | None = None) -> ApiKey:
    """Stop a key for good; requests carrying it are refused from the next one on."""
    if row.revoked_at is not None:
        raise WorkflowError("该密钥已停用。")
    row.revoked_at = now or clock.now()
    row.revoked_by_id = actor.id if actor else None
    db.session.flush()
    return row


def active_key(key: str | None) -> ApiKey | None:
    """The key row a request's ``api_key`` names, if it exists and is not revoked."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 128:
        return None
    row = db.session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == key_hash(key)))
    return row if row is not None and row.is_active else None


def all_keys() -> list[ApiKey]:
    return list(db.session.scalars(sa.select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())))
