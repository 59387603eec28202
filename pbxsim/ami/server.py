"""The AMI server: TCP sessions, login, event delivery, action dispatch.

Behaviour taken from the recordings (tests/fixtures/asterisk/recordings*/ami-*.raw):

- banner ``Asterisk Call Manager/11.0.0``; a good Login gets ``Response: Success`` /
  ``Authentication accepted``, then ``Event: FullyBooted`` and ``Event: SuccessfulAuth`` (to every
  session that reads ``security``);
- a wrong secret gets ``Response: Error`` / ``Authentication failed`` after about one second
  and the connection is closed (the client's next action is never answered);
- events caused by an action reach the acting session after the action's response
  (QueuePause: response, then DeviceStateChange and QueueMemberPause);
- ExtensionStatus follows the DeviceStateChange of a hinted device whenever the hint's
  status changes;
- ``Logoff`` gets ``Response: Goodbye`` / ``Thanks for all the fish.`` and the socket closes;
- on shutdown every session gets ``Event: Shutdown`` and then FIN.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pbxsim.ami import protocol as p
from pbxsim.ami.actions import HANDLERS, caller_parts, parse_originate
from pbxsim.ami.port import ActionFailed, AmiBackend, OriginateRequest, OriginateResult
from pbxsim.ami.render import Spies, extension_status, render
from pbxsim.model import happenings as h

log = logging.getLogger(__name__)

_SESSION_IDS = itertools.count(0x7F4CC0001E30, 0x1120)

# The write classes an action needs (any one of them), as registered in Asterisk 22
# (manager.c, res_pjsip, app_queue); an action not listed needs none.
ACTION_AUTHORITY: dict[str, frozenset[str]] = {
    "coreshowchannels": frozenset({"system", "reporting"}),
    "status": frozenset({"system", "call", "reporting"}),
    "pjsipshowendpoints": frozenset({"system"}),
    "pjsipshowcontacts": frozenset({"system"}),
    "devicestatelist": frozenset({"call", "reporting"}),
    "extensionstatelist": frozenset({"call", "reporting"}),
    "queuepause": frozenset({"agent"}),
    "queueadd": frozenset({"agent"}),
    "queueremove": frozenset({"agent"}),
    "originate": frozenset({"originate"}),
    "hangup": frozenset({"system", "call"}),
    "redirect": frozenset({"call"}),
    "coresettings": frozenset({"system", "reporting"}),
    "corestatus": frozenset({"system", "reporting"}),
}


@dataclass(frozen=True)
class AmiUser:
    """A manager.conf user: its secret and its read / write classes (``all`` = every class)."""

    secret: str
    read: frozenset[str] = frozenset({"all"})
    write: frozenset[str] = frozenset({"all"})


def _user(value: AmiUser | tuple[str, frozenset[str]]) -> AmiUser:
    if isinstance(value, AmiUser):
        return value
    return AmiUser(value[0], value[1])  # (secret, read classes): every write class


class AmiSession:
    """One connected client."""

    def __init__(
        self,
        server: AmiServer,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.user: str | None = None
        self.read_classes: frozenset[str] = frozenset()
        self.write_classes: frozenset[str] = frozenset()
        self.events_on = False
        self.event_classes: frozenset[str] | None = None  # None: every readable class
        self._held: list[bytes] | None = None
        self.closed = False
        self.session_id = f"0x{next(_SESSION_IDS):x}"

    # ---- output
    def send(self, headers: p.Headers) -> None:
        self.send_bytes(p.encode(headers))

    def send_bytes(self, data: bytes) -> None:
        if self.closed:
            return
        if self._held is not None:
            self._held.append(data)
            return
        self.writer.write(data)
        if self.writer.transport.get_write_buffer_size() > self.server.max_backlog:
            # a client that does not read: Asterisk drops it after writetimeout; so do we
            log.warning("AMI session %s does not read its events: closed", self.session_id)
            self.close()

    def wants(self, cls: str) -> bool:
        if self.user is None or not self.events_on:
            return False
        if self.event_classes is not None and cls not in self.event_classes:
            return False
        return "all" in self.read_classes or cls in self.read_classes

    def set_event_mask(self, mask: str) -> None:
        """``on`` / ``off`` / a list of classes (``call,agent``), as Login's ``Events`` and the
        Events action's ``EventMask`` take them."""
        value = mask.strip().lower()
        self.events_on = value not in ("off", "no", "false", "0", "")
        if value in ("on", "yes", "true", "1", "all", ""):
            self.event_classes = None
        elif self.events_on:
            self.event_classes = frozenset(c.strip() for c in value.split(",") if c.strip())

    def deliver_event(self, cls: str, headers: p.Headers) -> None:
        if self.wants(cls):
            self.send(headers)

    def _hold(self) -> None:
        self._held = []

    def _release(self, first: list[p.Headers]) -> None:
        held, self._held = self._held or [], None
        for headers in first:
            self.send(headers)
        for data in held:
            if not self.closed:
                self.writer.write(data)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.writer.close()

    # ---- input
    async def run(self) -> None:
        self.writer.write(p.BANNER)
        parser = p.ActionReader()
        try:
            while not self.closed:
                data = await self.reader.read(65536)
                if not data:
                    break
                for action in parser.feed(data):
                    await self.handle(action)
                    if self.closed:
                        break
                await self.writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except p.ActionTooLong as exc:
            log.warning("AMI session %s: %s; closed", self.session_id, exc)
        finally:
            self.close()

    async def handle(self, action: p.Action) -> None:
        name = action.name.lower()
        if not name:
            self.send(p.error(action, "Missing action in request"))
            return
        if name == "login":
            await self.login(action)
            return
        if self.user is None:
            self.send(p.error(action, "Permission denied"))
            return
        if name == "logoff":
            self.send(p.response(action, "Goodbye", ("Message", "Thanks for all the fish.")))
            await self.writer.drain()
            self.close()
            return
        if name == "ping":
            stamp = f"{self.server.backend.now():.6f}"
            self.send(p.response(action, "Success", ("Ping", "Pong"), ("Timestamp", stamp)))
            return
        if name == "events":
            self.set_event_mask(action.get("EventMask") or "off")
            state = "On" if self.events_on else "Off"
            self.send(p.response(action, "Success", ("Events", state)))
            return
        needed = ACTION_AUTHORITY.get(name)
        if needed and "all" not in self.write_classes and not needed & self.write_classes:
            self.send(p.error(action, "Permission denied"))
            return
        if name == "originate":
            self.originate(action)
            return
        handler = HANDLERS.get(name)
        if handler is None:
            message = (
                f"Invalid/unknown command: {action.name}. "
                "Use Action: ListCommands to show available commands."
            )
            self.send(p.error(action, message))
            return
        self._hold()
        try:
            replies = handler(action, self.server.backend)
        except ActionFailed as exc:
            replies = [p.error(action, str(exc))]
        self._release(replies)

    async def login(self, action: p.Action) -> None:
        user = self.server.users.get(action.get("Username"))
        if user is None or user.secret != action.get("Secret"):
            await asyncio.sleep(self.server.auth_failure_delay)
            self.send(p.error(action, "Authentication failed"))
            with contextlib.suppress(ConnectionError):
                await self.writer.drain()
            self.close()
            return
        self.user = action.get("Username")
        self.read_classes = user.read
        self.write_classes = user.write
        self.set_event_mask(action.get("Events") or "on")
        backend = self.server.backend
        uptime = str(backend.uptime())
        self.send(p.response(action, "Success", ("Message", "Authentication accepted")))
        self.send(
            [
                ("Event", "FullyBooted"),
                ("Privilege", "system,all"),
                ("Uptime", uptime),
                ("LastReload", uptime),
                ("Status", "Fully Booted"),
            ]
        )
        sock = self.writer.get_extra_info("sockname") or ("127.0.0.1", 5038)
        peer = self.writer.get_extra_info("peername") or ("127.0.0.1", 0)
        now = backend.now()
        stamp = (
            time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
            + f".{int(now * 1000) % 1000:03d}+0000"
        )
        # a security event: every session reading ``security`` sees it, not only this one
        # (ami-transfer-redirect-ghost-watch.raw shows the other recorders' logins)
        self.server.broadcast(
            "security",
            [
                ("Event", "SuccessfulAuth"),
                ("Privilege", "security,all"),
                ("EventTV", stamp),
                ("Severity", "Informational"),
                ("Service", "AMI"),
                ("EventVersion", "1"),
                ("AccountID", self.user),
                ("SessionID", self.session_id),
                ("LocalAddress", f"IPV4/TCP/{sock[0]}/{sock[1]}"),
                ("RemoteAddress", f"IPV4/TCP/{peer[0]}/{peer[1]}"),
                ("UsingPassword", "0"),
                ("SessionTV", stamp),
            ],
        )

    def originate(self, action: p.Action) -> None:
        try:
            request = parse_originate(action)
        except ActionFailed as exc:
            self.send(p.error(action, str(exc)))
            return
        self._hold()
        try:
            self.server.backend.originate(request, self._originate_done(action, request))
        except ActionFailed as exc:
            self._release([p.error(action, str(exc))])
            return
        self._release([p.response(action, "Success", ("Message", "Originate successfully queued"))])

    def _originate_done(
        self, action: p.Action, request: OriginateRequest
    ) -> Callable[[OriginateResult], None]:
        asynchronous = action.get("Async").strip().lower() in ("true", "yes", "1")

        def done(result: OriginateResult) -> None:
            if not asynchronous:
                return  # a synchronous Originate's answer is the Response already sent
            headers: p.Headers = [("Event", "OriginateResponse"), ("Privilege", "call,all")]
            if action.action_id is not None:
                headers.append(("ActionID", action.action_id))
            headers += [
                ("Response", "Success" if result.success else "Failure"),
                ("Channel", result.channel or request.channel),
            ]
            if request.application is not None:
                headers += [("Application", request.application), ("Data", request.data)]
            else:
                headers += [("Context", request.context or ""), ("Exten", request.exten or "")]
            number, name = caller_parts(request.caller_id)
            headers += [
                ("Reason", str(result.reason)),
                ("Uniqueid", result.uniqueid or "<unknown>"),
                ("CallerIDNum", result.caller_num or number or "<unknown>"),
                ("CallerIDName", result.caller_name or name or "<unknown>"),
            ]
            self.deliver_event("call", headers)

        return done


