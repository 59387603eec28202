"""The composition root: builds every part of the service from one Settings object and runs it.

``HotlineService(settings)`` is what ``callcenter serve`` runs (under the HTTP API's lifespan)
and what the end-to-end tests start against the PBX simulator: one code path.

Parts, in the order they start: database and migrations -> call recorder (durable outbox) ->
routing engine and driver -> presence (restored from var/) -> ARI client and the hotline app
(reconciled on every connect) -> AMI adapter (phone state) .
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ari.client import AriClient
from ari.config import AriConfig
from ari.events import AriEvent
from ari.lifecycle import StreamConnected, StreamDisconnected, StreamStopped
from ari.stream import EventStream
from callcenter.ami.adapter import AmiAdapter
from callcenter.ami.config import AmiConfig
from callcenter.ami.events import ContactStatusChanged, DeviceStateChanged
from callcenter.ami.queue_events import QueueCallerAbandoned, QueueCallerJoined, QueueCallerLeft
from callcenter.ami.snapshot import AmiStateSynchronized
from callcenter.calls import facts as call_facts
from callcenter.calls.callback_records import load_open
from callcenter.calls.importer import ImportConfig, import_fallback_calls
from callcenter.calls.models import CallRow
from callcenter.calls.options import StatsOptions
from callcenter.calls.outcomes import HangupBy, RecordSource
from callcenter.calls.recorder import CallRecorder
from callcenter.db.engine import Database
from callcenter.db.migrate import upgrade
from callcenter.db.outbox import Outbox
from callcenter.flow.app import DangerAlert, HotlineApp
from callcenter.flow.callback_restore import restore_callbacks
from callcenter.flow.driver import RoutingDriver
from callcenter.flow.events_used import EVENTS_USED
from callcenter.flow.presence import PhoneTracker, Presence, PresenceError
from callcenter.flow.reconcile import reconcile
from callcenter.privacy.keys import crypto_from_settings
from callcenter.settings import Settings
from routing.decisions import CounsellorMissed, Decision
from routing.engine import RoutingEngine
from routing.policy import Policy

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def policy_from(settings: Settings) -> Policy:
    r = settings.routing
    return Policy(
        centres=r.centres,
        overflow_after=r.overflow_after,
        language_wait=r.language_wait,
        default_language=settings.flow.ivr.default_language,
        gender_wait=r.gender_wait,
        max_overtake=r.max_overtake,
        urgent_lead=r.urgent_lead,
        ring_timeout=settings.flow.ring_timeout,
        wrap_up=r.wrap_up,
        wrap_up_by_centre=dict(r.wrap_up_by_centre),
        callback_offer_wait=r.callback_offer_wait,
        announce_interval=r.announce_interval,
        expected_talk_time=r.expected_talk_time,
    )


@dataclass
class Health:
    ari_connected: bool
    ami_connected: bool
    database_ok: bool
    outbox_backlog: int
    calls_in_service: int
    calls_sent_to_fallback: int
    callers_in_fallback_queues: int
    last_database_error: str | None

    @property
    def ok(self) -> bool:
        return self.ari_connected and self.ami_connected and self.database_ok

    @property
    def taking_calls(self) -> bool:
        """Hotline calls reach the service (a database or AMI outage degrades, but calls go
        on; without ARI the dialplan's fallback queue takes them)."""
        return self.ari_connected

    def as_dict(self) -> dict[str, Any]:
        data = dict(vars(self))
        data["status"] = "ok" if self.ok else "degraded" if self.taking_calls else "down"
        data["on_fallback"] = not self.ari_connected or self.callers_in_fallback_queues > 0
        return data


class HotlineService:
    def __init__(
        self,
        settings: Settings,
        *,
        wall_clock: Callable[[], datetime] | None = None,
        speed: float | None = None,
    ) -> None:
        """``speed`` (default: ``settings.service.timeline_speed``) > 1 only for soak tests
        against a PBX simulator running at that speed; the records' times then follow the
        same fast timeline unless a ``wall_clock`` is given."""
        self.settings = settings
        self._speed = speed or settings.service.timeline_speed
        self._wall = wall_clock or (utc_now if self._speed == 1.0 else self._timeline_wall())
        var = settings.service.var_dir
        self.database = Database.from_url(settings.database.url, echo=settings.database.echo)
        self.crypto = crypto_from_settings(settings.privacy, key_file=var / "privacy-keys.json")
        calls = settings.calls
        self.outbox = Outbox(
            var / "outbox.sqlite3", synchronous="FULL" if calls.outbox_fsync else "NORMAL"
        )
        self.recorder = CallRecorder(
            self.database.sessions,
            self.outbox,
            self.crypto,
            stats_options=StatsOptions.from_settings(calls),
            linger_s=calls.record_linger_s,
        )
        self.engine = RoutingEngine(policy_from(settings))
        self.driver = RoutingDriver(self.engine, self._monotonic, speed=self._speed)
        self.presence = Presence(settings.flow, self.driver, var / "presence.json")
        node = settings.service.node
        ari = settings.ari
        self.ari = AriClient(
            AriConfig(
                url=ari.url,
                username=ari.username,
                password=ari.password,
                app=ari.app,
                node=node,
                backoff_initial=ari.reconnect_initial,
                backoff_max=ari.reconnect_max,
                max_connections=ari.max_connections,
                event_types=EVENTS_USED,
            )
        )
        self.app = HotlineApp(
            node=node,
            ari=self.ari,
            driver=self.driver,
            recorder=self.recorder,
            config=settings.flow.model_copy(update={"app": ari.app}),
            wall_clock=self._wall,
            callback_settings=settings.callbacks,
        )
        self.apps: dict[str, HotlineApp] = {node: self.app}
        self.alerts: deque[DangerAlert] = deque(maxlen=200)  # newest last, for supervisors
        self.app.on_danger.append(self.alerts.append)
        self.app.on_continue_failed.append(self._continue_failed)
        self.phones = PhoneTracker(settings.flow, self.driver, self.app.engaged)
        self.ami = AmiAdapter(AmiConfig.from_settings(settings.ami, node=node, read_pjsip=False))
        self.driver.on_decision(self._on_decision)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ari_connected = False
        self._stale_checked = False
        self._records_error: str | None = "starting"
        self.records_ready = asyncio.Event()  # schema up to date, recorder draining
        self.ari_stream: EventStream | None = None
        self._fallback_callers: set[str] = set()
        self.missed: dict[str, str] = {}  # counsellor -> call they missed (for the console)
        # told when a counsellor let a ring go unanswered (the console will show it; the soak
        # tests' simulated counsellors come back after a while, as people do)
        self.on_counsellor_missed: list[Callable[[str], None]] = []

    def _timeline_wall(self) -> Callable[[], datetime]:
        start_wall, start = utc_now(), time.monotonic()

        def wall() -> datetime:
            return start_wall + timedelta(seconds=(time.monotonic() - start) * self._speed)

        return wall

    def _monotonic(self) -> float:
        return asyncio.get_running_loop().time() * self._speed

    # ----------------------------------------------------------------- life
    async def start(self, *, migrate: bool = True) -> None:
        """Take calls at once, whatever the database does: records wait in the outbox until
        the schema is up to date and the database answers (a service started during a
        database outage must not send every caller to the fallback queue)."""
        self._spawn(self._records(migrate), "records")
        self.presence.restore()
        self.ami.subscribe(ContactStatusChanged, self.phones.contact)
        self.ami.subscribe(DeviceStateChanged, self.phones.device)
        self.ami.subscribe(AmiStateSynchronized, self.phones.synchronized)
        self.ami.subscribe(QueueCallerJoined, self._fallback_join)
        self.ami.subscribe(QueueCallerLeft, self._fallback_leave)
        self.ami.subscribe(QueueCallerAbandoned, self._fallback_leave)
        self.ami.start()
        self._spawn(self._consume_ari(), "ari-events")
        self._spawn(self._restore_callbacks(), "callbacks-restore")

    async def _records(self, migrate: bool) -> None:
        delay = 0.5
        while migrate:
            try:
                await upgrade(self.settings.database.url)
                break
            except Exception as exc:  # unreachable or refusing: calls go on, records wait
                self._records_error = f"migration: {exc!r}"
                log.error("database not ready (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        self._records_error = None
        self.recorder.start()
        self._import_fallback_records()
        self.records_ready.set()

    async def _restore_callbacks(self) -> None:
        """Callback requests a previous process left open go back in line (their place kept),
        once the database answers and every request journaled in the outbox is written."""
        await self.records_ready.wait()
        delay = 0.5
        while True:
            try:
                await self.recorder.flush(timeout_s=30.0)
                async with self.database.sessions() as session:
                    stored = await load_open(session, self.crypto, self.settings.service.node)
                break
            except Exception as exc:  # the database is away: the requests wait, never lost
                log.warning("callback requests not reloaded yet (%r); retrying", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        await restore_callbacks(self.app, stored, wall_now=self._wall())

    def _import_fallback_records(self) -> None:
        """Calls Asterisk's fallback queue handled while the service was away: Asterisk wrote
        them to its CDR and queue_log files; they join the same call records (idempotent)."""
        service = self.settings.service
        if not service.cdr_csv and not service.queue_log:
            return
        summary = import_fallback_calls(
            self.recorder,
            ImportConfig.from_settings(self.settings),
            cdr_files=[p for p in service.cdr_csv if p.exists()],
            queue_log_files=[p for p in service.queue_log if p.exists()],
        )
        log.info("imported Asterisk's records of fallback calls: %s", summary)

    async def stop(self) -> None:
        """Stop without touching live calls: they stay in Asterisk for the next service."""
        self.app.shutdown()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.driver.close()
        await self.app.idle()
        await self.ami.close()
        await self.ari.aclose()
        await self.recorder.stop()
        self.outbox.close()
        await self.database.dispose()

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ----------------------------------------------------------------- ARI
    async def _consume_ari(self) -> None:
        stream = self.ari.event_stream(on_connect=self._connected)  # every (re)connect
        self.ari_stream = stream
        async with stream:
            async for item in stream:
                if isinstance(item, AriEvent):
                    app = self.apps.get(self.app.node)
                    if app is None:
                        continue
                    try:
                        app.handle(item)
                    except Exception:
                        log.exception("event %s could not be handled", item.type)
                elif isinstance(item, StreamDisconnected):
                    self._ari_connected = False
                    log.warning("ARI events lost (%s): calls stay in Asterisk", item.reason)
                elif isinstance(item, StreamStopped):
                    self._ari_connected = False
                    log.error("ARI event stream stopped: %s", item)
                    return

    async def _connected(self, event: StreamConnected) -> None:
        try:
            await reconcile(self.app, wall_now=self._wall())
        except Exception:
            log.exception("reconciliation after connect failed; calls continue as they were")
        self._ari_connected = True
        if not self._stale_checked:
            self._stale_checked = True
            self._spawn(self._close_stale_records(), "stale-records")

    def _continue_failed(self, channel_id: str) -> None:
        """A caller the app let go of is still in it: reconcile soon, which adopts them again
        (back in line with their arrival time), so they are never left without an owner."""

        async def later() -> None:
            await asyncio.sleep(2.0)
            try:
                await reconcile(self.app, wall_now=self._wall())
            except Exception:
                log.exception("reconciliation after a failed continue of %s failed", channel_id)

        self._spawn(later(), f"readopt-{channel_id}")

    async def _close_stale_records(self) -> None:
        """Records this node left open when its previous process died: a caller who hung up
        while no service ran left no event anywhere. Once the database answers, every open
        record whose caller channel Asterisk no longer has (and this process does not carry)
        is ended, so statistics never count it as in progress for ever."""
        await self.records_ready.wait()
        node = self.settings.service.node
        try:
            async with self.database.sessions() as session:
                query = select(CallRow.channel_id).where(
                    CallRow.node == node,
                    CallRow.ended_at.is_(None),
                    CallRow.source == RecordSource.SERVICE.value,
                )
                open_channels = list((await session.scalars(query)).all())
            live = {c.id for c in await self.ari.channels.list()}
        except Exception as exc:
            log.warning("could not look for records left open: %s", exc)
            return
        for channel_id in open_channels:
            if channel_id in live or self.app.knows(channel_id):
                continue
            self.recorder.record(
                call_facts.CallEnded(
                    node=node, channel_id=channel_id, at=self._wall(), hangup_by=HangupBy.UNKNOWN
                )
            )
            log.warning("closed the record of %s/%s: it ended while no service ran", node,
                        channel_id)  # fmt: skip

    # ----------------------------------------------------------------- routing
    def _on_decision(self, decision: Decision) -> None:
        if isinstance(decision, CounsellorMissed):
            self.missed[decision.counsellor_id] = decision.call_id
            for hook in self.on_counsellor_missed:
                hook(decision.counsellor_id)
            after = self.settings.flow.missed_auto_resume
            if after is not None:
                self.driver.call_at(
                    self.driver.now() + after, self._auto_resume, decision.counsellor_id
                )
            return
        call_id = getattr(decision, "call_id", None)
        if call_id is None:
            return
        app = self.apps.get(call_id.split("/", 1)[0])
        if app is not None:
            app.on_decision(decision)

    def _auto_resume(self, counsellor_id: str) -> None:
        if self.missed.pop(counsellor_id, None) is None:
            return  # came back by themselves already
        with contextlib.suppress(PresenceError):  # logged out meanwhile
            self.presence.resume(counsellor_id)

    # ----------------------------------------------------------------- fallback queue
    def _fallback_join(self, event: QueueCallerJoined) -> None:
        self._fallback_callers.add(event.unique_id or "")

    def _fallback_leave(self, event: QueueCallerLeft | QueueCallerAbandoned) -> None:
        self._fallback_callers.discard(event.unique_id or "")

    # ----------------------------------------------------------------- health
    def health(self) -> Health:
        recorder = self.recorder.health
        return Health(
            ari_connected=self._ari_connected,
            ami_connected=self.ami.synchronized,
            database_ok=recorder.database_ok and self._records_error is None,
            outbox_backlog=recorder.backlog,
            calls_in_service=len(self.app.calls),
            calls_sent_to_fallback=self.app.sent_to_fallback,
            callers_in_fallback_queues=len(self._fallback_callers),
            last_database_error=self._records_error or recorder.last_error,
        )
