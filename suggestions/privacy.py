"""Personal data helpers: phone validation, encryption at rest, keyed hashes and masking."""

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


# Personal numbers typed into free text.  Matching runs on a copy with full-width
# digits folded to ASCII, so "１３８…" is caught too; the spans map 1:1 back.
_FOLD_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_ID_CARD = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])"
)
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0[1-9][0-9]{1,2}[ -]?[0-9]{7,8}(?![0-9])")


def _mask_span(text: str) -> str:
    digits = [ch for ch in text if ch.isalnum()]
    keep_head, keep_tail = (3, 4) if len(digits) >= 11 else (2, 2)
    return "".join(digits[:keep_head]) + "*" * (len(digits) - keep_head - keep_tail) + "".join(digits[-keep_tail:])


def scrub_text(text: str) -> str:
    """Mask ID-card, mobile and landline numbers in free text (110101********1234, 138****5678)."""
    if not text:
        return text
    folded = text.translate(_FOLD_DIGITS)
    spans = []
    for pattern in (_ID_CARD, _MOBILE_IN_TEXT, _LANDLINE):
        for match in pattern.finditer(folded):
            if not any(start < match.end() and match.start() < end for start, end in spans):
                spans.append((match.start(), match.end()))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + _mask_span(folded[start:end]) + text[end:]
    return text


def contains_personal_numbers(text: str) -> bool:
    return scrub_text(text) != text
