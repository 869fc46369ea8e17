"""Public tracking codes and the credential a resident shows to open their tracking page.

A tracking code reads ``JDZ-2026-48291-73605``: the year, nine random digits and a check digit (Luhn), so it
cannot be guessed from a neighbour's code, a typo is caught before any look-up, and it is easy to read out on
the phone.  The credential is the full mobile number the resident left (staff see it masked), or, without a
number, a one-time 查询密钥 shown on the receipt.  Both are stored only as keyed hashes.
"""

from __future__ import annotations

import re
import secrets

from suggestions.privacy.vault import PhoneVault, normalize_phone

PREFIX = "JDZ"
RANDOM_DIGITS = 9
# Letters and digits that cannot be confused when read aloud or typed on a phone.
SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_FULL_WIDTH = str.maketrans("０１２３４５６７８９－—–", "0123456789---")
_CODE = re.compile(r"^JDZ-?(\d{4})-?(\d{5})-?(\d{5})$")


def luhn_digit(digits: str) -> str:
    """The Luhn check digit for ``digits`` (catches every single-digit error and most swaps)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            value = value - 9 if value > 9 else value
        total += value
    return str((10 - total % 10) % 10)


def new_tracking_code(year: int) -> str:
    digits = "".join(secrets.choice("0123456789") for _ in range(RANDOM_DIGITS))
    digits += luhn_digit(digits)
    return f"{PREFIX}-{year:04d}-{digits[:5]}-{digits[5:]}"


def parse_tracking_code(text: str | None) -> str | None:
    """The canonical code for what a resident or operator typed (spaces, lower case, full-width digits and
    missing dashes are forgiven), or None if it is not a valid code."""
    raw = (text or "").translate(_FULL_WIDTH).upper().replace(" ", "")
    match = _CODE.match(raw)
    if match is None:
        return None
    year, first, second = match.groups()
    digits = first + second
    if luhn_digit(digits[:-1]) != digits[-1]:
        return None
    return f"{PREFIX}-{year}-{first}-{second}"


def new_secret() -> str:
    raw = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def credential_value(typed: str) -> str:
    """What a typed credential means: a mobile number (digits only) or a 查询密钥 (normalised)."""
    phone = normalize_phone(typed)
    if phone.isdigit():
        return phone
    raw = "".join(ch for ch in (typed or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def access_hash(vault: PhoneVault, value: str, salt: str | None = None) -> str:
    """Return ``salt$hmac`` for a tracking-page credential (the phone number or the secret)."""
    salt = salt or secrets.token_hex(8)
    return f"{salt}${vault.keyed_hash('access', salt + ':' + value)[:40]}"


def verify_access(vault: PhoneVault, stored: str, typed: str) -> bool:
    salt, _, _digest = stored.partition("$")
    return secrets.compare_digest(stored, access_hash(vault, credential_value(typed), salt))
