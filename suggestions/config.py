"""Configuration read from the environment and the instance folder.

Secrets come from environment variables or from a keys file which ``python -m suggestions.keys`` creates once:
``SECRETS_FILE`` if set (keep it apart from the data), else ``instance/secrets.toml`` for a local ``make run``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))

SECRET_NAMES = ("SECRET_KEY", "PHONE_ENCRYPTION_KEYS", "PHONE_HASH_KEY")


def database_url(url: str | None) -> str:
    """Return a SQLAlchemy URL; plain postgres URLs are pointed at the psycopg 3 driver."""
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'jindianzi.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secrets_path() -> Path:
    """Where the keys file is: ``SECRETS_FILE``, else ``instance/secrets.toml``.

    Keep it outside the data folder in production (e.g. ``/etc/jindianzi/secrets.toml``), so that a backup of
    ``instance/`` (the SQLite database) does not carry the key that decrypts its phone numbers.
    """
    return Path(os.environ.get("SECRETS_FILE") or INSTANCE_DIR / "secrets.toml")


def _secrets_file() -> dict:
    path = secrets_path()
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _optional_float(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


def load_config() -> dict:
    """Collect the settings for a production or ``make run`` process."""
    secrets = _secrets_file()
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL")),
        "CLASSIFIER_MODEL_PATH": os.environ.get(
            "CLASSIFIER_MODEL_PATH", str(INSTANCE_DIR / "models" / "suggestion_router.joblib")
        ),
        "CLASSIFIER_DATA_DIR": os.environ.get("CLASSIFIER_DATA_DIR", str(PROJECT_ROOT.parent / "shared" / "data")),
        "CONFIDENCE_THRESHOLD": _optional_float(os.environ.get("CONFIDENCE_THRESHOLD")),
        # database:// counts in the application's database (shared by all workers and servers, see web/ratelimit.py).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "database://"),
        "PROXY_FIX_X_FOR": int(os.environ.get("PROXY_FIX_X_FOR", "0")),
        # The site's public address, for links in SMS and on QR posters (default: the address of the request).
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        "NOTIFICATION_SENDER": os.environ.get("NOTIFICATION_SENDER", Config.NOTIFICATION_SENDER),
    }
    for name in SECRET_NAMES:
        config[name] = os.environ.get(name) or secrets.get(name)
    return config


class Config:
    """Defaults shared by every environment; ``load_config`` and test overrides sit on top."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    MAX_CONTENT_LENGTH = 256 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a long phone call must not expire the hotline form
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Browsers keep Secure cookies over http only on localhost; serve anything else over HTTPS.
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600

    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STORAGE_URI = "database://"
    RATELIMIT_STRATEGY = "sliding-window-counter"
    # Public form: per visitor (the browser's own token) at an address, a higher ceiling per address (a community
    # centre's Wi-Fi or a carrier's NAT puts many residents behind one), and per phone number.
    # Hotline: per workstation and per caller.
    PUBLIC_SUBMIT_LIMIT = "10 per minute;60 per hour"
    PUBLIC_ADDRESS_LIMIT = "60 per minute;600 per hour"
    PHONE_SUBMIT_LIMIT = "5 per hour;20 per day"
    SIMILAR_IDEAS_LIMIT = "30 per minute;300 per hour"  # the public form's look-up while a resident types
    HOTLINE_LIMIT = "60 per minute"
    HOTLINE_PHONE_LIMIT = "10 per hour"
    LOGIN_LIMIT = "20 per minute"
    # Open311: reads per client address; posts per address (each partner key also has its own limit).
    OPEN311_READ_LIMIT = "120 per minute"
    OPEN311_POST_ADDRESS_LIMIT = "600 per minute"
    # Failures, in growing tiers: wrong passwords per (account, address); wrong tracking credentials per code
    # and per address.  Known and unknown accounts and codes are counted alike.
    LOGIN_FAILURE_LIMITS = "5 per 5 minutes;10 per hour;20 per day"
    TRACK_CODE_FAILURE_LIMITS = "5 per 15 minutes;10 per hour;20 per day"
    TRACK_ADDRESS_FAILURE_LIMITS = "20 per 15 minutes;50 per hour;200 per day"
    RETENTION_MONTHS = 24

    PRIVACY_NOTICE_VERSION = "2026-01"
    # Used when neither configuration nor the model card gives a threshold.
    FALLBACK_CONFIDENCE_THRESHOLD = 0.6
    # How often a worker checks whether a newer model was promoted.
    CLASSIFIER_RELOAD_SECONDS = 10
    QUEUE_PAGE_SIZE = 25
    # Items due within this many hours are flagged 即将超期.
    DUE_SOON_HOURS = 24
    # Who delivers SMS to residents (`module:Class` with send(phone, text)); the default only logs, number masked.
    NOTIFICATION_SENDER = "suggestions.campaign.notifications:LoggingSender"
    PUBLIC_BASE_URL = ""
