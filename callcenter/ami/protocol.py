"""panoramisk 1.4, with the parts that lose data or strand tasks replaced.

Kept from panoramisk: ``Manager`` (connection wiring, ``send_action``), ``AMIProtocol.send``
(serialising actions, remembering them by ActionID) and ``Action`` (collecting the responses
and list items of an action until its ``...Complete`` event, resolving its future).

Replaced:
- framing and parsing (:mod:`callcenter.ami.wire`): panoramisk decodes each TCP chunk on its
  own and drops the last header of a message when its value is empty;
- event dispatch: panoramisk wraps coroutine callbacks in ``ensure_future`` and keeps no
  reference; here every event goes to one synchronous sink (the adapter queues it);
- reconnect: panoramisk re-connects by itself and RE-SENDS unanswered actions after the next
  FullyBooted (an Originate could ring a counsellor twice); here pending actions fail with
  :class:`AmiDisconnectedError` and the adapter reconnects with backoff;
- ``Shutdown``: delivered to the sink first, then the connection is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from panoramisk import Manager
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

from callcenter.ami.errors import AmiDisconnectedError
from callcenter.ami.wire import AmiFramer, AmiMessage, MalformedMessage

log = logging.getLogger(__name__)

EventSink = Callable[[AmiMessage], None]
MalformedSink = Callable[[MalformedMessage], None]


def to_panoramisk(message: AmiMessage) -> Message:
    """A panoramisk Message for ``message`` (keeps the original as ``.wire``)."""
    pm = Message(message.as_dict(), "\n".join(message.body))
    pm.wire = message
    return pm


class AmiProtocol(AMIProtocol):  # type: ignore[misc]
    """One AMI TCP connection. ``lost`` resolves (with the reason) when it ends."""

    version: str | None
    closed: bool
    responses: dict[str, Any]
    factory: Any
    transport: Any

    def __init__(
        self,
        node: str,
        on_event: EventSink,
        on_malformed: MalformedSink,
        on_stray: EventSink | None = None,
    ) -> None:
        self.node = node
        self.on_event = on_event
        self.on_malformed = on_malformed
        self.on_stray = on_stray or on_event
        self.framer = AmiFramer()
        self.lost: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.unmatched_responses = 0

    def data_received(self, data: bytes) -> None:
        for item in self.framer.feed(data):
            if self.version is None and self.framer.banner:
                self.version = self.framer.banner.partition("/")[2].strip()
            if isinstance(item, MalformedMessage):
                self.on_malformed(item)
            elif item.event is not None and item.action_id is None:
                self._live_event(item)  # most of the traffic: no panoramisk Message needed
            else:
                self.handle_message(to_panoramisk(item))

    def handle_message(self, message: Message) -> None:
        action = self.responses.get(message.id)
        if action is None and message.action_id:
            action = self.responses.get(message.action_id)
        if action is not None:
            try:
                done = action.add_message(message)
            except Exception as exc:  # panoramisk could not classify it: fail that action only
                log.exception("AMI %s: answer to %s not understood", self.node, action.id)
                if not action.future.done():
                    action.future.set_exception(exc)
                done = True
            if done:
                self.responses.pop(action.id, None)
                if action.action_id:
                    self.responses.pop(action.action_id, None)
        elif "event" in message and not message.action_id:
            self._live_event(message.wire)
        elif "event" in message:  # a list item or OriginateResponse of an action given up on
            self.on_stray(message.wire)
        else:
            self.unmatched_responses += 1
            log.warning("AMI %s: response to no pending action: %r", self.node, message.wire.raw)

    def _live_event(self, message: AmiMessage) -> None:
        self.on_event(message)
        if (message.event or "").lower() == "shutdown":
            self.close()

    def close(self) -> None:
        self._fail_pending()
        if not self.closed:
            self.closed = True
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail_pending()
        self.closed = True
        if not self.lost.done():
            self.lost.set_result(f"connection closed ({exc})" if exc else "connection closed")
        if self.factory is not None:
            self.factory.connection_lost(exc)

    def _fail_pending(self) -> None:
        actions = {id(a): a for a in self.responses.values()}.values()
        self.responses.clear()
        for action in actions:
            if not action.future.done():
                action.future.set_exception(
                    AmiDisconnectedError(self.node, str(action.get("Action", "?")))
                )


class PanoramiskManager(Manager):  # type: ignore[misc]
    """panoramisk's Manager without its own reconnect, pinger and fire-and-forget callbacks."""

    pinger: asyncio.TimerHandle | None

    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        self.callbacks.clear()  # drop FullyBooted -> send_awaiting_actions (an untracked task)
        self.patterns.clear()

    def attach(self, transport: asyncio.BaseTransport, protocol: AmiProtocol) -> None:
        """Wire a connected protocol the way panoramisk's ``connection_made`` does."""
        done: asyncio.Future[tuple[asyncio.BaseTransport, AmiProtocol]] = (
            asyncio.get_running_loop().create_future()
        )
        done.set_result((transport, protocol))
        self.connection_made(done)

    def ping(self) -> None:
        """Disabled: the adapter's heartbeat awaits each Ping and detects dead connections."""

    def dispatch(self, event: Message) -> list[str]:  # pragma: no cover - not reached
        raise AssertionError("events go to AmiProtocol.on_event")

    def connection_lost(self, exc: Exception | None) -> None:
        self._connected = False
        if self.pinger:
            self.pinger.cancel()
            self.pinger = None
