from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from callcenter.privacy import (
    Crypto,
    DecryptionError,
    generate_key_material,
    load_or_create_key_file,
    normalise_phone,
)
from callcenter.privacy.keys import crypto_from_settings
from callcenter.settings import PrivacySettings


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912345678", "+84912345678"),
        ("091 234 5678", "+84912345678"),
        ("+84 91-234-5678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+1 (202) 555-0123", "+12025550123"),
        ("1801", "1801"),  # an internal extension stays itself
    ],
)
def test_numbers_are_normalised_to_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", [None, "", "  ", "anonymous", "Anonymous", "withheld", "unknown"])
def test_withheld_numbers_hash_to_none_and_never_match(raw: str | None) -> None:
    crypto = generate_key_material().crypto()
    assert normalise_phone(raw) is None
    assert crypto.hash_phone(raw) is None
    assert crypto.encrypt_phone(raw) is None


def test_the_same_caller_matches_however_the_number_was_written() -> None:
    crypto = generate_key_material().crypto()
    assert crypto.hash_phone("0912345678") == crypto.hash_phone("+84 912 345 678")
    assert crypto.hash_phone("0912345678") != crypto.hash_phone("0912345679")
    other = generate_key_material().crypto()
    assert crypto.hash_phone("0912345678") != other.hash_phone("0912345678")


def test_key_rotation_reads_old_data_and_rewrites_it_under_the_new_key() -> None:
    old = generate_key_material()
    new = generate_key_material()
    before = old.crypto()
    token = before.encrypt("Nguyễn Thị A")
    both = Crypto([*new.encryption_keys, *old.encryption_keys], old.hash_key)
    assert both.decrypt(token) == "Nguyễn Thị A"
    assert not both.is_current(token)
    rotated = both.reencrypt(token)
    assert both.is_current(rotated)
    only_new = Crypto(new.encryption_keys, old.hash_key)
    assert only_new.decrypt(rotated) == "Nguyễn Thị A"
    with pytest.raises(DecryptionError):
        only_new.decrypt(token)


def test_bad_keys_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="encryption key"):
        Crypto(["not-a-key"], "x" * 32)
    with pytest.raises(ValueError, match="hash key"):
        Crypto(generate_key_material().encryption_keys, "short")


def test_the_embedded_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "var" / "privacy-keys.json"
    first = load_or_create_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key_file(path) == first
    assert set(json.loads(path.read_text())) == {"encryption_keys", "hash_key"}
    path.chmod(0o644)
    with pytest.raises(PermissionError):
        load_or_create_key_file(path)


def test_keys_from_settings_win_over_the_key_file(tmp_path: Path) -> None:
    material = generate_key_material()
    settings = PrivacySettings(
        encryption_keys=[SecretStr(k) for k in material.encryption_keys],
        hash_key=SecretStr(material.hash_key),
    )
    crypto = crypto_from_settings(settings, tmp_path / "keys.json")
    assert crypto.hash_phone("0912345678") == material.crypto().hash_phone("0912345678")
    assert not (tmp_path / "keys.json").exists()
    with pytest.raises(ValueError, match="both"):
        crypto_from_settings(PrivacySettings(hash_key=SecretStr("x" * 40)), tmp_path / "k")
