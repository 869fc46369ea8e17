"""Phone numbers: validation, encryption at rest, keyed hashes, masking and key rotation."""

import pytest
from cryptography.fernet import Fernet

from suggestions.privacy.vault import PhoneVault, is_mobile, mask_phone, normalize_phone


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的电话13812345678请回电", "我的电话138****5678请回电"),
        ("电话 138 1234 5678 谢谢", "电话 138****5678 谢谢"),
        ("电话138-1234-5678", "电话138****5678"),
        ("全角１３８１２３４５６７８", "全角138****5678"),
        ("身份证110101199003071234。", "身份证110***********1234。"),
        ("身份证11010119900307123X", "身份证110***********123X"),
        ("座机022-23456789", "座机022****6789"),
        ("面积13812345平方米", "面积13812345平方米"),
        ("2026年10月1日8点", "2026年10月1日8点"),
        ("订单号2023100112345678901", "订单号2023100112345678901"),
        ("", ""),
    ],
)
def test_scrub_text_masks_personal_numbers_only(text, expected):
    from suggestions.privacy.scrubbing import scrub_text

    assert scrub_text(text) == expected


@pytest.mark.parametrize("digits", ["١٣٨١٢٣٤٥٦٧٨", "１３８１２３４５６７８"])
def test_only_ascii_digits_make_a_mobile_number(digits):
    assert not is_mobile(digits)
