"""Base model and value types shared by the AMI events and the state snapshot.

Fields are read from AMI headers by alias (``unique_id`` <- ``Uniqueid``). Asterisk writes
"no value" in several ways (``<unknown>``, ``N/A``, an empty string); those become ``None``
in the fields typed ``... | None``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

NO_VALUE = frozenset({"", "<unknown>", "N/A", "(null)"})


def _none_if_no_value(value: Any) -> Any:
    if isinstance(value, str) and value.strip() in NO_VALUE:
        return None
    return value


#: A header whose "no value" spellings read as ``None``.
OptStr = Annotated[str | None, BeforeValidator(_none_if_no_value)]
OptInt = Annotated[int | None, BeforeValidator(_none_if_no_value)]


def header_key(name: str) -> str:
    """How a field name or an AMI header is compared: lower case, no ``_`` or ``-``.

    Asterisk spells the same header differently between events (``Uniqueid`` in Hangup,
    ``UniqueID`` in Cdr; ``Cause-txt``), so ``unique_id`` matches both.
    """
    return name.replace("_", "").replace("-", "").lower()


class AmiModel(BaseModel):
    """Frozen, built from AMI headers (see :func:`header_key`), constructible by field name."""

    model_config = ConfigDict(
        frozen=True, populate_by_name=True, extra="ignore", alias_generator=header_key
    )


class AmiEvent(AmiModel):
    """Something that happened on one Asterisk (``node``), as this service understands it."""

    node: str
    received_at: datetime


class ChannelFields(AmiModel):
    """The channel block Asterisk puts in every channel-related event."""

    channel: str = ""
    channel_state: OptInt = None
    channel_state_desc: OptStr = None
    caller_id_num: OptStr = None
    caller_id_name: OptStr = None
    connected_line_num: OptStr = None
    connected_line_name: OptStr = None
    context: OptStr = None
    exten: OptStr = None
    priority: OptInt = None
    unique_id: OptStr = None
    linked_id: OptStr = None
