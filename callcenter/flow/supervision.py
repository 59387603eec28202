"""Supervisors listen, whisper and barge; counsellors transfer a caller to a colleague or agency.

Supervision (ARI snoop, recordings-2 facts 41-44): ``listen`` snoops the counsellor's leg
(``spy=both``: the supervisor hears both sides); ``whisper`` also speaks to the counsellor only
(``whisper=out`` on the counsellor's leg); ``barge`` adds the supervisor to the call's bridge.
The supervisor's phone is originated into the app and bridged with the snoop channel; the snoop
ends with the call, and then the supervisor's leg is hung up.

Transfer (``blind``: the counsellor does not talk to the target first): the target's phone is
originated into the app; the caller stays with the counsellor until the target answers, then
the target joins the bridge and the counsellor's leg leaves (to wrap-up). If the target does not
answer, nothing changes for the caller: a transfer never drops a caller.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from ari.client import AriClient
from ari.errors import AriError
from ari.events import AriEvent, ChannelDestroyed, StasisEnd, StasisStart
from callcenter.flow.ops import hang_up

log = logging.getLogger(__name__)

SNOOP_ARG = "snoop"
SUPERVISOR_ARG = "supervisor"
TRANSFER_ARG = "transfer"

Mode = Literal["listen", "whisper", "barge"]


class SupervisionError(ValueError):
    """The call cannot be supervised or transferred now (clear text for the API)."""


@dataclass
class Session:
    session_id: str
    call_id: str
    mode: Mode
    supervisor_leg: str
    snoop_leg: str | None = None
    bridge_id: str | None = None
    ended: bool = False


@dataclass
class Transfer:
    transfer_id: str  # the target's leg id
    call_id: str
    target: str  # counsellor id, or "agency:<id>"
    target_counsellor: str | None
    answered: bool = False


class CallControl:
    """Owned by a :class:`HotlineApp`; the app passes every event through :meth:`handle`."""

    def __init__(
        self,
        *,
        ari: AriClient,
        app_name: str,
        spawn: Callable[[Coroutine[Any, Any, object]], None],
        on_transfer_answered: Callable[[Transfer], None],
        on_transfer_failed: Callable[[Transfer], None],
    ) -> None:
        self.ari = ari
        self.app = app_name
        self._spawn = spawn
        self._answered = on_transfer_answered
        self._failed = on_transfer_failed
        self.sessions: dict[str, Session] = {}
        self.transfers: dict[str, Transfer] = {}
        self._by_leg: dict[str, Session] = {}

    def knows(self, channel_id: str) -> bool:
        return channel_id in self._by_leg or channel_id in self.transfers

    # ----------------------------------------------------------------- supervision
    def supervise(
        self, call_id: str, counsellor_leg: str, call_bridge: str, endpoint: str, mode: Mode
    ) -> Session:
        session = Session(
            session_id=uuid.uuid4().hex,
            call_id=call_id,
            mode=mode,
            supervisor_leg=f"sup-{uuid.uuid4().hex}",
        )
        self.sessions[session.session_id] = session
        self._by_leg[session.supervisor_leg] = session
        if mode == "barge":
            session.bridge_id = call_bridge
        else:
            session.snoop_leg = f"snoop-{uuid.uuid4().hex}"
            session.bridge_id = f"sup-{uuid.uuid4().hex}"
            self._by_leg[session.snoop_leg] = session

        async def start() -> None:
            try:
                if session.snoop_leg is not None:
                    await self.ari.channels.snoop_channel(
                        counsellor_leg,
                        self.app,
                        spy="both",
                        whisper="out" if mode == "whisper" else None,
                        app_args=[SNOOP_ARG, session.session_id],
                        snoop_id=session.snoop_leg,
                    )
                await self.ari.channels.originate(
                    endpoint,
                    app=self.app,
                    app_args=[SUPERVISOR_ARG, session.session_id],
                    caller_id='"Giám sát / Supervisor" <supervisor>',
                    timeout=30,
                    channel_id=session.supervisor_leg,
                )
            except AriError as exc:
                log.warning("supervision of %s could not start: %s", call_id, exc)
                self.end_session(session)

        self._spawn(start())
        return session

    def _supervisor_answered(self, session: Session) -> None:
        legs = [session.supervisor_leg]
        own_bridge = session.snoop_leg is not None
        if own_bridge and session.snoop_leg is not None:
            legs.append(session.snoop_leg)
        bridge_id = session.bridge_id
        assert bridge_id is not None

        async def join() -> None:
            try:
                if own_bridge:
                    await self.ari.bridges.create(type="mixing", bridge_id=bridge_id)
                await self.ari.bridges.add_channel(bridge_id, legs)
            except AriError as exc:
                log.warning("supervisor could not join %s: %s", session.call_id, exc)
                self.end_session(session)

        self._spawn(join())

    def end_session(self, session: Session) -> None:
        if session.ended:
            return
        session.ended = True
        self.sessions.pop(session.session_id, None)
        for leg in (session.supervisor_leg, session.snoop_leg):
            if leg:
                self._by_leg.pop(leg, None)
                self._spawn(self._hangup(leg))
        if session.snoop_leg is not None and session.bridge_id is not None:
            self._spawn(self._destroy(session.bridge_id))

    def call_ended(self, call_id: str) -> None:
        for session in list(self.sessions.values()):
            if session.call_id == call_id:
                self.end_session(session)
        for transfer in list(self.transfers.values()):
            if transfer.call_id == call_id and not transfer.answered:
                self.transfers.pop(transfer.transfer_id, None)
                self._spawn(self._hangup(transfer.transfer_id))

    # ----------------------------------------------------------------- transfer
    def transfer(
        self, call_id: str, endpoint: str, target: str, target_counsellor: str | None
    ) -> Transfer:
        if any(t.call_id == call_id for t in self.transfers.values()):
            raise SupervisionError(
                "a transfer of this call is already ringing / cuộc gọi đang được chuyển"
            )
        transfer = Transfer(f"xfer-{uuid.uuid4().hex}", call_id, target, target_counsellor)
        self.transfers[transfer.transfer_id] = transfer

        async def ring() -> None:
            try:
                await self.ari.channels.originate(
                    endpoint,
                    app=self.app,
                    app_args=[TRANSFER_ARG, call_id],
                    caller_id='"Chuyển máy / Transfer" <111>',
                    timeout=30,
                    channel_id=transfer.transfer_id,
                )
            except AriError as exc:
                log.warning("transfer of %s to %s failed: %s", call_id, target, exc)
                self.transfers.pop(transfer.transfer_id, None)
                self._failed(transfer)

        self._spawn(ring())
        return transfer

    # ----------------------------------------------------------------- events
    def handle(self, event: AriEvent) -> bool:
        if isinstance(event, StasisStart) and event.args:
            kind = event.args[0]
            if kind == SNOOP_ARG:
                return True  # the snoop channel waits for the supervisor's phone
            if kind == SUPERVISOR_ARG:
                session = self._by_leg.get(event.channel.id)
                if session is None or session.ended:
                    self._spawn(self._hangup(event.channel.id))
                else:
                    self._supervisor_answered(session)
                return True
            if kind == TRANSFER_ARG:
                transfer = self.transfers.get(event.channel.id)
                if transfer is None:
                    self._spawn(self._hangup(event.channel.id))
                else:
                    transfer.answered = True
                    self._answered(transfer)
                return True
            return False
        if isinstance(event, ChannelDestroyed | StasisEnd):
            leg = event.channel.id
            session = self._by_leg.get(leg)
            if session is not None:
                self.end_session(session)  # supervisor hung up, or the snoop ended with the call
                return True
            transfer = self.transfers.get(leg)
            if transfer is not None and not transfer.answered:
                self.transfers.pop(leg, None)
                self._failed(transfer)
                return True
        return False

    def transfer_done(self, transfer: Transfer) -> None:
        self.transfers.pop(transfer.transfer_id, None)

    async def _hangup(self, channel_id: str) -> None:
        await hang_up(self.ari, channel_id)

    async def _destroy(self, bridge_id: str) -> None:
        try:
            await self.ari.bridges.destroy(bridge_id, missing_ok=True)
        except AriError as exc:
            log.warning("bridge %s not destroyed: %s", bridge_id, exc)
