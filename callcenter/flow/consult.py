"""Consult (attended) transfer: the counsellor talks with the target before handing the caller over.

``start``: music on hold plays in the call's bridge (the caller never hears silence), the
counsellor's leg moves to a private bridge of its own, and the target's phone (a colleague, or
an agency of the directory, through the outbound trunk when that is how it is reached) is
originated into the app; the counsellor hears a ringing tone (``tone:ring`` played to their
bridge) until the target answers and joins the counsellor's private bridge.

``complete``: the target moves into the caller's bridge, the music stops, the counsellor's leg is
hung up (to wrap-up); the record gets a ``CallTransferred`` of kind ``consult``.
``cancel``, and the target not answering, busy, unreachable or hanging up: the target's leg is
hung up and the counsellor goes back to the caller. The caller hanging up on hold ends the
consultation (the target is hung up). The counsellor hanging up during the consultation: the
caller is never left on hold with nobody; they go to the fallback queue. Any Asterisk failure on
the way back goes to the call's failure handler: the fallback queue.

Every consultation is in the record: ``ConsultStarted``, ``ConsultAnswered``, ``ConsultEnded``
(with its :class:`ConsultOutcome`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ari.errors import AriError
from ari.events import (
    AriEvent,
    ChannelDestroyed,
    ChannelHangupRequest,
    Dial,
    StasisEnd,
    StasisStart,
)
from callcenter.calls import facts
from callcenter.calls.outcomes import ConsultOutcome, TransferKind
from callcenter.flow.call import HotlineCall, Phase
from callcenter.flow.ops import hang_up, ring_failure
from callcenter.flow.supervision import SupervisionError
from routing.model import RingFailure

if TYPE_CHECKING:
    from callcenter.flow.app import HotlineApp

log = logging.getLogger(__name__)

CONSULT_ARG = "consult"

FAILURE_OUTCOME = {
    RingFailure.BUSY: ConsultOutcome.BUSY,
    RingFailure.NO_ANSWER: ConsultOutcome.NO_ANSWER,
    RingFailure.UNREACHABLE: ConsultOutcome.UNREACHABLE,
}


@dataclass(slots=True)
class Consultation:
    consult_id: str  # the target's leg id
    call_id: str
    call_bridge: str
    counsellor_leg: str
    from_counsellor: str
    endpoint: str
    to_counsellor: str | None
    to_centre: str | None
    to_agency: str | None
    bridge_id: str  # the private bridge of the counsellor and the target
    ringback_id: str  # the ringing tone the counsellor hears until the target answers
    rang: bool = False
    answered: bool = False
    ended: bool = False

    @property
    def target(self) -> str:
        return self.to_counsellor or f"agency:{self.to_agency}"


class ConsultDesk:
    """Owned by a :class:`HotlineApp`, which passes events through :meth:`handle` and tells it
    when a call ends or its counsellor's leg goes (:meth:`call_ended`, :meth:`counsellor_left`)."""

    def __init__(self, app: HotlineApp) -> None:
        self.app = app
        self.by_call: dict[str, Consultation] = {}
        self._by_leg: dict[str, Consultation] = {}

    def knows(self, channel_id: str) -> bool:
        return channel_id in self._by_leg

    def active(self, call_id: str) -> Consultation | None:
        return self.by_call.get(call_id)

    # ----------------------------------------------------------------- the counsellor asks
    def start(
        self,
        call_id: str,
        *,
        counsellor_id: str | None = None,
        centre: str | None = None,
        agency_id: str | None = None,
    ) -> Consultation:
        """Consult a colleague, the longest-free counsellor of a centre, or an agency."""
        app = self.app
        call = app.transfers.connected_call(call_id)
        if call_id in self.by_call:
            raise SupervisionError(
                "a consultation is already under way / cuộc gọi đang được tham khảo ý kiến"
            )
        if any(t.call_id == call_id for t in app.control.transfers.values()):
            raise SupervisionError(
                "a transfer of this call is already ringing / cuộc gọi đang được chuyển"
            )
        offer = call.counsellor_offer
        assert offer is not None and call.bridge_id is not None
        to_centre: str | None = None
        if centre is not None:
            counsellor_id = app.transfers.free_in(centre, but=offer.counsellor_id)
        if counsellor_id is not None:
            entry = app.config.counsellor(counsellor_id)
            if entry is None:
                raise SupervisionError(f"unknown counsellor / không có tư vấn viên {counsellor_id}")
            if entry.id == offer.counsellor_id:
                raise SupervisionError(
                    "the counsellor cannot consult themself / không thể tự chuyển cho mình"
                )
            endpoint, to_centre = entry.endpoint, entry.centre
        else:
            agency = next((a for a in app.config.agencies if a.id == agency_id), None)
            if agency is None:
                raise SupervisionError(f"unknown agency / không có cơ quan {agency_id}")
            endpoint = agency.dial_string(app.config.outbound_trunk)
        consult = Consultation(
            consult_id=f"consult-{uuid.uuid4().hex}",
            call_id=call_id,
            call_bridge=call.bridge_id,
            counsellor_leg=offer.offer_id,
            from_counsellor=offer.counsellor_id,
            endpoint=endpoint,
            to_counsellor=counsellor_id,
            to_centre=to_centre,
            to_agency=None if counsellor_id is not None else agency_id,
            bridge_id=f"consult-{uuid.uuid4().hex}",
            ringback_id=f"ringback-{uuid.uuid4().hex}",
        )
        self.by_call[call_id] = consult
        self._by_leg[consult.consult_id] = consult
        app.fact(
            facts.ConsultStarted,
            call,
            consult_id=consult.consult_id,
            from_counsellor=consult.from_counsellor,
            to_counsellor=consult.to_counsellor,
            to_centre=consult.to_centre,
            to_agency=consult.to_agency,
        )
        app.op(call, lambda: self._hold_and_ring(consult))
        return consult

    async def _hold_and_ring(self, c: Consultation) -> None:
        ari = self.app.ari
        await ari.bridges.start_moh(c.call_bridge, moh_class=self.app.config.moh_class)
        await ari.bridges.remove_channel(c.call_bridge, c.counsellor_leg)
        await ari.bridges.create(type="mixing", bridge_id=c.bridge_id, name=f"consult {c.call_id}")
        await ari.bridges.add_channel(c.bridge_id, c.counsellor_leg)
        await ari.bridges.play(c.bridge_id, "tone:ring", playback_id=c.ringback_id)
        if c.ended:
            return  # cancelled meanwhile: the way back is queued after this
        try:
            await ari.channels.originate(
                c.endpoint,
                app=self.app.config.app,
                app_args=[CONSULT_ARG, c.call_id],
                caller_id=self.app.config.hotline_caller_id,
                timeout=max(1, round(self.app.config.consult_ring_timeout)),
                channel_id=c.consult_id,
            )
            if c.ended:  # the caller hung up while the request was on its way: take it back
                await hang_up(ari, c.consult_id)
        except AriError as exc:
            log.warning("consultation of %s with %s failed: %s", c.call_id, c.endpoint, exc)
            self._back_to_caller(c, ConsultOutcome.UNREACHABLE)

    def complete(self, call_id: str) -> Consultation:
        """Hand the caller to the target; the counsellor leaves (to wrap-up)."""
        c = self._current(call_id)
        if not c.answered:
            raise SupervisionError(
                "the target has not answered yet / người nhận chưa trả lời"
            )  # fmt: skip
        call = self.app.calls[call_id]
        self._close(c, ConsultOutcome.COMPLETED, call)
        self.app.transfers.hand_over(
            call, c.consult_id, c.to_counsellor, c.to_agency, kind=TransferKind.CONSULT
        )
        ari = self.app.ari

        async def hand_over() -> None:
            await ari.bridges.remove_channel(c.bridge_id, c.consult_id)
            await ari.bridges.add_channel(c.call_bridge, c.consult_id)
            await ari.bridges.stop_moh(c.call_bridge, missing_ok=True)
            await hang_up(ari, c.counsellor_leg)
            await ari.bridges.destroy(c.bridge_id, missing_ok=True)

        self.app.op(call, hand_over)
        return c

    def cancel(self, call_id: str) -> Consultation:
        """The counsellor goes back to the caller; the target's leg is hung up."""
        c = self._current(call_id)
        self._back_to_caller(c, ConsultOutcome.CANCELLED)
        return c

    def _current(self, call_id: str) -> Consultation:
        c = self.by_call.get(call_id)
        call = self.app.calls.get(call_id)
        if c is None or call is None or call.phase is not Phase.CONNECTED:
            raise SupervisionError(
                f"no consultation on call {call_id} / cuộc gọi không có tham khảo ý kiến"
            )
        return c

    # ----------------------------------------------------------------- endings
    def _close(self, c: Consultation, outcome: ConsultOutcome, call: HotlineCall) -> None:
        c.ended = True
        self.by_call.pop(c.call_id, None)
        self._by_leg.pop(c.consult_id, None)
        self.app.fact(facts.ConsultEnded, call, consult_id=c.consult_id, outcome=outcome)

    def _back_to_caller(self, c: Consultation, outcome: ConsultOutcome) -> None:
        call = self.app.calls.get(c.call_id)
        if c.ended or call is None:
            return
        self._close(c, outcome, call)
        ari = self.app.ari

        async def back() -> None:
            await hang_up(ari, c.consult_id)
            await ari.playbacks.stop(c.ringback_id, missing_ok=True)
            await ari.bridges.remove_channel(c.bridge_id, c.counsellor_leg, missing_ok=True)
            await ari.bridges.add_channel(c.call_bridge, c.counsellor_leg)
            await ari.bridges.stop_moh(c.call_bridge, missing_ok=True)
            await ari.bridges.destroy(c.bridge_id, missing_ok=True)

        self.app.op(call, back)

    def call_ended(self, call: HotlineCall, outcome: ConsultOutcome) -> None:
        """The caller hung up on hold (or went to the fallback queue): the target is released."""
        c = self.by_call.get(call.call_id)
        if c is None or c.ended:
            return
        self._close(c, outcome, call)
        self.app.spawn(hang_up(self.app.ari, c.consult_id))
        self.app.spawn(self._destroy(c.bridge_id))

    def counsellor_left(self, call: HotlineCall, leg: str) -> bool:
        """The counsellor's leg went during the consultation: never leave the caller on hold
        with nobody; they go to the fallback queue. True when this was such a leg."""
        c = self.by_call.get(call.call_id)
        if c is None or c.ended or c.counsellor_leg != leg:
            return False
        self.call_ended(call, ConsultOutcome.COUNSELLOR_HUNG_UP)
        self.app.send_to_fallback(call, "counsellor left during a consultation")
        return True

    async def _destroy(self, bridge_id: str) -> None:
        try:
            await self.app.ari.bridges.destroy(bridge_id, missing_ok=True)
        except AriError as exc:
            log.warning("bridge %s not destroyed: %s", bridge_id, exc)

    # ----------------------------------------------------------------- events
    def handle(self, event: AriEvent) -> bool:
        """The target's leg: ringing, answered, gone. True when the event was about it."""
        if isinstance(event, StasisStart):
            if not event.args or event.args[0] != CONSULT_ARG:
                return False
            c = self._by_leg.get(event.channel.id)
            call = self.app.calls.get(c.call_id) if c is not None else None
            if c is None or call is None:  # not (or no longer) ours: release the phone
                self.app.spawn(hang_up(self.app.ari, event.channel.id))
                return True
            if c.answered:
                return True  # duplicate
            c.answered = True
            self.app.fact(facts.ConsultAnswered, call, consult_id=c.consult_id)
            ari = self.app.ari
            ringback, bridge_id, leg = c.ringback_id, c.bridge_id, c.consult_id

            async def join() -> None:
                await ari.playbacks.stop(ringback, missing_ok=True)
                await ari.bridges.add_channel(bridge_id, leg)

            self.app.op(call, join)
            return True
        if isinstance(event, Dial):
            c = self._by_leg.get(event.peer.id)
            if c is None:
                return False
            if event.dialstatus == "RINGING":
                c.rang = True
            return True
        if isinstance(event, ChannelDestroyed | StasisEnd | ChannelHangupRequest):
            c = self._by_leg.get(event.channel.id)
            if c is None:
                return False
            if c.answered:
                self._back_to_caller(c, ConsultOutcome.TARGET_HUNG_UP)
            elif isinstance(event, ChannelDestroyed):
                failure = ring_failure(event, rang=c.rang)
                self._back_to_caller(c, FAILURE_OUTCOME[failure])
            return True
        return False
