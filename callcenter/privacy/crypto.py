"""Encryption at rest (Fernet, several keys for rotation) and keyed hashing of phone numbers.

* ``Crypto.encrypt`` writes with the newest key; ``decrypt`` reads with any configured key;
  ``reencrypt`` rewrites a token under the newest key (key rotation without downtime: add the
  new key first in the list, run the re-encryption, then drop the old key).
* ``Crypto.hash_phone`` is HMAC-SHA256 over the E.164 form of the number, so the same caller
  matches whether Asterisk gave ``0912345678``, ``84912345678`` or ``+84 91 234 5678``.
  Withheld, anonymous or empty numbers hash to ``None`` and so never match each other.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

DEFAULT_REGION = "VN"

# What Asterisk, carriers and SIP phones put in the caller id when there is no usable number.
WITHHELD = frozenset(
    {
        "",
        "anonymous",
        "withheld",
        "restricted",
        "private",
        "unknown",
        "unavailable",
        "<unknown>",
        "asterisk",
        "s",
        "0",
    }
)
_SEPARATORS = re.compile(r"[\s\-().]")


class DecryptionError(ValueError):
    """A token could not be decrypted with any configured key (wrong key or corrupted data)."""


def is_withheld(raw: str | None) -> bool:
    """True when ``raw`` carries no number a caller could be recognised by."""
    if raw is None:
        return True
    cleaned = _SEPARATORS.sub("", raw).strip().lower()
    return cleaned in WITHHELD or not any(ch.isdigit() for ch in cleaned)


def normalise_phone(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of a phone number (``0912345678`` -> ``+84912345678``), or ``None`` if withheld.

    Digits that are no possible public number (an internal extension such as ``1801``, a short
    code such as ``111``) are kept as bare digits, so they still match themselves.
    """
    if is_withheld(raw):
        return None
    assert raw is not None
    cleaned = _SEPARATORS.sub("", raw.strip())
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(ch for ch in cleaned if ch.isdigit())
    return digits or None


class Crypto:
    """Encryption and keyed hashing with keys from settings (never from the database)."""

    def __init__(
        self,
        encryption_keys: Sequence[str | bytes],
        hash_key: str | bytes,
        *,
        region: str = DEFAULT_REGION,
    ) -> None:
        if not encryption_keys:
            raise ValueError("at least one encryption key is needed")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in encryption_keys])
            self._newest = Fernet(encryption_keys[0])
        except ValueError as exc:
            raise ValueError(f"invalid encryption key (32 url-safe base64 bytes): {exc}") from exc
        key = hash_key.encode() if isinstance(hash_key, str) else hash_key
        if len(key) < 32:
            raise ValueError("the hash key must be at least 32 bytes")
        self._hash_key = key
        self._region = region

    # -- encryption -------------------------------------------------------------------------
    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken as exc:
            raise DecryptionError("cannot decrypt: unknown key or damaged data") from exc

    def encrypt_optional(self, plaintext: str | None) -> str | None:
        return None if plaintext is None else self.encrypt(plaintext)

    def decrypt_optional(self, token: str | None) -> str | None:
        return None if token is None else self.decrypt(token)

    def reencrypt(self, token: str) -> str:
        """The same plaintext under the newest key (for key rotation)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise DecryptionError("cannot re-encrypt: unknown key or damaged data") from exc

    def is_current(self, token: str) -> bool:
        """True when ``token`` is already encrypted with the newest key."""
        try:
            self._newest.decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    # -- keyed hashing ----------------------------------------------------------------------
    def hash_value(self, value: str) -> str:
        """HMAC-SHA256 of ``value`` as 64 hex characters."""
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()

    def hash_phone(self, raw: str | None) -> str | None:
        """Keyed hash of the normalised number; ``None`` for withheld/anonymous/empty numbers."""
        normalised = normalise_phone(raw, self._region)
        return None if normalised is None else self.hash_value(normalised)

    def pseudonymise_phone(self, raw: str | None) -> tuple[str | None, str | None]:
        """``(hash_phone(raw), encrypt_phone(raw))``, normalising the number once."""
        normalised = normalise_phone(raw, self._region)
        if normalised is None:
            return None, None
        return self.hash_value(normalised), self.encrypt(normalised)

    def encrypt_phone(self, raw: str | None) -> str | None:
        """The normalised number, encrypted; ``None`` for withheld/anonymous/empty numbers."""
        normalised = normalise_phone(raw, self._region)
        return None if normalised is None else self.encrypt(normalised)
