"""Privacy helpers: encryption at rest and keyed hashing of phone numbers (docs/db.md)."""

from callcenter.privacy.crypto import (
    Crypto,
    DecryptionError,
    is_withheld,
    normalise_phone,
)
from callcenter.privacy.keys import KeyMaterial, generate_key_material, load_or_create_key_file

__all__ = [
    "Crypto",
    "DecryptionError",
    "KeyMaterial",
    "generate_key_material",
    "is_withheld",
    "load_or_create_key_file",
    "normalise_phone",
]
