"""Field types shared by the ARI models.

Asterisk writes times as ``2026-11-22T21:42:52.492+0000`` (milliseconds, ``+HHMM``). They are read
into timezone-aware ``datetime`` objects and written back in exactly that form, so a model dumped
with ``mode="json"`` reproduces the bytes Asterisk sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer


def format_ari_time(value: datetime) -> str:
    """Format a datetime the way Asterisk does (milliseconds, ``+HHMM`` offset)."""
    millis = value.microsecond // 1000
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis:03d}" + value.strftime("%z")


AriTime = Annotated[datetime, PlainSerializer(format_ari_time, return_type=str, when_used="json")]
"""A timestamp as ARI sends it; serialises back to the same text in JSON mode."""


class AriModel(BaseModel):
    """Base of every ARI resource and event: frozen, and keeps fields it does not declare.

    Fields Asterisk adds in a later version land in ``model_extra`` instead of being dropped.
    """

    model_config = ConfigDict(frozen=True, extra="allow")
