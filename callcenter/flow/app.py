"""The hotline Stasis application on one Asterisk node: from StasisStart to the last record.

Every ARI event of the node comes in through :meth:`HotlineApp.handle`, one at a time, and
changes the calls' state synchronously; Asterisk operations go to each call's serial queue
(:class:`callcenter.flow.call.SerialOps`), so no call ever waits on another. Routing decisions
come from the shared :class:`callcenter.flow.driver.RoutingDriver`.

Never lose a call: any failure while handling a caller sends the channel back to the dialplan
(``continueInDialplan``), where the fallback queue of its centre takes it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ari.client import AriClient
from ari.errors import (
    AriError,
    ChannelNotFound,
)
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
from ari.models import Channel
from callcenter.calls import facts
from callcenter.calls.outcomes import (
    CallOutcome,
    ConsultOutcome,
    HangupBy,
    OfferOutcome,
)
from callcenter.flow.call import (
    HotlineCall,
    Offer,
    Phase,
    SerialOps,
    retrying,
)
from callcenter.flow.callback_menu import CallbackMenu
from callcenter.flow.callback_policy import CallbackSettings
from callcenter.flow.callbacks import COUNSELLOR_ARG, CallbackDialer
from callcenter.flow.config import FlowConfig
from callcenter.flow.consult import CONSULT_ARG, ConsultDesk
from callcenter.flow.driver import RoutingDriver
from callcenter.flow.ivr import IvrAnswers, IvrFinished, IvrMachine, PlayPrompts
from callcenter.flow.legs import PhoneLegs
from callcenter.flow.offers import OFFER_ARG, OfferDesk
from callcenter.flow.ops import hang_up, leg_exists
from callcenter.flow.prompts import PROMPTS
from callcenter.flow.supervision import (
    SUPERVISOR_ARG,
    TRANSFER_ARG,
    CallControl,
)
from callcenter.flow.transfers import TransferDesk
from routing import events as rev
from routing.decisions import (
    AnnouncePosition,
    CancelReason,
    CancelRing,
    Decision,
    OfferCallback,
    RingCounsellor,
)
from routing.model import Priority, RingFailure

log = logging.getLogger(__name__)

NOT_CALLERS = frozenset(
    {"snoop", "supervisor", "transfer", "consult", "agency", "callback", "callback-out"}
)
#: Stasis arguments of the legs the service originates itself (never callers to adopt)
COUNSELLOR_LEGS = frozenset({OFFER_ARG, COUNSELLOR_ARG, SUPERVISOR_ARG, TRANSFER_ARG, CONSULT_ARG})
DANGER_VAR = "HOTLINE_DANGER"
CENTRE_VAR = "HOTLINE_CENTRE"
LANGUAGE_VAR = "HOTLINE_LANGUAGE"


@dataclass(frozen=True, slots=True)
class DangerAlert:
    """A caller pressed "in danger now": supervisors must know at once."""

    call_id: str
    at: datetime
    home_centre: str | None
    language: str


#: How a ring routing withdrew ends, in the call record.
CANCEL_OUTCOME: dict[CancelReason, OfferOutcome] = {
    CancelReason.RING_TIMEOUT: OfferOutcome.NO_ANSWER,
    CancelReason.CALLER_HUNG_UP: OfferOutcome.CALLER_HUNG_UP,
    CancelReason.COUNSELLOR_PAUSED: OfferOutcome.CANCELLED,
    CancelReason.COUNSELLOR_LOGGED_OUT: OfferOutcome.CANCELLED,
    CancelReason.PHONE_BUSY: OfferOutcome.BUSY,
    CancelReason.PHONE_UNREGISTERED: OfferOutcome.UNREACHABLE,
    CancelReason.CALLBACK_COMPLETED: OfferOutcome.CANCELLED,
}


class FactSink(Protocol):
    """Where call-lifecycle facts go (the durable :class:`CallRecorder` in the service)."""

    def record(self, fact: facts.Fact) -> None: ...


class HotlineApp:
    def __init__(
        self,
        *,
        node: str,
        ari: AriClient,
        driver: RoutingDriver,
        recorder: FactSink,
        config: FlowConfig,
        wall_clock: Callable[[], datetime],
        callback_settings: CallbackSettings | None = None,
    ) -> None:
        self.node = node
        self.ari = ari
        self.driver = driver
        self.recorder = recorder
        self.config = config
        self._wall = wall_clock
        self.calls: dict[str, HotlineCall] = {}  # call_id -> call
        # told at once when a caller says they are in danger now (supervisors' alert)
        self.on_danger: list[Callable[[DangerAlert], None]] = []
        # told when a caller could not be handed to the dialplan (they are still in the app)
        self.on_continue_failed: list[Callable[[str], None]] = []
        self.by_channel: dict[str, HotlineCall] = {}  # caller channel id -> call
        self.offers_by_leg: dict[str, HotlineCall] = {}  # offer (counsellor leg) id -> call
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._wrap_ups: dict[str, tuple[str, asyncio.TimerHandle]] = {}  # counsellor -> call
        self._tasks: set[asyncio.Task[object]] = set()
        self._stopping = False
        self.legs = PhoneLegs()
        self.callbacks = CallbackDialer(
            ari=ari,
            driver=driver,
            config=config,
            legs=self.legs,
            wall_clock=wall_clock,
            spawn=self.spawn,
            record=recorder.record,
            settings=callback_settings,
        )
        self.transfers = TransferDesk(self)
        self.control = CallControl(
            ari=ari,
            app_name=config.app,
            spawn=self.spawn,
            on_transfer_answered=self.transfers.answered,
            on_transfer_failed=self.transfers.failed,
        )
        self.consults = ConsultDesk(self)
        self.offers = OfferDesk(self)
        self.menu = CallbackMenu(self)
        self.sent_to_fallback = 0

    def engaged(self, counsellor_id: str) -> bool:
        """Is this counsellor's phone ringing or talking for one of this node's calls (or
        callbacks)? Those device-state changes are ours, not "busy elsewhere"."""
        if self.legs.live(counsellor_id):
            return True
        for offer_id, call in self.offers_by_leg.items():
            offer = call.offers.get(offer_id)
            if offer is None or offer.counsellor_id != counsellor_id or offer.ended:
                continue
            if not offer.answered or call.phase is Phase.CONNECTED:
                return True
        return False

    # ----------------------------------------------------------------- events in
    def handle(self, event: AriEvent) -> None:
        """Apply one ARI event of this node (idempotent: duplicates change nothing)."""
        if (
            self._stopping
            or self.callbacks.handle(event)
            or self.control.handle(event)
            or self.consults.handle(event)
        ):
            return
        if isinstance(event, StasisStart):
            self._on_stasis_start(event)
        elif isinstance(event, ChannelDtmfReceived):
            call = self.by_channel.get(event.channel.id)
            if call is not None:
                self._on_digit(call, event.digit)
        elif isinstance(event, Dial):
            self.offers.on_dial(event)
        elif isinstance(event, ChannelEnteredBridge):
            self.offers.on_entered_bridge(event)
        elif isinstance(event, PlaybackFinished):
            self._on_playback_finished(event.playback.id, event.playback.target_uri)
        elif isinstance(event, ChannelHangupRequest | StasisEnd | ChannelDestroyed):
            self._on_channel_gone(event)

    def _on_stasis_start(self, event: StasisStart) -> None:
        channel = event.channel
        if event.args and event.args[0] == OFFER_ARG:
            self.offers.on_answered(channel.id)
            return
        if event.args and event.args[0] in NOT_CALLERS:
            return  # snoop legs and other helper channels are not hotline calls
        if channel.id in self.by_channel:
            return  # duplicate
        call = HotlineCall(
            call_id=facts.call_id_of(self.node, channel.id),
            node=self.node,
            channel_id=channel.id,
            caller_number=channel.caller.number or None,
            arrived=self.driver.now(),
        )
        call.ops = SerialOps(call.call_id, self._failure_handler(call))
        self.calls[call.call_id] = call
        self.by_channel[channel.id] = call
        self.fact(
            facts.CallArrived,
            call,
            caller_number=call.caller_number,
            dialled=channel.dialplan.exten or None,
            channel_name=channel.name,
        )
        ivr = IvrMachine(self.config.ivr, caller_number=call.caller_number)
        call.ivr = ivr
        needs_answer = channel.state != "Up"
        self.op(call, lambda: self._answer(call, needs_answer))
        self._apply_ivr(call, ivr.start(self.driver.now()))

    async def _answer(self, call: HotlineCall, needs_answer: bool) -> None:
        if needs_answer:
            await self.ari.channels.answer(call.channel_id)

    # ----------------------------------------------------------------- IVR
    def _on_digit(self, call: HotlineCall, digit: str) -> None:
        now = self.driver.now()
        if call.phase is Phase.IVR and call.ivr is not None:
            self._apply_ivr(call, call.ivr.on_digit(digit, now))
        elif call.phase is Phase.CALLBACK_MENU:
            self.menu.on_digit(call, digit)

    def _apply_ivr(self, call: HotlineCall, actions: list[PlayPrompts | IvrFinished]) -> None:
        for action in actions:
            if isinstance(action, PlayPrompts):
                self.play(call, action.prompts)
            else:
                self._ivr_done(call, action.answers)
        if call.phase is Phase.IVR and call.ivr is not None and call.ivr.deadline is not None:
            self.set_timer(call, call.ivr.deadline, self._ivr_timeout)

    def _ivr_timeout(self, call: HotlineCall) -> None:
        if call.phase is Phase.IVR and call.ivr is not None:
            self._apply_ivr(call, call.ivr.on_timeout(self.driver.now()))

    def _ivr_done(self, call: HotlineCall, answers: IvrAnswers) -> None:
        call.answers = answers
        call.ivr = None
        self.cancel_timer(call)
        self.fact(
            facts.IvrCompleted,
            call,
            language=answers.language,
            province=answers.province,
            home_centre=answers.home_centre,
            in_danger=answers.danger,
        )
        variables = {
            LANGUAGE_VAR: answers.language,
            CENTRE_VAR: answers.home_centre or "",
            DANGER_VAR: "1" if answers.danger else "0",
        }

        async def mark() -> None:
            # On the channel itself, so the fallback queue and a restarted service both see it.
            for name, value in variables.items():
                await self.ari.channels.set_channel_var(call.channel_id, name, value)

        self.op(call, mark)
        if answers.danger:
            alert = DangerAlert(
                call_id=call.call_id,
                at=self._wall(),
                home_centre=answers.home_centre,
                language=answers.language,
            )
            log.warning("caller in danger now: %s", call.call_id)
            for notify in self.on_danger:
                notify(alert)
        if len(self._waiting()) >= self.config.queue_cap:
            self.menu.no_counsellor(call, "queue_cap")
            return
        self.enqueue(call, arrived_at=None)

    def enqueue(self, call: HotlineCall, arrived_at: float | None) -> None:
        answers = call.answers
        assert answers is not None
        call.phase = Phase.WAITING
        call.wait_deadline = (arrived_at or self.driver.now()) + self.config.max_wait
        self.set_timer(call, call.wait_deadline, self.menu.max_wait_reached)
        self.play(call, ("please-hold",))
        self.fact(facts.CallQueued, call, centre=answers.home_centre)
        call.in_engine = True
        self.driver.submit(
            rev.CallArrived(
                call_id=call.call_id,
                home_centre=answers.home_centre,
                language=answers.language,
                priority=Priority.DANGER if answers.danger else Priority.NORMAL,
                arrived_at=arrived_at,
            )
        )

    def _waiting(self) -> list[HotlineCall]:
        return [c for c in self.calls.values() if c.phase is Phase.WAITING]

    # ----------------------------------------------------------------- media
    def play(self, call: HotlineCall, prompts: tuple[str, ...]) -> None:
        media: list[str] = []
        for name in prompts:
            media.extend(PROMPTS[name].media(custom=self.config.custom_prompts))
        self.play_media(call, media)

    def play_media(self, call: HotlineCall, media: list[str]) -> None:
        previous = call.playback_id
        playback_id = uuid.uuid4().hex
        call.playback_id = playback_id
        stop_moh = call.moh
        call.moh = False
        language = call.answers.language if call.answers else None

        async def play() -> None:
            if previous is not None:
                await self.ari.playbacks.stop(previous, missing_ok=True)
            if stop_moh:
                await self.ari.channels.stop_moh(call.channel_id, missing_ok=True)
            await self.ari.channels.play(
                call.channel_id, media, lang=language, playback_id=playback_id
            )

        self.op(call, play)

    def _on_playback_finished(self, playback_id: str, target_uri: str) -> None:
        channel_id = target_uri.removeprefix("channel:")
        call = self.by_channel.get(channel_id)
        if call is None or call.playback_id != playback_id:
            return
        call.playback_id = None
        if call.phase is Phase.WAITING and not call.moh:
            call.moh = True
            moh_class = self.config.moh_class
            self.op(call, lambda: self.ari.channels.start_moh(call.channel_id, moh_class=moh_class))
        elif call.phase is Phase.LEAVING:
            self.op(call, lambda: self.hangup(call.channel_id))

    # ----------------------------------------------------------------- decisions
    def on_decision(self, decision: Decision) -> None:
        """Handle a routing decision about one of this node's calls."""
        if self._stopping:
            return
        call_id = getattr(decision, "call_id", "")
        if self.callbacks.owns(call_id):
            self.callbacks.on_decision(decision)
            return
        call = self.calls.get(call_id)
        if call is None or call.phase is Phase.ENDED:
            return
        if isinstance(decision, RingCounsellor):
            self.offers.ring(call, decision)
        elif isinstance(decision, CancelRing):
            self.offers.cancel(call, decision.counsellor_id, CANCEL_OUTCOME[decision.reason])
        elif isinstance(decision, AnnouncePosition):
            # never cut an announcement or a prompt short with the next one
            if self.config.announce_positions and call.phase is Phase.WAITING and call.moh:
                self._announce(call, decision.position, decision.expected_wait)
        elif isinstance(decision, OfferCallback) and call.phase is Phase.WAITING:
            self.menu.offer(call)

    def _announce(self, call: HotlineCall, position: int, expected_wait: float | None) -> None:
        """ "You are caller number N; the expected wait is about M minutes" (the wait only when
        routing can estimate it), then the music again."""
        custom = self.config.custom_prompts
        media = [*PROMPTS["position"].media(custom=custom), f"number:{position}"]
        if expected_wait is not None:
            minutes = max(1, round(expected_wait / 60))
            media += [*PROMPTS["expected-wait"].media(custom=custom), f"number:{minutes}"]
        self.play_media(call, media)

    # ----------------------------------------------------------------- supervisors, transfers
    # ----------------------------------------------------------------- leaving
    def _on_channel_gone(self, event: ChannelHangupRequest | StasisEnd | ChannelDestroyed) -> None:
        channel_id = event.channel.id
        if isinstance(event, ChannelDestroyed):
            self.legs.ended(channel_id)
        offer_call = self.offers_by_leg.get(channel_id)
        if offer_call is not None and self.consults.counsellor_left(offer_call, channel_id):
            return
        if offer_call is not None:
            self.offers.on_leg_gone(offer_call, offer_call.offers[channel_id], event)
            return
        call = self.by_channel.get(channel_id)
        if call is None or call.phase is Phase.ENDED:
            return
        if isinstance(event, ChannelHangupRequest) and event.soft:
            return  # our own DELETE: the StasisEnd that follows ends the call
        self.end_call(call, HangupBy.CALLER if call.phase is not Phase.LEAVING else HangupBy.SYSTEM)

    def end_call(self, call: HotlineCall, by: HangupBy) -> None:
        self.control.call_ended(call.call_id)
        self.consults.call_ended(call, ConsultOutcome.CALLER_HUNG_UP)
        previous = call.phase
        call.phase = Phase.ENDED
        self.cancel_timer(call)
        if call.ops is not None:
            call.ops.close()
        outcome: CallOutcome | None = None
        for offer in call.offers.values():
            if not offer.ended and not offer.answered:
                offer.ended = True
                self.fact(
                    facts.OfferEnded,
                    call,
                    offer_id=offer.offer_id,
                    outcome=OfferOutcome.CALLER_HUNG_UP,
                )
                self.spawn(self.hangup(offer.offer_id))
        if call.adopted_counsellor is not None:
            self.driver.submit(rev.PhoneFree(call.adopted_counsellor))
        if call.in_engine:
            if previous is Phase.CONNECTED:
                self.driver.submit(rev.CallEnded(call.call_id))
                self._start_wrap_up(call)
            else:
                self.driver.submit(rev.CallHungUp(call.call_id))
            call.in_engine = False
        connected = call.counsellor_offer
        if connected is not None:
            self.spawn(self.hangup(connected.offer_id))
            self.spawn(self.hangup(call.channel_id))
        if call.bridge_id is not None:
            bridge_id = call.bridge_id
            self.spawn(self.ari.bridges.destroy(bridge_id, missing_ok=True))
        if previous is Phase.IVR:
            outcome = CallOutcome.ABANDONED_IVR
        self.fact(facts.CallEnded, call, hangup_by=by, outcome=outcome)
        self._forget(call)

    def _start_wrap_up(self, call: HotlineCall) -> None:
        """The counsellor's after-call work is part of the call's record: it ends when routing's
        wrap-up time for their centre runs out, or earlier when they say they are done."""
        offer = call.counsellor_offer
        if offer is None:
            return
        previous = self._wrap_ups.pop(offer.counsellor_id, None)
        if previous is not None:
            previous[1].cancel()
        at = self.driver.now() + self.driver.engine.policy.wrap_up_of(offer.centre)
        handle = self.driver.call_at(at, self.wrap_up_over, offer.counsellor_id)
        self._wrap_ups[offer.counsellor_id] = (call.channel_id, handle)

    def wrap_up_over(self, counsellor_id: str) -> None:
        """Record the end of a counsellor's wrap-up (time ran out, or they ended it)."""
        pending = self._wrap_ups.pop(counsellor_id, None)
        if pending is None:
            return
        channel_id, handle = pending
        handle.cancel()
        fact = facts.WrapUpEnded(
            node=self.node, channel_id=channel_id, at=self._wall(), counsellor=counsellor_id
        )
        self.recorder.record(fact)

    def _forget(self, call: HotlineCall) -> None:
        self.calls.pop(call.call_id, None)
        self.by_channel.pop(call.channel_id, None)
        for offer_id in call.offers:
            self.offers_by_leg.pop(offer_id, None)

    def _failure_handler(self, call: HotlineCall) -> Callable[[BaseException], None]:
        def on_error(exc: BaseException) -> None:
            if isinstance(exc, ChannelNotFound):
                # Perhaps the caller hung up while we were not listening: look before acting.
                self.spawn(self._check_gone(call, repr(exc)))
            else:
                self.fail(call, repr(exc))

        return on_error

    async def _check_gone(self, call: HotlineCall, reason: str) -> None:
        try:
            alive = await self.ari.channels.get(call.channel_id, missing_ok=True) is not None
        except AriError:
            alive = True  # cannot tell: do the safe thing for a caller who may be there
        if call.phase is Phase.ENDED:
            return
        if alive:
            self.fail(call, reason)
        else:
            self.lost(call)

    def fail(self, call: HotlineCall, reason: str) -> None:
        """Something went wrong with this call: hand it to the dialplan's fallback queue."""
        if self._stopping:
            return
        if call.phase is Phase.ENDED:
            return
        if call.phase is Phase.LEAVING:  # only goodbye was left to do: end the call cleanly
            self.spawn(self.hangup(call.channel_id))
            return
        log.error("call %s goes to the fallback queue: %s", call.call_id, reason)
        self.send_to_fallback(call, reason)

    def send_to_fallback(
        self, call: HotlineCall, reason: str, *, already_continued: bool = False
    ) -> None:
        self.consults.call_ended(call, ConsultOutcome.FAILED)
        if call.in_engine:
            self.driver.submit(rev.CallHungUp(call.call_id))
            call.in_engine = False
        for offer in call.offers.values():
            if not offer.ended and not offer.answered:
                offer.ended = True
                self.fact(
                    facts.OfferEnded, call, offer_id=offer.offer_id, outcome=OfferOutcome.CANCELLED
                )
                self.spawn(self.hangup(offer.offer_id))
        connected = call.counsellor_offer
        if connected is not None:
            self.spawn(self.hangup(connected.offer_id))
        call.phase = Phase.ENDED
        self.cancel_timer(call)
        if call.ops is not None:
            call.ops.close()
        self.fact(facts.CallSentToFallback, call, reason=reason)
        self.sent_to_fallback += 1
        channel_id = call.channel_id
        self._forget(call)
        if not already_continued:
            self.spawn(self._continue(channel_id))

    async def _continue(self, channel_id: str) -> None:
        try:
            await retrying(lambda: self.ari.channels.continue_in_dialplan(channel_id))
        except ChannelNotFound:
            return  # the caller hung up meanwhile
        except AriError as exc:
            # Never strand the caller: the app is still connected, so the watchdog will not act.
            # Tell the service, which reconciles: a caller still in the app is adopted again.
            log.error("could not continue %s in the dialplan: %s", channel_id, exc)
            for notify in self.on_continue_failed:
                notify(channel_id)

    # ----------------------------------------------------------------- callbacks
    # ----------------------------------------------------------------- reconciliation
    def knows(self, channel_id: str) -> bool:
        return (
            channel_id in self.by_channel
            or channel_id in self.offers_by_leg
            or self.callbacks.knows(channel_id)
            or self.control.knows(channel_id)
            or self.consults.knows(channel_id)
        )

    def lost(self, call: HotlineCall) -> None:
        """The caller's channel vanished while we were away (its hang-up event was lost)."""
        self.end_call(call, HangupBy.UNKNOWN)

    def left_for_fallback(self, call: HotlineCall, reason: str) -> None:
        """The caller left our app for the dialplan without us (the watchdog moved them)."""
        self.send_to_fallback(call, reason, already_continued=True)

    def offer_lost(self, call: HotlineCall, offer: Offer) -> None:
        self.offers.failed(
            call, offer, RingFailure.NO_ANSWER if offer.ringing else RingFailure.UNREACHABLE
        )

    def hang_up_orphan(self, channel_id: str) -> None:
        self.spawn(self.hangup(channel_id))

    def _adopt(self, channel: Channel, phase: Phase, arrived: float) -> HotlineCall:
        call = HotlineCall(
            call_id=facts.call_id_of(self.node, channel.id),
            node=self.node,
            channel_id=channel.id,
            caller_number=channel.caller.number or None,
            arrived=arrived,
            phase=phase,
        )
        call.ops = SerialOps(call.call_id, self._failure_handler(call))
        self.calls[call.call_id] = call
        self.by_channel[channel.id] = call
        return call

    def adopt_waiting(self, channel: Channel, answers: IvrAnswers, *, arrived_at: float) -> None:
        """A caller in our app that this process never saw (restart): back in line, keeping
        the place their arrival time gives them."""
        if self.callbacks.owns(facts.call_id_of(self.node, channel.id)):
            # they confirmed a callback and the restart cut their goodbye: let them go
            leaving = self._adopt(channel, Phase.LEAVING, arrived_at)
            self.op(leaving, lambda: self.hangup(leaving.channel_id))
            return
        call = self._adopt(channel, Phase.WAITING, arrived_at)
        call.answers = answers
        self.enqueue(call, arrived_at=arrived_at)

    def adopt_connected(self, channel: Channel, bridge_id: str, partner: Channel) -> None:
        """A caller already talking to a counsellor: leave the bridge alone, watch its end."""
        call = self._adopt(channel, Phase.CONNECTED, self.driver.now())
        call.bridge_id = bridge_id
        call.bridged = True
        endpoint = partner.name.rsplit("-", 1)[0]
        entry = self.config.counsellor_by_endpoint(endpoint)
        counsellor_id = entry.id if entry else partner.name
        offer = Offer(
            offer_id=partner.id,
            counsellor_id=counsellor_id,
            centre=entry.centre if entry else "",
            ringing=True,
            answered=True,
        )
        call.offers[partner.id] = offer
        call.connected_offer = partner.id
        self.offers_by_leg[partner.id] = call
        if entry is not None:
            # routing never offered this call; the phone is simply busy until the call ends
            self.driver.submit(rev.PhoneBusy(entry.id))
            call.adopted_counsellor = entry.id

    def shutdown(self) -> None:
        """Stop touching calls (service stopping): callers stay in Asterisk as they are, for a
        restarted service or the watchdog to take over. Nothing is hung up or continued."""
        self._stopping = True
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        for call in self.calls.values():
            if call.ops is not None:
                call.ops.close()

    # ----------------------------------------------------------------- plumbing
    def op(self, call: HotlineCall, op: Callable[[], Awaitable[object]]) -> None:
        if call.ops is not None:
            call.ops.add(op)

    async def hangup(self, channel_id: str) -> None:
        await hang_up(self.ari, channel_id)

    async def leg_exists(self, channel_id: str) -> bool:
        return await leg_exists(self.ari, channel_id)

    def spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        """Run a fire-and-forget cleanup, keeping a reference until it is done."""
        if self._stopping:
            coro.close()
            return
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until every operation asked for so far has run (tests, shutdown)."""
        while self._tasks or any(c.ops is not None and c.ops.busy for c in self.calls.values()):
            await asyncio.gather(*self._tasks, return_exceptions=True)
            for call in list(self.calls.values()):
                if call.ops is not None:
                    await call.ops.idle()

    def set_timer(
        self, call: HotlineCall, at: float, action: Callable[[HotlineCall], None]
    ) -> None:
        self.cancel_timer(call)
        self._timers[call.call_id] = self.driver.call_at(at, self._timer_fired, call, action)

    def _timer_fired(self, call: HotlineCall, action: Callable[[HotlineCall], None]) -> None:
        self._timers.pop(call.call_id, None)
        if call.phase is Phase.ENDED:
            return
        try:
            action(call)
        except Exception as exc:
            log.exception("timer on %s failed", call.call_id)
            self.fail(call, repr(exc))

    def cancel_timer(self, call: HotlineCall) -> None:
        handle = self._timers.pop(call.call_id, None)
        if handle is not None:
            handle.cancel()

    def fact(self, kind: type[facts.CallFact], call: HotlineCall, **fields: object) -> None:
        fact = kind(node=self.node, channel_id=call.channel_id, at=self._wall(), **fields)
        self.recorder.record(fact)  # type: ignore[arg-type]  # every CallFact kind is a Fact
