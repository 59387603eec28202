"""One typed settings object for the whole service, validated once at start-up.

Every value can be set from the environment with the ``CALLCENTER_`` prefix and ``__`` between
sections, e.g. ``CALLCENTER_DATABASE__URL`` or ``CALLCENTER_ARI__URL``. Secrets (keys, passwords)
come only from the environment or a secrets file, never from the database.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    """The case store: SQLite (embedded default) or PostgreSQL (production)."""

    url: str = "sqlite+aiosqlite:///var/callcenter.db"
    echo: bool = False


class PrivacySettings(BaseModel):
    """Keys for encryption at rest and keyed hashing of phone numbers.

    ``encryption_keys``: newest first; data is written with the first and read with any, so a key
    can be rotated without downtime. ``hash_key``: the HMAC key for caller matching.
    """

    encryption_keys: list[SecretStr] = Field(default_factory=list)
    hash_key: SecretStr | None = None


class AriSettings(BaseModel):
    url: str = "http://127.0.0.1:8088"
    username: str = "callcenter"
    password: SecretStr = SecretStr("")
    app: str = "hotline"


class AmiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 5038
    username: str = "callcenter"
    secret: SecretStr = SecretStr("")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CALLCENTER_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    hotline_number: str = "111"
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    ari: AriSettings = Field(default_factory=AriSettings)
    ami: AmiSettings = Field(default_factory=AmiSettings)
