"""One leg per counsellor phone at a time.

Routing may ring a counsellor again the moment an earlier ring was withdrawn (the caller hung
up, another counsellor answered). The withdrawn leg's hang-up is still on its way to Asterisk
then, and without care the phone would ring for two calls at once. ``PhoneLegs`` remembers each
phone's live legs (by channel id, until ``ChannelDestroyed`` or a 404) and makes a new originate
wait, briefly, until the old leg is gone.
"""

from __future__ import annotations

import asyncio
import contextlib


class PhoneLegs:
    def __init__(self, *, max_wait: float = 2.0) -> None:
        self._max_wait = max_wait
        self._owner: dict[str, str] = {}  # leg (channel id) -> counsellor
        self._legs: dict[str, set[str]] = {}  # counsellor -> live legs
        self._free: dict[str, asyncio.Event] = {}

    def started(self, counsellor: str, leg: str) -> None:
        self._owner[leg] = counsellor
        self._legs.setdefault(counsellor, set()).add(leg)
        self._event(counsellor).clear()

    def ended(self, leg: str) -> None:
        counsellor = self._owner.pop(leg, None)
        if counsellor is None:
            return
        legs = self._legs.get(counsellor, set())
        legs.discard(leg)
        if not legs:
            self._event(counsellor).set()

    def live(self, counsellor: str) -> frozenset[str]:
        return frozenset(self._legs.get(counsellor, ()))

    async def wait_free(self, counsellor: str) -> None:
        """Until the phone has no live leg (at most ``max_wait``: Asterisk's word is final,
        and a leg whose end we missed must not keep a counsellor from every call)."""
        if not self._legs.get(counsellor):
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event(counsellor).wait(), self._max_wait)

    def _event(self, counsellor: str) -> asyncio.Event:
        event = self._free.get(counsellor)
        if event is None:
            event = self._free[counsellor] = asyncio.Event()
            event.set()
        return event
