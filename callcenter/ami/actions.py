"""AMI actions of the adapter: Login, Ping, status lists, QueuePause, Originate.

ActionIDs are ``<action in lower case>-<n>``, n counting from 1 on each connection (the same
scheme as the lab recorder, so a recorded conversation can be replayed to the adapter).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from panoramisk.actions import Action

from callcenter.ami import convert
from callcenter.ami.config import AmiConfig
from callcenter.ami.errors import (
    AmiActionError,
    AmiAuthenticationError,
    AmiNotConnectedError,
    AmiTimeoutError,
)
from callcenter.ami.models import AmiModel, OptStr
from callcenter.ami.protocol import AmiProtocol
from callcenter.ami.snapshot import (
    AsteriskSnapshot,
    ChannelSnapshot,
    ContactSnapshot,
    DeviceStateSnapshot,
    EndpointSnapshot,
    QueueSnapshot,
)
from callcenter.ami.wire import AmiMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AmiResponse:
    """The answer to one action: the ``Response`` message and, for lists, its items (events
    carrying the action's ActionID, the final ``...Complete`` one included)."""

    response: AmiMessage
    items: tuple[AmiMessage, ...] = ()

    @property
    def success(self) -> bool:
        return self.response.response in ("Success", "Follows", "Goodbye")

    @property
    def message(self) -> str:
        return self.response.get("Message") or ""


class OriginateResult(AmiModel):
    """``OriginateResponse``. ``reason`` 4 = answered; 0 = failed, which is also what a BUSY
    target gives (with ``unique_id`` None: Asterisk writes ``<unknown>``); the cause is in the
    neighbouring DialEnd (``BUSY``) and Hangup (cause 17) events."""

    response: str
    reason: int
    channel: OptStr = None
    unique_id: OptStr = None
    caller_id_num: OptStr = None
    caller_id_name: OptStr = None

    @property
    def answered(self) -> bool:
        return self.response == "Success" and self.reason == 4


class AmiActions:
    """Action methods; the adapter subclasses this and provides the connection."""

    def __init__(self, config: AmiConfig, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.clock = clock
        self._protocol: AmiProtocol | None = None
        self._counter = 0
        self._counter_owner: AmiProtocol | None = None

    def _next_action_id(self, name: str) -> str:
        if self._counter_owner is not self._protocol:
            self._counter_owner, self._counter = self._protocol, 0
        self._counter += 1
        return f"{name.lower()}-{self._counter}"

    async def send_action(
        self, fields: Mapping[str, str | Sequence[str]], *, within: float | None = None
    ) -> AmiResponse:
        """Send one action, wait for its complete answer. ``Response: Error`` is returned, not
        raised (see :meth:`call`)."""
        protocol = self._protocol
        if protocol is None or protocol.closed:
            raise AmiNotConnectedError(self.config.node)
        name = str(fields["Action"])
        action = Action({**fields, "ActionID": self._next_action_id(name)})
        future = protocol.send(action, as_list=None)
        seconds = self.config.action_timeout if within is None else within
        try:
            result = await asyncio.wait_for(future, seconds)
        except TimeoutError:
            protocol.responses.pop(action.id, None)
            raise AmiTimeoutError(self.config.node, name, seconds) from None
        messages = result if isinstance(result, list) else [result]
        wires = [m.wire for m in messages]
        return AmiResponse(wires[0], tuple(wires[1:]))

    async def call(
        self,
        name: str,
        fields: Mapping[str, str | Sequence[str]] | None = None,
        *,
        within: float | None = None,
    ) -> AmiResponse:
        """Send action ``name``; raise :class:`AmiActionError` unless it succeeded."""
        answer = await self.send_action({"Action": name, **(fields or {})}, within=within)
        if not answer.success:
            raise AmiActionError(self.config.node, name, answer.message)
        return answer

    async def login(self) -> None:
        cfg = self.config
        answer = await self.send_action(
            {
                "Action": "Login",
                "Username": cfg.username,
                "Secret": cfg.secret,
                "Events": cfg.events,
            }
        )
        if not answer.success:
            raise AmiAuthenticationError(cfg.node, cfg.username, answer.message or "refused")

    async def ping(self, *, within: float | None = None) -> float | None:
        """Ping; returns Asterisk's ``Timestamp`` (epoch seconds) when it sends one."""
        answer = await self.call("Ping", within=within)
        stamp = answer.response.get("Timestamp")
        return float(stamp) if stamp else None

    async def core_show_channels(self) -> tuple[ChannelSnapshot, ...]:
        return convert.channels_from((await self.call("CoreShowChannels")).items)

    async def pjsip_show_contacts(self) -> tuple[ContactSnapshot, ...]:
        """Registered contacts only (static contacts are not listed, fact 35)."""
        answer = await self.send_action({"Action": "PJSIPShowContacts"})
        if not answer.success and answer.message == "No Contacts found":
            return ()
        if not answer.success:
            raise AmiActionError(self.config.node, "PJSIPShowContacts", answer.message)
        return convert.contacts_from(answer.items)

    async def pjsip_show_endpoints(self) -> tuple[EndpointSnapshot, ...]:
        return convert.endpoints_from((await self.call("PJSIPShowEndpoints")).items)

    async def device_state_list(self) -> tuple[DeviceStateSnapshot, ...]:
        return convert.device_states_from((await self.call("DeviceStateList")).items)

    async def queue_status(self, queue: str | None = None) -> tuple[QueueSnapshot, ...]:
        fields = {"Queue": queue} if queue else {}
        return convert.queues_from((await self.call("QueueStatus", fields)).items)

    async def queue_pause(
        self, interface: str, *, paused: bool, queue: str | None = None, reason: str | None = None
    ) -> None:
        """Pause or unpause a member (in every queue when ``queue`` is None)."""
        fields: dict[str, str] = {"Interface": interface, "Paused": "true" if paused else "false"}
        if queue:
            fields["Queue"] = queue
        if reason:
            fields["Reason"] = reason
        await self.call("QueuePause", fields)

    async def originate(
        self,
        channel: str,
        *,
        context: str | None = None,
        exten: str | None = None,
        priority: int = 1,
        application: str | None = None,
        data: str | None = None,
        caller_id: str | None = None,
        ring_for: float = 30.0,
        variables: Mapping[str, str] | None = None,
    ) -> OriginateResult:
        """Originate ``channel`` to context/exten or to an application, and wait for the
        OriginateResponse (ringing up to ``ring_for`` seconds). See :class:`OriginateResult`."""
        fields: dict[str, str | list[str]] = {
            "Channel": channel, "Timeout": str(int(ring_for * 1000)), "Async": "true",
        }  # fmt: skip
        if application:
            fields.update(Application=application, Data=data or "")
        elif context and exten:
            fields.update(Context=context, Exten=exten, Priority=str(priority))
        else:
            raise ValueError("originate needs context and exten, or application")
        if caller_id:
            fields["CallerID"] = caller_id
        if variables:
            fields["Variable"] = [f"{k}={v}" for k, v in variables.items()]
        answer = await self.call("Originate", fields, within=ring_for + self.config.action_timeout)
        final = next((m for m in answer.items if m.event == "OriginateResponse"), None)
        if final is None:
            raise AmiActionError(self.config.node, "Originate", "no OriginateResponse")
        return convert.build(OriginateResult, final.headers)

    async def read_state(self) -> AsteriskSnapshot:
        """Re-read everything the service trusts after a (re)connect."""
        cfg = self.config
        taken_at = self.clock()
        channels = await self.core_show_channels()
        contacts: tuple[ContactSnapshot, ...] = ()
        endpoints: tuple[EndpointSnapshot, ...] = ()
        if cfg.read_pjsip:
            try:
                contacts = await self.pjsip_show_contacts()
                endpoints = await self.pjsip_show_endpoints()
            except AmiActionError as exc:  # e.g. "Permission denied" without write=system
                log.warning("AMI %s: PJSIP status not read (%s); using device states only",
                            cfg.node, exc.message)  # fmt: skip
        devices = await self.device_state_list()
        queues: list[QueueSnapshot] = []
        for queue in cfg.queues or (None,):
            queues.extend(await self.queue_status(queue))
        return AsteriskSnapshot(
            node=cfg.node,
            taken_at=taken_at,
            channels=channels,
            contacts=contacts,
            endpoints=endpoints,
            device_states=devices,
            queues=tuple(queues),
        )


__all__ = ["AmiActions", "AmiResponse", "OriginateResult"]
