"""The live state of one hotline call, and a serial executor for its Asterisk operations.

Operations on one call must happen in order (answer, then play; stop music, then bridge), yet the
service must never wait on one call while handling another. Each call therefore owns a
:class:`SerialOps`: a queue of operations run one after another by a task of the call's own.
A failing operation calls ``on_error``, which sends the caller back to the dialplan.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum

from ari.errors import AriConnectionError, ChannelNotFound
from callcenter.flow.ivr import IvrAnswers, IvrMachine

log = logging.getLogger(__name__)

Op = Callable[[], Awaitable[object]]


class Phase(StrEnum):
    IVR = "ivr"
    WAITING = "waiting"
    CALLBACK_MENU = "callback_menu"
    CONNECTED = "connected"
    LEAVING = "leaving"  # being handed to the fallback queue or told goodbye
    ENDED = "ended"


@dataclass(slots=True)
class Offer:
    """One ring of a counsellor's phone for this call (an originated channel)."""

    offer_id: str  # the counsellor leg's channel id, chosen by us before the originate
    counsellor_id: str
    centre: str
    created: float = 0.0  # monotonic
    callback: bool = False
    ringing: bool = False
    answered: bool = False
    ended: bool = False


@dataclass(slots=True)
class HotlineCall:
    call_id: str
    node: str
    channel_id: str
    caller_number: str | None
    arrived: float  # monotonic
    phase: Phase = Phase.IVR
    ivr: IvrMachine | None = None
    answers: IvrAnswers | None = None
    in_engine: bool = False
    playback_id: str | None = None
    moh: bool = False
    bridge_id: str | None = None
    offers: dict[str, Offer] = field(default_factory=dict)
    connected_offer: str | None = None
    bridged: bool = False  # caller and counsellor can hear each other
    callback_digits: list[str] = field(default_factory=list)
    callback_deadline: float | None = None
    wait_deadline: float | None = None
    ops: SerialOps | None = None
    adopted_counsellor: str | None = None  # connected before a restart

    @property
    def counsellor_offer(self) -> Offer | None:
        if self.connected_offer is None:
            return None
        return self.offers.get(self.connected_offer)


#: Pauses before retrying an operation whose connection to Asterisk broke mid-request.
RETRY_DELAYS = (0.1, 0.3, 1.0)


async def retrying(op: Op) -> object:
    """Run ``op``; if the connection to Asterisk broke (not an answer from Asterisk), try again
    a few times before giving up. Asterisk's own refusals (4xx/5xx) are not retried."""
    for delay in RETRY_DELAYS:
        try:
            return await op()
        except AriConnectionError as exc:
            log.warning("connection to Asterisk broke, retrying in %.1fs: %s", delay, exc)
            await asyncio.sleep(delay)
    return await op()


class SerialOps:
    """Runs a call's operations one at a time, in the order they were asked for."""

    def __init__(self, name: str, on_error: Callable[[BaseException], None]) -> None:
        self._name = name
        self._on_error = on_error
        self._queue: deque[Op] = deque()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def add(self, op: Op) -> None:
        if self._closed:
            return
        self._queue.append(op)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._drain(), name=f"call-ops-{self._name}"
            )

    def close(self) -> None:
        """Drop what has not started; what runs finishes."""
        self._closed = True
        self._queue.clear()

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    async def idle(self) -> None:
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _drain(self) -> None:
        while self._queue:
            op = self._queue.popleft()
            try:
                await retrying(op)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if isinstance(exc, ChannelNotFound):  # the caller hung up meanwhile, most likely
                    log.info("operation on %s found the channel gone: %s", self._name, exc)
                elif not self._closed:
                    log.exception("operation failed on %s", self._name)
                self._queue.clear()
                self._on_error(exc)  # may queue the way out (continue to the dialplan)
