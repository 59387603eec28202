"""One leg per counsellor phone at a time.

Routing may ring a counsellor again the moment an earlier ring was withdrawn (the caller hung
up, another counsellor answered). The withdrawn leg's hang-up is still on its way to Asterisk
then, and without care the phone would ring for two calls at once. ``PhoneLegs`` remembers each
phone's live legs (by channel id, until ``ChannelDestroyed`` or a 404) and makes a new originate
wait, briefly, until the old leg is gone. When that takes longer than ``max_wait`` (an event
missed, or a service short of CPU), Asterisk is asked: legs it no longer has are forgotten, legs
it still has are hung up again and waited for once more; only then does the new ring go ahead
(a counsellor must not be kept from every call by a leg nobody can end).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

#: Asterisk's answer about a leg: is it still there? (``GET /channels/{id}``)
Probe = Callable[[str], Awaitable[bool]]
#: hang a leg up (``DELETE /channels/{id}``; a 404 is fine)
HangUp = Callable[[str], Awaitable[object]]


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

    async def wait_free(
        self, counsellor: str, *, probe: Probe | None = None, hang_up: HangUp | None = None
    ) -> bool:
        """Until the phone has no live leg: at most ``max_wait``, then (with ``probe`` and
        ``hang_up``) Asterisk is asked and a leg still there is hung up and waited for once
        more. True when the phone is free; False when a leg is still up (the ring goes ahead
        all the same, and the caller of this logs it)."""
        if await self._wait(counsellor):
            return True
        if probe is None:
            return False
        for leg in sorted(self._legs.get(counsellor, ())):
            try:
                there = await probe(leg)
            except Exception:  # cannot tell: treat it as there
                there = True
            if not there:
                self.ended(leg)  # its end was missed
            elif hang_up is not None:
                log.warning("phone of %s: leg %s still up after %.1f s; hanging it up again",
                            counsellor, leg, self._max_wait)  # fmt: skip
                with contextlib.suppress(Exception):
                    await hang_up(leg)
        return await self._wait(counsellor)

    async def _wait(self, counsellor: str) -> bool:
        if not self._legs.get(counsellor):
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event(counsellor).wait(), self._max_wait)
        return not self._legs.get(counsellor)

    def _event(self, counsellor: str) -> asyncio.Event:
        event = self._free.get(counsellor)
        if event is None:
            event = self._free[counsellor] = asyncio.Event()
            event.set()
        return event
