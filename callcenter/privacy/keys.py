"""Where the keys come from: settings (production), or a generated key file (embedded default).

Production sets ``CALLCENTER_PRIVACY__ENCRYPTION_KEYS`` (a JSON list, newest first) and
``CALLCENTER_PRIVACY__HASH_KEY``. When neither is set, the embedded default generates keys once
into ``var/privacy-keys.json`` (mode 0600), beside and never inside the database. Losing that
file makes the encrypted data unreadable: back it up separately from the database.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from callcenter.privacy.crypto import Crypto
from callcenter.settings import PrivacySettings

DEFAULT_KEY_FILE = Path("var/privacy-keys.json")


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    encryption_keys: tuple[str, ...]  # newest first
    hash_key: str

    def crypto(self) -> Crypto:
        return Crypto(self.encryption_keys, self.hash_key)


def generate_key_material() -> KeyMaterial:
    return KeyMaterial(
        encryption_keys=(Fernet.generate_key().decode("ascii"),),
        hash_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
    )


def load_or_create_key_file(path: Path = DEFAULT_KEY_FILE) -> KeyMaterial:
    """Read the key file, creating it (0600, exclusively, never overwritten) if it is missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        material = generate_key_material()
        data = json.dumps(
            {"encryption_keys": list(material.encryption_keys), "hash_key": material.hash_key}
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PermissionError(f"{path} is readable by others (mode {mode:o}); chmod 600 it")
    raw = json.loads(path.read_text())
    keys = raw.get("encryption_keys")
    hash_key = raw.get("hash_key")
    if not isinstance(keys, list) or not keys or not isinstance(hash_key, str):
        raise ValueError(f"{path}: expected encryption_keys (list) and hash_key (string)")
    return KeyMaterial(encryption_keys=tuple(str(k) for k in keys), hash_key=hash_key)


def key_material_from_settings(
    settings: PrivacySettings, key_file: Path = DEFAULT_KEY_FILE
) -> KeyMaterial:
    """Keys from settings when given, else from (or into) the embedded default key file."""
    if settings.encryption_keys and settings.hash_key is not None:
        return KeyMaterial(
            encryption_keys=tuple(k.get_secret_value() for k in settings.encryption_keys),
            hash_key=settings.hash_key.get_secret_value(),
        )
    if settings.encryption_keys or settings.hash_key is not None:
        raise ValueError("set both privacy.encryption_keys and privacy.hash_key, or neither")
    return load_or_create_key_file(key_file)


def crypto_from_settings(settings: PrivacySettings, key_file: Path = DEFAULT_KEY_FILE) -> Crypto:
    return key_material_from_settings(settings, key_file).crypto()
