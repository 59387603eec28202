"""The ARI event types the hotline service acts on; the event stream drops every other type
unparsed (``AriConfig.event_types``: with subscribeAll most frames are ChannelVarset,
ChannelDialplan, ... of channels the service never looks at, and validating them cost ~10 % of
its CPU). tests/flow/test_events_used.py fails when a module of callcenter.flow or
callcenter.service uses an event class that is missing here."""

from __future__ import annotations

from ari.events import (
    AriEvent,
    ChannelDestroyed,
    ChannelDtmfReceived,
    ChannelEnteredBridge,
    ChannelHangupRequest,
    Dial,
    PlaybackFinished,
    StasisEnd,
    StasisStart,
)


def type_name(model: type[AriEvent]) -> str:
    """``"StasisStart"`` for :class:`~ari.events.StasisStart` (its ``type`` Literal)."""
    (name,) = model.model_fields["type"].annotation.__args__  # type: ignore[union-attr]
    return str(name)


EVENTS_USED: frozenset[str] = frozenset(
    type_name(model)
    for model in (
        StasisStart,
        StasisEnd,
        ChannelDestroyed,
        ChannelHangupRequest,
        ChannelDtmfReceived,
        ChannelEnteredBridge,
        Dial,
        PlaybackFinished,
    )
)
