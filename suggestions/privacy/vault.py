"""Phone numbers (mobile, or landline with area code): validation, encryption at rest, keyed hashes, masking."""

from __future__ import annotations

import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# ASCII digits only: Python's \d would also accept Arabic-Indic and other digits.
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
# A landline with its area code: 010 and 02x take 8-digit numbers, the other (4-digit) codes 7 or 8 digits.
LANDLINE_RE = re.compile(r"^0(?:10|2[0-9])[0-9]{8}$|^0[3-9][0-9]{2}[0-9]{7,8}$")
_AREA_CODE = re.compile(r"^0(?:10|2[0-9]|[3-9][0-9]{2})")
_SEPARATORS = re.compile(r"[\s\-()（）.·]")
# 8613911112222: a mobile with the country code typed without its plus sign.
_BARE_COUNTRY_CODE = re.compile(r"^86(?=1[3-9][0-9]{9}$)")


class PhoneVault:
    """Encrypts, hashes and masks mobile numbers with keys from configuration."""

    def __init__(self, encryption_keys: str, hash_key: str):
        keys = [key.strip() for key in encryption_keys.split(",") if key.strip()]
        if not keys or not hash_key:
            raise ValueError("phone encryption and hash keys must be configured")
        self._fernet = MultiFernet([Fernet(key) for key in keys])
        self._hash_key = hash_key.encode()

    def encrypt(self, phone: str) -> str:
        return self._fernet.encrypt(phone.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("phone number cannot be decrypted with the configured keys") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a token under the primary (first) key."""
        return self._fernet.rotate(token.encode()).decode()

    def keyed_hash(self, purpose: str, value: str) -> str:
        """Return an HMAC-SHA256 hex digest; ``purpose`` separates uses of the same key."""
        return hmac.new(self._hash_key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def phone_hash(self, phone: str) -> str:
        return self.keyed_hash("phone", phone)


def normalize_phone(raw: str | None) -> str:
    """Strip spaces, dots, dashes, brackets and a +86 (or 0086, or bare 86 before a mobile) prefix from a typed
    number (+86 22 … is the landline 022 …)."""
    phone = _SEPARATORS.sub("", raw or "")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
            if phone[:1] not in ("1", "0", ""):
                phone = "0" + phone
    return _BARE_COUNTRY_CODE.sub("", phone)


def is_mobile(phone: str) -> bool:
    return bool(MOBILE_RE.match(phone))


def is_landline(phone: str) -> bool:
    return bool(LANDLINE_RE.match(phone))


def is_phone(phone: str) -> bool:
    """A number 12345 can call back: a mobile, or a landline with its area code."""
    return is_mobile(phone) or is_landline(phone)


def mask_phone(phone: str) -> str:
    """Show a mobile number as 138****5678 and a landline as 022****6789 (area code and last four)."""
    if is_landline(phone):
        return f"{_AREA_CODE.match(phone).group(0)}****{phone[-4:]}"
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"