class AmiServer:
    """Serves AMI on ``host:port`` for a PBX backend. ``users``: name -> :class:`AmiUser`
    (or a (secret, read classes) pair, which may use every action)."""

    def __init__(
        self,
        backend: AmiBackend,
        users: Mapping[str, AmiUser | tuple[str, frozenset[str]]],
        *,
        auth_failure_delay: float = 1.0,
        max_backlog: int = 16 << 20,
    ) -> None:
        self.backend = backend
        self.users = {name: _user(u) for name, u in users.items()}
        self.auth_failure_delay = auth_failure_delay
        self.max_backlog = max_backlog  # bytes written but not yet read by a client
        self.sessions: set[AmiSession] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._extension_status: dict[tuple[str, str], int] = {}
        self._hints_by_device: dict[str, list[tuple[str, str]]] = {}
        self._host = "127.0.0.1"
        self._port = 0
        self._spies = Spies()

    @property
    def port(self) -> int:
        if self._server is None or not self._server.sockets:
            return self._port  # between a shutdown and the next boot
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        for exten, context, device in self.backend.hints():
            self._hints_by_device.setdefault(device, []).append((exten, context))
        states = dict(self.backend.device_states())
        for device, hints in self._hints_by_device.items():
            for exten, context in hints:
                status = extension_status(exten, context, device, states.get(device, "UNAVAILABLE"))
                self._extension_status[(exten, context)] = int(status[3][1])
        self._unsubscribe = self.backend.subscribe(self.on_happening)
        self._server = await asyncio.start_server(self._accept, host, port)
        self._port = self.port

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions):
            session.close()
            session.reader.feed_eof()  # its read loop ends by itself
        if self._tasks:
            # cancelling a start_server handler makes asyncio (3.11) log the CancelledError,
            # so give them a moment to end on EOF first
            await asyncio.wait(list(self._tasks), timeout=1.0)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = AmiSession(self, reader, writer)
        self.sessions.add(session)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await session.run()
        finally:
            self.sessions.discard(session)
            if task is not None:
                self._tasks.discard(task)

    def on_happening(self, happening: h.Happening) -> None:
        for cls, headers in self._spies.before(happening):
            self.broadcast(cls, headers)
        for cls, headers in render(happening):
            self.broadcast(cls, headers)
        for cls, headers in self._spies.after(happening):
            self.broadcast(cls, headers)
        if isinstance(happening, h.DeviceStateChanged):
            self._extension_changes(happening.device, happening.state)
        if isinstance(happening, h.PbxShuttingDown):
            # Shutdown went out above; then FIN, and connections are refused until the boot
            for session in list(self.sessions):
                with contextlib.suppress(ConnectionError):
                    session.close()
            if self._server is not None:
                self._server.close()
        if isinstance(happening, h.PbxBooted) and self._server is not None:
            task = asyncio.get_running_loop().create_task(self._listen_again())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _listen_again(self) -> None:
        if self._server is not None:
            await self._server.wait_closed()
        self._server = await asyncio.start_server(self._accept, self._host, self._port)

    def broadcast(self, cls: str, headers: p.Headers) -> None:
        data: bytes | None = None  # encoded once, for every session that reads it
        for session in list(self.sessions):
            if session.wants(cls):
                data = data if data is not None else p.encode(headers)
                session.send_bytes(data)

    def _extension_changes(self, device: str, state: str) -> None:
        for exten, context in self._hints_by_device.get(device, []):
            status = extension_status(exten, context, device, state)
            number = int(status[3][1])
            if self._extension_status.get((exten, context)) == number:
                continue
            self._extension_status[(exten, context)] = number
            self.broadcast(
                "call", [("Event", "ExtensionStatus"), ("Privilege", "call,all"), *status]
            )
