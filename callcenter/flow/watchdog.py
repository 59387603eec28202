"""The stranded-caller watchdog: a small separate process that keeps callers from being stranded.

Real Asterisk keeps a channel in Stasis when the app's WebSocket drops (recordings-2 facts 1-3):
the caller hears music on hold for ever if the service does not come back. The watchdog runs
beside the service (``callcenter watchdog``, its own process, REST only, no WebSocket) and polls
``GET /applications/{app}``: with ``subscribeAll`` the app object exists exactly while a client
is connected (fact 2). When the app has been gone for ``stranded_after`` seconds, every caller
still in ``Stasis(app)`` and not talking to anybody (in no bridge) is sent on in the dialplan
(``continue``), where the fallback queue of its centre takes it. Bridged calls are left alone:
they are conversations. Counsellor legs that ring for nobody are hung up.

Relied on without a recording yet: ``POST /channels/{id}/continue`` works for a channel in
Stasis of *another* application (ARI does not tie channel control to the app that owns it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from ari.client import AriClient
from ari.errors import AriError

log = logging.getLogger(__name__)

OFFER_ARG = "offer"


@dataclass
class WatchdogState:
    app_seen_at: float | None = None
    absent_since: float | None = None
    rescued: list[str] = field(default_factory=list)
    hung_up: list[str] = field(default_factory=list)
    polls: int = 0
    errors: int = 0


class StrandedCallWatchdog:
    def __init__(
        self,
        ari: AriClient,
        *,
        app: str,
        stranded_after: float,
        poll_interval: float = 2.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.ari = ari
        self.app = app
        self.stranded_after = stranded_after
        self.poll_interval = poll_interval
        self._clock = clock
        self.state = WatchdogState()

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    async def run(self) -> None:
        while True:
            try:
                await self.poll()
            except AriError as exc:  # Asterisk itself is away: nothing to rescue through it
                self.state.errors += 1
                log.warning("watchdog poll failed: %s", exc)
            except OSError as exc:
                self.state.errors += 1
                log.warning("watchdog cannot reach ARI: %s", exc)
            await asyncio.sleep(self.poll_interval)

    async def poll(self) -> list[str]:
        """One look; returns the channels it sent to the fallback this time."""
        self.state.polls += 1
        now = self._now()
        present = await self.ari.applications.get(self.app, missing_ok=True) is not None
        if present:
            self.state.app_seen_at = now
            self.state.absent_since = None
            return []
        if self.state.absent_since is None:
            self.state.absent_since = now
        if now - self.state.absent_since < self.stranded_after:
            return []
        return await self._rescue()

    async def _rescue(self) -> list[str]:
        channels = await self.ari.channels.list()
        bridged = {ch for b in await self.ari.bridges.list() for ch in b.channels}
        rescued: list[str] = []
        for channel in channels:
            if channel.dialplan.app_name != "Stasis":
                continue
            args = channel.dialplan.app_data.split(",")
            if args[0] != self.app or channel.id in bridged:
                continue
            try:
                if len(args) > 1 and args[1] == OFFER_ARG:
                    await self.ari.channels.hangup(channel.id, missing_ok=True)
                    self.state.hung_up.append(channel.id)
                else:
                    await self.ari.channels.continue_in_dialplan(channel.id)
                    rescued.append(channel.id)
            except AriError as exc:
                log.warning("could not rescue %s: %s", channel.id, exc)
        if rescued:
            log.error("service away: %d stranded callers sent to the fallback queue", len(rescued))
        self.state.rescued.extend(rescued)
        return rescued
