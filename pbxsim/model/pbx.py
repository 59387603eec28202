"""The simulated PBX: state, the happening bus, and the operations callers, phones and the
ARI / AMI servers invoke.

Operations are plain methods; the ones that take simulated time (ringing, answering in the
dialplan, queues, playbacks) run as tasks the Pbx keeps (see ``tasks``). Every state change is
published on the bus synchronously, in order, through :meth:`Pbx.publish`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from pbxsim.model import bridging, hangup
from pbxsim.model import happenings as h
from pbxsim.model.clock import Clock
from pbxsim.model.config import PbxConfig
from pbxsim.model.errors import Conflict, NotFound, Unprocessable
from pbxsim.model.objects import Bridge, Channel, Contact, Endpoint, PhoneBehaviour, Playback
from pbxsim.model.stasis import StasisRegistry

Listener = Callable[[h.Happening], None]
log = logging.getLogger(__name__)

REASON_CAUSE = {
    "normal": 16,
    "busy": 17,
    "congestion": 34,
    "no_answer": 19,
    "timeout": 19,
    "rejected": 21,
    "unallocated": 1,
    "normal_unspecified": 31,
    "number_incomplete": 28,
    "codec_mismatch": 58,
    "interworking": 127,
    "failure": 38,
    "answered_elsewhere": 26,
}


class Pbx:
    """One simulated Asterisk. Create inside a running event loop."""

    ANSWER_WAIT = 0.5  # __ast_answer() waits for the first audio frame (no RTP here)
    CONTINUE_DELAY = 0.005

    def __init__(self, config: PbxConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        self.entity_id = "02:fc:00:00:00:01"
        self.system_name = ""
        self.startup_time = self.clock.now()
        self.reload_time = self.startup_time
        self.booted = True
        self.channels: dict[str, Channel] = {}
        self.bridges: dict[str, Bridge] = {}
        self.playbacks: dict[str, Playback] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self.device_states: dict[str, str] = {}  # last published state per device
        self.ari_device_states: dict[str, str] = {}  # Stasis:<name> created through ARI
        self.apps = StasisRegistry()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.snoop_ids: dict[str, None] = {}  # Snoop/ channels, in creation order
        self._listeners: list[Listener] = []
        self._chan_seq = itertools.count(1)
        self._uid_seq = itertools.count(1)
        self._announcer_seq = itertools.count(0)
        for ep in config.endpoints.values():
            endpoint = Endpoint(
                name=ep.name,
                context=ep.context,
                callerid_name=ep.callerid_name,
                callerid_number=ep.callerid_number.replace("-", ""),
                static_contact=ep.static_contact,
                language=ep.language,
                has_aor=ep.has_aor,
                qualify_frequency=ep.qualify_frequency,
                qualify_timeout=ep.qualify_timeout,
            )
            if ep.static_contact:
                endpoint.contacts.append(Contact(uri=ep.static_contact, expires_at=None))
            self.endpoints[ep.name] = endpoint
        # queue state lives in its own module (app_queue)
        from pbxsim.model.queues import QueueEngine

        self.queues = QueueEngine(self)
        for name in self.endpoints:
            self.device_states[f"PJSIP/{name}"] = self.compute_device_state(f"PJSIP/{name}")
        for queue in self.queues.queues:
            for device in (f"Queue:{queue}", f"Queue:{queue}_avail"):
                self.device_states[device] = self.compute_device_state(device)
        for device in self.queues.pause_devices():
            self.device_states[device] = self.compute_device_state(device)

    # ------------------------------------------------------------------ bus

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every happening, in order; returns an unsubscribe function."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, happening: h.Happening) -> None:
        for listener in list(self._listeners):
            try:
                listener(happening)
            except Exception:  # a renderer's or actor's bug must not stop the PBX
                log.exception("listener failed on %s", type(happening).__name__)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("simulator task failed", exc_info=task.exception())

    async def close(self) -> None:
        """Cancel every running task (used when the simulator stops)."""
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)

    # ------------------------------------------------------------------ helpers

    def now(self) -> float:
        return self.clock.now()

    def channel(self, channel_id: str) -> Channel:
        ch = self.channels.get(channel_id)
        if ch is None or ch.destroyed:
            raise NotFound("Channel not found")
        return ch

    def live_channel(self, channel_id: str) -> Channel:
        """A channel that can still be acted on (ghosts are listed but not found)."""
        ch = self.channel(channel_id)
        if ch.ghost or ch.hangup_started:
            raise NotFound("Channel not found")
        return ch

    def bridge(self, bridge_id: str) -> Bridge:
        br = self.bridges.get(bridge_id)
        if br is None or br.destroyed:
            raise NotFound("Bridge not found")
        return br

    def _new_uid(self) -> str:
        return f"{int(self.now())}.{next(self._uid_seq)}"

    def new_channel(
        self,
        *,
        tech: str,
        resource: str,
        endpoint: str | None,
        state: str,
        caller_name: str,
        caller_number: str,
        context: str,
        exten: str,
        priority: int = 1,
        channel_id: str | None = None,
        linkedid: str | None = None,
        outbound: bool = False,
        language: str = "en",
        name: str | None = None,
    ) -> Channel:
        if (
            channel_id is not None
            and channel_id in self.channels
            and not self.channels[channel_id].destroyed
        ):
            raise Conflict("Channel with given unique ID already exists")
        uid = channel_id or self._new_uid()
        seq = next(self._chan_seq)
        ch = Channel(
            id=uid,
            name=name or f"{tech}/{resource}-{seq:08x}",
            tech=tech,
            endpoint=endpoint,
            state=state,
            caller_name=caller_name,
            caller_number=caller_number,
            creationtime=self.now(),
            linkedid=linkedid or uid,
            context=context,
            exten=exten,
            priority=priority,
            outbound=outbound,
            language=language,
        )
        ch.seq = seq
        self.channels[uid] = ch
        if endpoint and endpoint in self.endpoints:
            self.endpoints[endpoint].channel_ids.append(uid)
            if outbound:
                self.endpoints[endpoint].outbound_legs += 1
        return ch

    def set_var(self, ch: Channel, name: str, value: str, *, publish: bool = True) -> None:
        ch.variables[name] = value
        if publish:
            self.publish(h.VarSet(self.now(), ch.snapshot(), name, value))

    def set_state(self, ch: Channel, state: str) -> None:
        if ch.state == state:
            return
        ch.state = state
        self.publish(h.ChannelStateChanged(self.now(), ch.snapshot()))

    def step(
        self,
        ch: Channel,
        priority: int,
        app: str,
        data: str,
        *,
        exten: str | None = None,
        context: str | None = None,
    ) -> None:
        if context is not None:
            ch.context = context
        if exten is not None:
            ch.exten = exten
        ch.priority = priority
        ch.app_name = app
        ch.app_data = data
        self.publish(h.DialplanStepped(self.now(), ch.snapshot(), app, data))

    # ------------------------------------------------------------------ device state

    def compute_device_state(self, device: str) -> str:
        if device.startswith("Stasis:"):
            return self.ari_device_states.get(device[len("Stasis:") :], "UNKNOWN")
        if device.startswith("Queue:"):
            return self.queues.device_state(device)
        if not device.startswith("PJSIP/"):
            return self.device_states.get(device, "UNKNOWN")
        ep = self.endpoints.get(device[len("PJSIP/") :])
        if ep is None:
            return "INVALID"
        inuse = ringing = False
        for cid in ep.channel_ids:
            c = self.channels.get(cid)
            if c is None or c.destroyed:
                continue
            if c.outbound and c.state == "Ringing":
                ringing = True
            elif c.state in ("Up", "Ring") or (not c.outbound and c.state != "Down"):
                inuse = True
                if not ep.outbound_legs:
                    break  # a trunk: nothing on it can ring
            if inuse and ringing:
                break
        if ringing and inuse:
            return "RINGINUSE"
        if ringing:
            return "RINGING"
        if inuse:
            return "INUSE"
        if not ep.online:
            return "UNAVAILABLE"
        return "NOT_INUSE"

    def refresh_device(self, device: str) -> None:
        state = self.compute_device_state(device)
        if self.device_states.get(device) != state:
            self.device_states[device] = state
            self.publish(h.DeviceStateChanged(self.now(), device, state))
            self.queues.device_changed(device, state)

    def assume_cached_device_state(self, device: str, state: str | None) -> None:
        """Start from what a long-running Asterisk's device-state cache holds for ``device``
        (a state left by earlier calls), or from nothing (``None``: just started, so the
        first evaluation is published whatever it finds). Nothing is published now."""
        if state is None:
            self.device_states.pop(device, None)
        else:
            self.device_states[device] = state

    def set_device_state(self, device: str, state: str) -> None:
        """Publish a state for a non-PJSIP device (Announcer/..., Queue:...)."""
        self.device_states[device] = state
        self.publish(h.DeviceStateChanged(self.now(), device, state))

    def refresh_endpoint(self, ch: Channel) -> None:
        if ch.endpoint and ch.tech == "PJSIP":
            self.refresh_device(f"PJSIP/{ch.endpoint}")

    # ------------------------------------------------------------------ callers

    def originate_inbound(
        self,
        exten: str,
        caller_number: str,
        caller_name: str | None = None,
        *,
        endpoint: str | None = None,
        context: str | None = None,
        variables: dict[str, str] | None = None,
    ) -> Channel:
        """A caller dials ``exten`` through the trunk (or ``endpoint``): INVITE reaches the PBX,
        the channel is created and the dialplan runs. Returns the new channel at once."""
        ep_name = endpoint or self.config.trunk_endpoint
        ep = self.endpoints.get(ep_name)
        ctx = context or (ep.context if ep else "default")
        ch = self.new_channel(
            tech="PJSIP",
            resource=ep_name,
            endpoint=ep_name,
            state="Ring",
            caller_name=caller_number if caller_name is None else caller_name,
            caller_number=caller_number,
            context=ctx,
            exten=exten,
            language=ep.language if ep else "en",
        )
        self.publish(h.ChannelCreated(self.now(), ch.snapshot()))
        ch.protocol_id = f"{uuid.uuid4().hex[:8]}@127.0.0.1"
        self.set_var(ch, "SIPDOMAIN", "127.0.0.1")
        for key, value in (variables or {}).items():
            self.set_var(ch, key, value)
        from pbxsim.model.dialplan import run_dialplan

        self.spawn(run_dialplan(self, ch))
        return ch

    def send_dtmf(self, channel_id: str, digit: str, duration_ms: int = 250) -> None:
        """The far end sent a DTMF digit (SIP INFO: only the end is reported)."""
        ch = self.live_channel(channel_id)
        if digit not in "0123456789*#ABCD" or len(digit) != 1:
            raise Unprocessable(f"invalid DTMF digit {digit!r}")
        ch.dtmf_log.append(digit)
        self.publish(h.DtmfEnded(self.now(), ch.snapshot(), digit, duration_ms))

    def hangup(self, channel_id: str, cause: int = 16) -> None:
        """The far end hung up (BYE / CANCEL from the caller or a phone)."""
        ch = self.channels.get(channel_id)
        if ch is None or ch.destroyed:
            raise NotFound("Channel not found")
        if ch.dial_result is not None and not ch.dial_result.done():
            ch.dial_result.set_result("cancel-remote")
            return
        # after its own REFER the phone's BYE arrives as a hang-up with cause 16 (fact 50)
        self.do_hangup(
            ch, request_cause=16 if ch.refer_sent else None, final_cause=cause, soft=False
        )

    # ------------------------------------------------------------------ phones

    def set_phone(self, endpoint: str, behaviour: PhoneBehaviour) -> None:
        """How the softphone behind ``endpoint`` treats INVITEs from now on."""
        self.endpoint(endpoint).phone = behaviour

    def endpoint(self, name: str) -> Endpoint:
        ep = self.endpoints.get(name)
        if ep is None:
            raise NotFound("Endpoint not found")
        return ep

    def phone_answer(self, channel_id: str) -> None:
        ch = self.channel(channel_id)
        if ch.dial_result is not None and not ch.dial_result.done():
            ch.dial_result.set_result("answer")

    def phone_ringing(self, channel_id: str) -> None:
        ch = self.channel(channel_id)
        if ch.dial_result is not None and not ch.dial_result.done() and ch.state != "Ringing":
            from pbxsim.model.dialing import ringing

            ringing(self, ch, self.channels.get(ch.dialled_by or ""))

    def phone_reject(self, channel_id: str, sip_code: int = 486) -> None:
        ch = self.channel(channel_id)
        if ch.dial_result is not None and not ch.dial_result.done():
            ch.dial_result.set_result("busy" if sip_code == 486 else f"reject:{sip_code}")

    def register_contact(self, endpoint: str, uri: str, expires: int = 60) -> None:
        from pbxsim.model.registrar import register

        register(self, self.endpoint(endpoint), uri, expires)

    def unregister_contact(self, endpoint: str, uri: str | None = None) -> None:
        from pbxsim.model.registrar import unregister

        unregister(self, self.endpoint(endpoint), uri)

    def contact_unreachable(self, endpoint: str) -> None:
        """The phone stopped answering OPTIONS: qualify fails (fact 33)."""
        from pbxsim.model.registrar import qualify_failed

        qualify_failed(self, self.endpoint(endpoint))

    # ------------------------------------------------------------------ hang-up

    def qos_vars(self, ch: Channel) -> None:
        hangup.qos_vars(self, ch)

    def do_hangup(
        self,
        ch: Channel,
        *,
        request_cause: int | None,
        final_cause: int = 16,
        tech_cause: int | None = None,
        soft: bool = True,
    ) -> None:
        hangup.do_hangup(
            self,
            ch,
            request_cause=request_cause,
            final_cause=final_cause,
            tech_cause=tech_cause,
            soft=soft,
        )

    def snoops_of(self, ch: Channel) -> list[Channel]:
        return hangup.snoops_of(self, ch)

    def destroy(self, ch: Channel, cause: int, tech_cause: int | None = None) -> None:
        hangup.destroy(self, ch, cause, tech_cause)

    # ------------------------------------------------------------------ stasis

    def enter_stasis(self, ch: Channel, app: str, args: Iterable[str]) -> None:
        ch.stasis_app = app
        ch.stasis_args = tuple(args)
        ch.wake.clear()
        self.set_var(ch, "STASISSTATUS", "")
        self.apps.add_channel(app, ch.id)
        self.publish(h.StasisStarted(self.now(), ch.snapshot(), app, ch.stasis_args))

    def end_stasis(self, ch: Channel) -> None:
        app = ch.stasis_app
        if app is None:
            return
        ch.stasis_app = None
        self.publish(h.StasisEnded(self.now(), ch.snapshot(), app))
        self.apps.remove_channel(ch.id)
        self.set_var(ch, "STASISSTATUS", "SUCCESS")
        ch.wake.set()

    def stop_channel_media(self, ch: Channel) -> None:
        if ch.moh:
            ch.moh = False
            self.publish(h.MusicOnHoldStopped(self.now(), ch.snapshot()))
        for pb in list(self.playbacks.values()):
            if pb.target_uri == f"channel:{ch.id}":
                from pbxsim.model.media import stop_playback_now

                stop_playback_now(self, pb)

    # ------------------------------------------------------------------ bridges

    def bridge_snapshot(self, br: Bridge) -> h.BridgeSnapshot:
        return bridging.bridge_snapshot(self, br)

    def bridge_peer(self, ch: Channel) -> Channel | None:
        return bridging.bridge_peer(self, ch)

    def create_bridge(
        self,
        bridge_type: str = "mixing",
        bridge_id: str | None = None,
        name: str = "",
        *,
        bridge_class: str = "stasis",
        creator: str = "Stasis",
    ) -> Bridge:
        return bridging.create_bridge(
            self, bridge_type, bridge_id, name, bridge_class=bridge_class, creator=creator
        )

    def bridge_pair_vars(self, a: Channel, b: Channel) -> None:
        bridging.bridge_pair_vars(self, a, b)

    def rebridge_vars(self, ch: Channel) -> None:
        bridging.rebridge_vars(self, ch)

    def add_to_bridge(self, br: Bridge, ch: Channel) -> None:
        bridging.add_to_bridge(self, br, ch)

    def connected_to(self, ch: Channel, name: str, number: str) -> None:
        bridging.connected_to(self, ch, name, number)

    def announcers(self, br: Bridge) -> list[str]:
        return bridging.announcers(self, br)

    def announcer_joined(self, br: Bridge) -> None:
        bridging.announcer_joined(self, br)

    def leave_bridge(self, ch: Channel) -> None:
        bridging.leave_bridge(self, ch)

    def destroy_bridge(self, br: Bridge) -> None:
        bridging.destroy_bridge(self, br)

    def announcer_name(self, moh: bool) -> str:
        return bridging.announcer_name(self, moh)

    # ------------------------------------------------------------------ restart

    async def restart(self, downtime: float = 0.6) -> None:
        """``core restart now``: every channel goes, the servers drop their clients, and the PBX
        answers 503 until it has booted again (facts 11-13)."""
        self.booted = False
        self.publish(h.PbxShuttingDown(self.now(), restart=True))
        for ch in list(self.channels.values()):
            ch.destroyed = True
        self.channels.clear()
        for ep in self.endpoints.values():
            ep.channel_ids.clear()
        self.bridges.clear()
        self.playbacks.clear()
        self.apps.clear()
        await self.clock.sleep(downtime)
        self.startup_time = self.reload_time = self.now()
        self.booted = True
        self.publish(h.PbxBooted(self.now()))
