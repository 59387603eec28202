"""Offering a caller to counsellors: ring, answer, bridge; a ring that fails or a leg that goes.

``RingCounsellor`` from routing originates the counsellor's leg into the app with a channel id
of our own (``offer-...``, never ring the same phone twice); its ``Dial`` events and its end
tell routing how the ring went. The answered leg enters Stasis with ``offer,<call id>``: the
caller's music stops and both legs go into a mixing bridge. "Answered" counts for the caller
only once they are bridged (:meth:`OfferDesk.bridged`). A counsellor who drops before the
bridge sends the caller back to the head of the line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import TYPE_CHECKING

from ari.errors import (
    AriBadRequest,
    AriConnectionError,
    AriError,
    AriNotFound,
    AriUnprocessable,
)
from ari.events import ChannelDestroyed, ChannelEnteredBridge, ChannelHangupRequest, Dial, StasisEnd
from callcenter.calls import facts
from callcenter.calls.outcomes import HangupBy, OfferOutcome
from callcenter.flow.call import RETRY_DELAYS, HotlineCall, Offer, Phase
from callcenter.flow.ops import ring_failure
from routing import events as rev
from routing.decisions import RingCounsellor
from routing.model import RingFailure

if TYPE_CHECKING:
    from callcenter.flow.app import HotlineApp

log = logging.getLogger(__name__)

OFFER_ARG = "offer"
CALL_VAR = "HOTLINE_CALL"


class OfferDesk:
    """The rings of one node's calls (the app's ``offers``)."""

    def __init__(self, app: HotlineApp) -> None:
        self.app = app

    def ring(self, call: HotlineCall, decision: RingCounsellor) -> None:
        entry = self.app.config.counsellor(decision.counsellor_id)
        offer = Offer(
            offer_id=f"offer-{uuid.uuid4().hex}",
            counsellor_id=decision.counsellor_id,
            centre=decision.centre,
            callback=decision.callback,
            created=self.app.driver.now(),
        )
        call.offers[offer.offer_id] = offer
        self.app.offers_by_leg[offer.offer_id] = call
        self.app.fact(
            facts.CallOffered,
            call,
            offer_id=offer.offer_id,
            counsellor=offer.counsellor_id,
            centre=offer.centre,
        )
        if entry is None:
            self.failed(call, offer, RingFailure.UNREACHABLE)
            return
        endpoint = entry.endpoint

        async def originate_once() -> None:
            await self.app.ari.channels.originate(
                endpoint,
                app=self.app.config.app,
                app_args=[OFFER_ARG, call.call_id],
                caller_id=self.app.config.hotline_caller_id,
                # Asterisk's own dial time-out only backs up routing's ring_timeout
                timeout=max(1, round(self.app.config.ring_timeout) + 2),
                variables={CALL_VAR: call.call_id},
                channel_id=offer.offer_id,
            )

        async def originate() -> None:
            # One leg per phone at a time: a withdrawn ring's leg may still be on its way out.
            if not await self.app.legs.wait_free(
                offer.counsellor_id, probe=self.app.leg_exists, hang_up=self.app.hangup
            ):
                log.error("%s's phone still has an earlier leg; ringing anyway", endpoint)
            if offer.ended:
                return  # withdrawn while we waited
            self.app.legs.started(offer.counsellor_id, offer.offer_id)
            for delay in (*RETRY_DELAYS, None):
                try:
                    await originate_once()
                    if offer.ended:  # withdrawn while the request was on its way: take it back
                        await self.app.hangup(offer.offer_id)
                    return
                except AriConnectionError as exc:
                    # The request may have reached Asterisk before the connection broke: the
                    # channel id we chose tells (never ring the same phone twice).
                    log.warning("originate to %s interrupted: %s", endpoint, exc)
                    with contextlib.suppress(AriError):
                        if await self.app.ari.channels.get(offer.offer_id, missing_ok=True):
                            return
                    if delay is None:
                        break
                    await asyncio.sleep(delay)
                except AriError as exc:  # the counsellor's phone failed, not the caller's call
                    log.warning("originate to %s failed: %s", endpoint, exc)
                    break
            self.app.legs.ended(offer.offer_id)
            self.failed(call, offer, RingFailure.UNREACHABLE)

        # Not behind the caller's media operations: the phone must ring the moment routing
        # decides (the originate does not depend on what the caller hears).
        self.app.spawn(originate())

    def cancel(self, call: HotlineCall, counsellor_id: str, outcome: OfferOutcome) -> None:
        for offer in call.offers.values():
            if offer.counsellor_id == counsellor_id and not offer.ended and not offer.answered:
                offer.ended = True
                self.app.fact(facts.OfferEnded, call, offer_id=offer.offer_id, outcome=outcome)
                offer_id = offer.offer_id
                self.app.spawn(self.app.hangup(offer_id))

    def on_dial(self, event: Dial) -> None:
        call = self.app.offers_by_leg.get(event.peer.id)
        if call is None:
            return
        offer = call.offers[event.peer.id]
        if event.dialstatus == "RINGING":
            offer.ringing = True
        elif event.dialstatus in ("BUSY", "CONGESTION", "CHANUNAVAIL", "NOANSWER"):
            failure = {
                "BUSY": RingFailure.BUSY,
                "NOANSWER": RingFailure.NO_ANSWER,
            }.get(event.dialstatus, RingFailure.UNREACHABLE)
            self.failed(call, offer, failure)

    def failed(self, call: HotlineCall, offer: Offer, failure: RingFailure) -> None:
        if offer.ended or offer.answered:
            return
        offer.ended = True
        outcome = {
            RingFailure.BUSY: OfferOutcome.BUSY,
            RingFailure.NO_ANSWER: OfferOutcome.NO_ANSWER,
            RingFailure.UNREACHABLE: OfferOutcome.UNREACHABLE,
        }[failure]
        self.app.fact(facts.OfferEnded, call, offer_id=offer.offer_id, outcome=outcome)
        if call.phase in (Phase.WAITING, Phase.CALLBACK_MENU):
            self.app.driver.submit(rev.RingFailed(call.call_id, offer.counsellor_id, failure))

    def on_answered(self, offer_id: str) -> None:
        call = self.app.offers_by_leg.get(offer_id)
        if call is None:
            # a counsellor leg whose call this service does not know (e.g. after a restart)
            self.app.spawn(self.app.hangup(offer_id))
            return
        offer = call.offers[offer_id]
        if offer.answered:
            return  # duplicate StasisStart
        if offer.ended or call.phase not in (Phase.WAITING, Phase.CALLBACK_MENU):
            self.app.spawn(self.app.hangup(offer_id))
            return
        offer.answered = True
        call.connected_offer = offer_id
        call.phase = Phase.CONNECTED
        self.app.cancel_timer(call)
        self.app.fact(facts.OfferEnded, call, offer_id=offer_id, outcome=OfferOutcome.ANSWERED)
        self.app.driver.submit(rev.CallAnswered(call.call_id, offer.counsellor_id))
        bridge_id = f"call-{uuid.uuid4().hex}"
        call.bridge_id = bridge_id
        playback = call.playback_id
        call.playback_id = None
        moh = call.moh
        call.moh = False

        async def connect() -> None:
            if playback is not None:
                await self.app.ari.playbacks.stop(playback, missing_ok=True)
            if moh:
                await self.app.ari.channels.stop_moh(call.channel_id, missing_ok=True)
            try:
                await self.app.ari.bridges.create(
                    type="mixing", bridge_id=bridge_id, name=call.call_id
                )
                await self.app.ari.bridges.add_channel(bridge_id, [call.channel_id, offer_id])
            except (AriNotFound, AriBadRequest, AriUnprocessable):
                # 400/404 "Channel not found", 422 "not in Stasis": a leg is leaving
                if call.phase is Phase.CONNECTED and call.connected_offer == offer_id:
                    await self.bridge_failed(call, offer)  # its event has not come yet
                return  # the hang-up was handled (caller gone, or counsellor gone: re-queued)
            if call.phase is Phase.CONNECTED and call.connected_offer == offer_id:
                self.bridged(call)

        self.app.op(call, connect)

    async def bridge_failed(self, call: HotlineCall, offer: Offer) -> None:
        """Which leg went? The caller: the call is over. The counsellor: the caller goes back
        to the head of the line. Both still there: a real failure (to the fallback queue)."""
        caller = await self.app.ari.channels.get(call.channel_id, missing_ok=True)
        if call.phase is not Phase.CONNECTED or call.connected_offer != offer.offer_id:
            return  # the leg's own event arrived meanwhile and was handled
        if caller is None:
            self.app.lost(call)
            return
        if caller.dialplan.app_name != "Stasis":
            self.app.left_for_fallback(call, "left the app while being bridged")
            return
        counsellor = await self.app.ari.channels.get(offer.offer_id, missing_ok=True)
        if call.phase is not Phase.CONNECTED or call.connected_offer != offer.offer_id:
            return
        if counsellor is None or counsellor.dialplan.app_name != "Stasis":
            self.app.spawn(self.app.hangup(offer.offer_id))
            self.requeue(call, offer)
            return
        raise RuntimeError(f"caller and counsellor could not be bridged on {call.call_id}")

    def bridged(self, call: HotlineCall) -> None:
        """Answered for the caller only once they can hear the counsellor (the bridge's own
        event or the REST answer, whichever comes first): a caller who hung up as the phone
        was picked up is an abandoned call, not an answered one."""
        offer = call.counsellor_offer
        if call.bridged or offer is None:
            return
        call.bridged = True
        self.app.fact(facts.CallAnswered, call, counsellor=offer.counsellor_id, centre=offer.centre)

    def on_entered_bridge(self, event: ChannelEnteredBridge) -> None:
        if event.channel is None:
            return
        call = self.app.by_channel.get(event.channel.id)
        if call is not None and call.bridge_id == event.bridge.id and call.connected_offer:
            self.bridged(call)

    def on_leg_gone(
        self,
        call: HotlineCall,
        offer: Offer,
        event: ChannelHangupRequest | StasisEnd | ChannelDestroyed,
    ) -> None:
        if offer.answered:
            if call.phase is Phase.CONNECTED and call.connected_offer == offer.offer_id:
                if call.bridged:
                    # the counsellor hung up: the conversation is over for the caller too
                    self.app.end_call(call, HangupBy.COUNSELLOR)
                else:
                    # picked up and dropped before the caller heard anybody: back in line
                    self.requeue(call, offer)
            return
        if offer.ended:
            return
        if isinstance(event, ChannelDestroyed):
            self.failed(call, offer, ring_failure(event, rang=offer.ringing))

    def requeue(self, call: HotlineCall, offer: Offer) -> None:
        """The counsellor's leg went away before the caller was bridged: the caller goes back
        to the head of the line (keeping their arrival time); the counsellor to wrap-up."""
        offer.ended = True
        call.connected_offer = None
        if call.bridge_id is not None:
            self.app.spawn(self.app.ari.bridges.destroy(call.bridge_id, missing_ok=True))
            call.bridge_id = None
        if call.in_engine:
            self.app.driver.submit(rev.CallEnded(call.call_id))
            call.in_engine = False
        self.app.enqueue(call, arrived_at=call.arrived)
