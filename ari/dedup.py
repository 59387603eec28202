"""De-duplication of ARI events.

Asterisk sends some frames two or three times, byte for byte (recordings-2 facts 16 and 17:
ChannelVarset BRIDGEPEER / BRIDGEPVTCALLID on every bridge change, Dial CANCEL, bridge playback
events). Handlers should be idempotent anyway; :func:`event_key` gives a stable identity for an
event (equal for byte-identical frames) and :class:`Deduplicator` remembers the last keys seen.
The event stream can drop such frames itself (``AriConfig.dedupe_window``).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from ari.events import AriEvent


def event_key(event: AriEvent) -> str:
    """A digest of everything in the event (type, timestamp, every field): equal for events
    parsed from identical frames, different as soon as any field differs."""
    return hashlib.blake2b(event.model_dump_json().encode(), digest_size=16).hexdigest()


class Deduplicator:
    """Remembers the last ``window`` keys; :meth:`seen` says whether a key is a repeat."""

    def __init__(self, window: int = 256) -> None:
        if window < 1:
            raise ValueError("window must be >= 1")
        self.window = window
        self._keys: OrderedDict[str, None] = OrderedDict()

    def seen(self, key: str) -> bool:
        """True if ``key`` was among the last ``window`` keys; records it either way."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self.window:
            self._keys.popitem(last=False)
        return False
