"""Connection settings of one AMI adapter (one Asterisk node)."""

from __future__ import annotations

import ssl as ssl_module
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AmiConfig:
    """Where and how to reach one Asterisk's AMI.

    ``node`` names the Asterisk in every event and snapshot (several nodes later: one adapter
    each). Timers are in seconds. ``queues``: the queues QueueStatus reads after a connect
    (empty: all). ``read_pjsip``: also read PJSIPShowContacts / PJSIPShowEndpoints; they need
    the ``system`` write class, which asterisk-conf/manager.conf does NOT grant (it would also
    allow Originate of System()); without it the snapshot relies on DeviceStateList, which
    shows an unregistered phone as UNAVAILABLE.
    """

    username: str
    secret: str = field(repr=False)
    host: str = "127.0.0.1"
    port: int = 5038
    node: str = "asterisk-1"
    ssl: ssl_module.SSLContext | None = None
    events: str = "on"
    queues: tuple[str, ...] = ()
    read_pjsip: bool = False
    connect_timeout: float = 5.0
    action_timeout: float = 10.0
    boot_timeout: float = 30.0
    ping_interval: float = 10.0
    ping_timeout: float = 5.0
    reconnect_min: float = 0.5
    reconnect_max: float = 30.0
    stop_on_auth_failure: bool = True

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> AmiConfig:
        """From ``callcenter.settings.AmiSettings`` (host, port, username, secret)."""
        values: dict[str, Any] = {
            "host": settings.host,
            "port": settings.port,
            "username": settings.username,
            "secret": settings.secret.get_secret_value(),
        }
        values.update(overrides)
        return cls(**values)
