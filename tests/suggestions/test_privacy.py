"""Phone numbers: validation, encryption at rest, keyed hashes, masking and key rotation."""

import pytest
from cryptography.fernet import Fernet

from suggestions.privacy import PhoneVault, is_mobile, mask_phone, normalize_phone


@pytest.mark.parametrize(
    ("raw", "normalized", "valid"),
    [
        ("13812345678", "13812345678", True),
        ("138 1234 5678", "13812345678", True),
        ("+86 138-1234-5678", "13812345678", True),
        ("19912345678", "19912345678", True),
        ("12812345678", "12812345678", False),
        ("1381234567", "1381234567", False),
        ("022-12345678", "02212345678", False),
    ],
)
def test_mainland_mobile_numbers(raw, normalized, valid):
    assert normalize_phone(raw) == normalized
    assert is_mobile(normalized) is valid


def test_mask():
    assert mask_phone("13812345678") == "138****5678"


def test_encryption_round_trip_and_rotation():
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old = PhoneVault(old_key, "hash-key")
    token = old.encrypt("13812345678")
    assert "13812345678" not in token
    rotated_vault = PhoneVault(f"{new_key},{old_key}", "hash-key")
    assert rotated_vault.decrypt(token) == "13812345678"
    rotated = rotated_vault.rotate(token)
    assert PhoneVault(new_key, "hash-key").decrypt(rotated) == "13812345678"
    with pytest.raises(ValueError):
        PhoneVault(new_key, "hash-key").decrypt(token)


def test_keyed_hash_matches_repeat_callers_and_depends_on_the_key():
    vault = PhoneVault(Fernet.generate_key().decode(), "key-one")
    assert vault.phone_hash("13812345678") == vault.phone_hash("13812345678")
    assert vault.phone_hash("13812345678") != PhoneVault(Fernet.generate_key().decode(), "key-two").phone_hash(
        "13812345678"
    )


def test_missing_keys_are_refused():
    with pytest.raises(ValueError):
        PhoneVault("", "x")
