"""From WebSocket frames to typed events.

:func:`parse_event` turns one frame into the model registered for its ``type``
(:data:`EVENT_MODELS`); a type with no model becomes :class:`~ari.events.UnknownEvent`, never an
exception. Only a frame that is not a JSON object with a string ``type`` raises
:class:`MalformedFrameError`.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from pydantic import ValidationError

from ari.events import AriEvent, ChannelTransfer, UnknownEvent
from ari.models import Channel

log = logging.getLogger(__name__)


class MalformedFrameError(ValueError):
    """A WebSocket frame that is not a JSON object with a string ``type``."""


def _registry() -> dict[str, type[AriEvent]]:
    found: dict[str, type[AriEvent]] = {}
    pending: list[type[AriEvent]] = [AriEvent]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        annotation = cls.model_fields["type"].annotation
        args: tuple[object, ...] = tuple(getattr(annotation, "__args__", ()))
        if len(args) == 1 and isinstance(args[0], str):
            found[args[0]] = cls
    return dict(sorted(found.items()))


EVENT_MODELS: dict[str, type[AriEvent]] = _registry()
"""``type`` -> model, for every event type this client knows."""


def parse_event_data(data: dict[str, Any]) -> AriEvent:
    """Build the typed event for a decoded frame. Unknown ``type`` -> :class:`UnknownEvent`;
    a known type whose body does not fit its model is logged and also returned as
    :class:`UnknownEvent` (with every field kept), never raised."""
    kind = data.get("type")
    if not isinstance(kind, str):
        raise MalformedFrameError("ARI event without a string 'type'")
    model = EVENT_MODELS.get(kind)
    if model is not None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            log.warning("ARI %s event does not fit its model, kept as UnknownEvent: %s", kind, exc)
    try:
        return UnknownEvent.model_validate(data)
    except ValidationError as exc:
        raise MalformedFrameError(f"ARI {kind} event lacks base fields: {exc}") from exc


_TYPE = re.compile(r'"type"\s*:\s*"([A-Za-z]+)"')


def is_any_of(text: str, types: frozenset[str]) -> bool:
    """Could this frame be an event of one of ``types``? Without decoding it: True when any
    ``"type": "..."`` pair in it names one of them (the event's own ``type`` is among those pairs
    wherever it is; Asterisk writes ChannelVarset's after ``variable`` and ``value``), or when
    there is no such pair (a malformed frame: decode it to say so)."""
    found = _TYPE.findall(text)
    return not found or any(kind in types for kind in found)


def parse_event(frame: str | bytes) -> AriEvent:
    """Parse one WebSocket text frame. Raises :class:`MalformedFrameError` for anything that is
    not a JSON object with a string ``type`` and an ``application``.

    Fast path: the frame is validated straight from JSON by the model its ``"type"`` names
    (half the CPU of decoding first); any doubt falls back to the general path."""
    try:
        text = frame if isinstance(frame, str) else frame.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedFrameError(f"not UTF-8: {exc}") from exc
    found = _TYPE.search(text)
    model = EVENT_MODELS.get(found[1]) if found else None
    if model is not None:
        try:
            return model.model_validate_json(text)
        except ValidationError:
            pass  # not JSON, wrong top-level type, or a body that does not fit: decide below
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MalformedFrameError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedFrameError("ARI frame is not a JSON object")
    return parse_event_data(data)


def is_fallback(event: AriEvent) -> bool:
    """True if ``event`` is the generic model (unknown type, or a body that did not fit)."""
    return type(event) is UnknownEvent


def channel_ids(event: AriEvent) -> tuple[str, ...]:
    """Ids of the channels an event is about (``channel``, Dial's ``peer``/``caller``/
    ``forwarded``, ``replace_channel``, a transfer's legs), for filtering: with subscribeAll the
    app receives events of every channel in the system (fact 18)."""
    found: list[str] = []
    for name in ("channel", "peer", "caller", "forwarded", "replace_channel"):
        value = getattr(event, name, None)
        if isinstance(value, Channel):
            found.append(value.id)
    if isinstance(event, ChannelTransfer):
        for leg in (
            event.referred_by.source_channel,
            event.referred_by.connected_channel,
            event.refer_to.connected_channel,
        ):
            if leg is not None:
                found.append(leg.id)
    return tuple(dict.fromkeys(found))
