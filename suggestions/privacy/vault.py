"""Phone numbers: validation, encryption at rest, keyed hashes for matching, and masking."""

from __future__ import annotations

import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# ASCII digits only: Python's \d would also accept Arabic-Indic and other digits.
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")


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
    """Strip spaces, dashes, brackets and a +86 prefix from a typed number."""
    phone = _SEPARATORS.sub("", raw or "")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    return phone


def is_mobile(phone: str) -> bool:
    return bool(MOBILE_RE.match(phone))


def mask_phone(phone: str) -> str:
    """Show a mobile number as 138****5678."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"
