"""One typed settings object for the whole service, validated once at start-up.

Every value can be set from the environment with the ``CALLCENTER_`` prefix and ``__`` between
sections, e.g. ``CALLCENTER_DATABASE__URL`` or ``CALLCENTER_ARI__URL``. Secrets (keys, passwords)
come only from the environment or a secrets file, never from the database.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from callcenter.flow.callback_policy import CallbackSettings
from callcenter.flow.config import FlowConfig


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
    reconnect_initial: float = Field(default=0.2, gt=0, description="first back-off, seconds")
    reconnect_max: float = Field(default=10.0, gt=0)
    # REST connections kept to Asterisk; httpcore's pool bookkeeping grows with connections x
    # queued requests, so a modest pool costs less CPU under load than a large one
    max_connections: int = Field(default=20, ge=1)


class AmiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 5038
    username: str = "callcenter"
    secret: SecretStr = SecretStr("")


class ServiceSettings(BaseModel):
    """The running service: its HTTP API, where it keeps local files, which Asterisk it is on."""

    node: str = "asterisk-1"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    var_dir: Path = Path("var")
    # Soak tests only: the service's timeline runs this many times faster than real time, to
    # match a PBX simulator started with the same --speed. Always 1 in production.
    timeline_speed: float = Field(default=1.0, gt=0)
    # Asterisk's own records of calls it handled while the service was down (imported on start)
    cdr_csv: list[Path] = Field(default_factory=list)
    queue_log: list[Path] = Field(default_factory=list)


class CallRecordSettings(BaseModel):
    """Call records (docs/calls.md): statistics thresholds, the import of Asterisk's own records.

    ``fallback_queues``: Asterisk queue name -> centre code, for calls its fallback queues took
    while the service was down; ``pbx_timezone``: the zone of CDR times (cdr.conf usegmtime=no).
    """

    service_level_s: float = 20.0
    short_abandon_s: float = 5.0
    fallback_queues: dict[str, str] = Field(
        default_factory=lambda: {
            "fallback-hn": "HN",
            "fallback-dn": "DN",
            "fallback-ag": "AG",
            "fallback-all": "",  # the national pool: the centre comes from CDR(userfield)
        }
    )
    pbx_timezone: str = "Asia/Ho_Chi_Minh"
    outbox_fsync: bool = False  # True: every record also survives a power cut (slower)
    # records are written to the database in batches gathered over this long (the outbox on
    # local disk already holds them): at 20 calls/s one transaction per ~30 facts
    record_linger_s: float = Field(default=0.2, ge=0, le=5)


class RoutingSettings(BaseModel):
    """Knobs of :class:`routing.policy.Policy` (docs/routing.md explains each)."""

    centres: tuple[str, ...] = ("HN", "DN", "AG")
    overflow_after: float = 20.0
    language_wait: float = 30.0
    gender_wait: float = 60.0
    max_overtake: float = 120.0
    urgent_lead: float = 60.0
    wrap_up: float = 30.0
    wrap_up_by_centre: dict[str, float] = Field(default_factory=dict)
    callback_offer_wait: float = 180.0
    announce_interval: float | None = 30.0
    expected_talk_time: float = 420.0


class CaseStoreSettings(BaseModel):
    """Case store (docs/case-store.md): retention of identifiers and the publication threshold.

    ``retention_days``: identifiers of contacts, closed cases and callers older than this are
    purged by ``callcenter cases purge`` (anonymous figures stay); ``k``: smallest published cell
    and smallest group in anonymised exports (CTDC uses 11).
    """

    retention_days: int = Field(default=1825, ge=1)
    k: int = Field(default=11, ge=2)


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
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    flow: FlowConfig = Field(default_factory=FlowConfig)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    calls: CallRecordSettings = Field(default_factory=CallRecordSettings)
    cases: CaseStoreSettings = Field(default_factory=CaseStoreSettings)
    callbacks: CallbackSettings = Field(default_factory=CallbackSettings)
