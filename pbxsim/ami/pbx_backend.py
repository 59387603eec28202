"""The AMI port implemented on the simulator's model (:class:`pbxsim.model.pbx.Pbx`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from pbxsim.ami.port import (
    ActionFailed,
    ChannelRow,
    ContactRow,
    EndpointRow,
    OriginateRequest,
    OriginateResult,
    QueueRow,
)
from pbxsim.model import happenings as h
from pbxsim.model.errors import PbxError
from pbxsim.model.pbx import Pbx

DEVICE_TEXT = {
    "NOT_INUSE": "Not in use",
    "INUSE": "In use",
    "BUSY": "Busy",
    "UNAVAILABLE": "Unavailable",
    "RINGING": "Ringing",
    "RINGINUSE": "Ring+Inuse",
    "ONHOLD": "On Hold",
    "INVALID": "Invalid",
    "UNKNOWN": "Unknown",
}

Watcher = Callable[[h.Happening], bool]  # returns True when done (then it is dropped)


class PbxBackend:
    """Adapts :class:`Pbx` to :class:`pbxsim.ami.port.AmiBackend`."""

    def __init__(self, pbx: Pbx, *, transport: str = "transport-udp") -> None:
        self.pbx = pbx
        self.transport = transport
        self._before: list[Watcher] = []  # see a happening before AMI renders it
        self._after: list[Watcher] = []  # ... and after

    # ---- bus
    def subscribe(self, callback: Callable[[h.Happening], None]) -> Callable[[], None]:
        def listener(happening: h.Happening) -> None:
            self._watch(self._before, happening)
            callback(happening)
            self._watch(self._after, happening)

        return self.pbx.subscribe(listener)

    @staticmethod
    def _watch(watchers: list[Watcher], happening: h.Happening) -> None:
        for watcher in list(watchers):
            if watcher(happening) and watcher in watchers:
                watchers.remove(watcher)

    def now(self) -> float:
        return self.pbx.now()

    def uptime(self) -> int:
        return int(self.pbx.now() - self.pbx.startup_time)

    # ---- state
    def hints(self) -> list[tuple[str, str, str]]:
        rows = []
        for key, device in self.pbx.config.hints.items():
            exten, _, context = key.partition("@")
            rows.append((exten, context, device))
        return rows

    def device_states(self) -> list[tuple[str, str]]:
        return list(self.pbx.device_states.items())

    def channels(self) -> list[ChannelRow]:
        now = self.pbx.now()
        return [
            ChannelRow(
                channel=ch.snapshot(),
                bridge_id=ch.bridge_id or "",
                application=ch.app_name,
                application_data=ch.app_data,
                seconds=int(now - ch.creationtime),
            )
            for ch in self.pbx.channels.values()
            if not ch.destroyed
        ]

    def endpoints(self) -> list[EndpointRow]:
        rows = []
        for ep in self.pbx.endpoints.values():
            state = self.pbx.device_states.get(f"PJSIP/{ep.name}", "UNKNOWN")
            if not ep.has_aor:
                state = "UNAVAILABLE"
            active = sum(
                1
                for cid in ep.channel_ids
                if cid in self.pbx.channels and not self.pbx.channels[cid].destroyed
            )
            rows.append(
                EndpointRow(
                    name=ep.name,
                    transport=self.transport,
                    aors=ep.name if ep.has_aor else "",
                    contacts=tuple(f"{ep.name}/{c.uri}" for c in ep.contacts),
                    device_state=DEVICE_TEXT.get(state, "Unknown"),
                    active_channels=active,
                )
            )
        return rows

    def contacts(self) -> list[ContactRow]:
        rows = []
        for ep in self.pbx.endpoints.values():
            for c in ep.contacts:
                if c.expires_at is None:
                    continue  # static contacts are not listed (fact 35)
                match = re.search(r"@([^:;>]+)(?::(\d+))?", c.uri)
                host = match.group(1) if match else "127.0.0.1"
                port = int(match.group(2)) if match and match.group(2) else 5060
                digest = hashlib.md5(c.uri.encode(), usedforsecurity=False).hexdigest()
                rows.append(
                    ContactRow(
                        aor=ep.name,
                        endpoint=ep.name,
                        uri=c.uri,
                        contact_id=f"{ep.name};@{digest}",
                        status=c.status,
                        roundtrip_usec="N/A"
                        if c.status == "Unreachable"
                        else str(c.roundtrip_usec),
                        expiration_time=int(c.expires_at),
                        qualify_frequency=int(ep.qualify_frequency),
                        qualify_timeout=ep.qualify_timeout,
                        user_agent="",
                        call_id="",
                        via_addr=host,
                        via_port=port,
                    )
                )
        return rows

    def queues(self) -> list[QueueRow]:
        engine = self.pbx.queues
        now = self.pbx.now()
        rows = []
        for st in engine.queues.values():
            done = st.completed
            rows.append(
                QueueRow(
                    name=st.config.name,
                    strategy=st.config.strategy,
                    maxlen=st.config.maxlen,
                    calls=len(st.callers),
                    holdtime=int(st.holdtime / done) if done else 0,
                    talktime=int(st.talktime / done) if done else 0,
                    completed=done,
                    abandoned=st.abandoned,
                    service_level=0,
                    service_level_perf=100.0 if done else 0.0,
                    weight=0,
                    members=tuple(engine.snapshot(m) for m in st.members),
                    callers=tuple(
                        (w.channel.snapshot(), int(now - w.joined_at)) for w in st.callers
                    ),
                )
            )
        return rows

    # ---- changes
    def queue_pause(self, queue: str | None, interface: str, paused: bool, reason: str) -> None:
        self._call(lambda: self.pbx.queues.pause(interface, paused, queue, reason))

    def queue_add(
        self, queue: str, interface: str, membername: str, penalty: int, paused: bool
    ) -> None:
        self._call(
            lambda: self.pbx.queues.add_member(queue, interface, membername, penalty, paused)
        )

    def queue_remove(self, queue: str, interface: str) -> None:
        self._call(lambda: self.pbx.queues.remove_member(queue, interface))

    @staticmethod
    def _call(fn: Callable[[], object]) -> None:
        try:
            fn()
        except PbxError as exc:
            raise ActionFailed(exc.message) from None

    def _by_name(self, name: str) -> list[str]:
        if name.startswith("/") and name.endswith("/") and len(name) > 1:
            pattern = re.compile(name[1:-1])
            return [
                c.id
                for c in self.pbx.channels.values()
                if not c.destroyed and pattern.search(c.name)
            ]
        return [c.id for c in self.pbx.channels.values() if not c.destroyed and c.name == name]

    def hangup(self, channel: str, cause: int) -> int:
        ids = self._by_name(channel)
        for cid in ids:
            ch = self.pbx.channels[cid]
            self.pbx.do_hangup(ch, request_cause=cause, final_cause=cause, soft=True)
        return len(ids)

    def redirect(self, channel: str, context: str, exten: str, priority: int) -> None:
        ids = self._by_name(channel)
        if not ids:
            raise ActionFailed(f"Channel does not exist: {channel}")
        ch = self.pbx.channels[ids[0]]
        if ch.stasis_app is None:
            # The model moves channels only out of Stasis (as ARI continue does).
            raise ActionFailed("Redirect is simulated only for channels in Stasis")
        ch.continue_to = (context or None, exten or None, priority, None)
        self.pbx.end_stasis(ch)

    def originate(
        self, request: OriginateRequest, on_result: Callable[[OriginateResult], None]
    ) -> None:
        from pbxsim.model import dialing

        tech = request.channel.partition("/")[0].upper()
        try:
            if tech == "LOCAL":
                from pbxsim.ami.local import originate_local

                leg = originate_local(
                    self.pbx,
                    request.channel,
                    caller_id=request.caller_id,
                    application=request.application,
                    data=request.data,
                    context=request.context,
                    exten=request.exten,
                    priority=request.priority,
                    variables=dict(request.variables),
                    watch=self._after.append,
                )
            elif tech != "PJSIP" or request.application is not None:
                raise ActionFailed(
                    "The simulator originates PJSIP channels into the dialplan and Local channels"
                )
            else:
                leg = dialing.originate(
                    self.pbx,
                    request.channel,
                    caller_id=request.caller_id or None,
                    timeout=request.timeout_s,
                    channel_id=request.channel_id,
                    variables=dict(request.variables),
                    context=request.context,
                    extension=request.exten,
                    priority=request.priority,
                )
        except PbxError as exc:
            raise ActionFailed(exc.message) from None
        self._watch_originate(leg.id, on_result)

    def _watch_originate(self, leg_id: str, on_result: Callable[[OriginateResult], None]) -> None:
        """OriginateResponse goes out just before the leg's DialEnd ANSWER (success), or just
        after its HangupRequest / before its Hangup when it fails (ami-actions.raw)."""
        rang = False

        def result(success: bool, reason: int, snap: h.ChannelSnapshot | None) -> bool:
            on_result(
                OriginateResult(
                    success=success,
                    reason=reason,
                    channel=snap.name if success and snap else None,
                    uniqueid=snap.id if success and snap else None,
                    caller_num=snap.caller_number if snap else "",
                    caller_name=snap.caller_name if snap else "",
                )
            )
            return True

        def before(x: h.Happening) -> bool:
            nonlocal rang
            if isinstance(x, h.DialProgressed) and x.peer.id == leg_id:
                rang = True
            if isinstance(x, h.DialEnded) and x.peer.id == leg_id and x.dialstatus == "ANSWER":
                self._after_remove(after)
                return result(True, 4, x.peer)
            if isinstance(x, h.ChannelHungUp) and x.channel.id == leg_id:
                self._after_remove(after)
                return result(False, 3 if rang else 0, x.channel)
            return False

        def after(x: h.Happening) -> bool:
            if isinstance(x, h.HangupRequested) and x.channel.id == leg_id:
                self._before_remove(before)
                return result(False, 3 if rang else 0, x.channel)
            return False

        self._before.append(before)
        self._after.append(after)

    def _after_remove(self, watcher: Watcher) -> None:
        if watcher in self._after:
            self._after.remove(watcher)

    def _before_remove(self, watcher: Watcher) -> None:
        if watcher in self._before:
            self._before.remove(watcher)
