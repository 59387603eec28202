"""Traffic through the whole service while its PostgreSQL is stopped and started for real.

Shared by the end-to-end test (``tests/e2e/test_db_outage.py``, a short outage) and the soak
run (``benchmarks/soak_db_outage.py``, the full 30 s of issue 4). The database is a throwaway
cluster of the caller's own (:class:`tests.calls.throwaway_pg.ThrowawayPostgres`), never the
machine's shared server.

The story: callers ring the lab hotline steadily (most press their IVR keys and talk to a
counsellor, every fifth hangs up inside the IVR); after a while the database server is stopped,
traffic goes on for ``outage_s`` seconds, the server is started again, traffic goes on a little
longer, then stops. Two long calls straddle the edges: one is bridged before the stop and ends
during the outage, one is bridged during the outage and ends after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from callcenter.calls.models import CallOfferRow, CallRow
from callcenter.service.runtime import Health, HotlineService
from pbxsim.model.errors import PbxError
from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from tests.calls.throwaway_pg import ThrowawayPostgres
from tests.e2e.harness import LAB_COUNSELLORS, LAB_ETC, lab_settings, running_service, until

ANSWERED, IVR_HANGUP = "answered", "abandoned_ivr"


@dataclass
class PlacedCall:
    channel_id: str
    expected: str  # the outcome the record must carry
    bridged_at: float | None = None  # loop time the caller was bridged with a counsellor


@dataclass
class OutageRun:
    """What happened, for the test's assertions and the soak script's figures."""

    calls: list[PlacedCall] = field(default_factory=list)
    stopped_at: float = 0.0  # loop time the server was gone (pg_ctl stop returned)
    restarted_at: float = 0.0  # loop time it was back (pg_ctl start -w returned)
    drained_at: float = 0.0  # loop time the outbox was empty again
    health_down: Health | None = None  # first health() that said the database was away
    health_before_restart: Health | None = None  # the last one before the restart
    health_after: Health | None = None  # once everything was written
    backlog_peak: int = 0
    rows: list[CallRow] = field(default_factory=list)
    offers: list[CallOfferRow] = field(default_factory=list)

    def bridged_during_outage(self) -> list[PlacedCall]:
        return [
            c
            for c in self.calls
            if c.bridged_at is not None and self.stopped_at < c.bridged_at < self.restarted_at
        ]


def _bridged(sim: Simulator, channel_id: str) -> bool:
    return any(channel_id in b.channels and len(b.channels) == 2 for b in sim.pbx.bridges.values())


class _Traffic:
    def __init__(self, sim: Simulator, service: HotlineService, run: OutageRun) -> None:
        self.sim, self.service, self.run = sim, service, run
        self.tasks: set[asyncio.Task[None]] = set()
        self.errors: list[BaseException] = []
        self.number = 0

    def spawn(self, expected: str, hang_up_when: asyncio.Event | None = None) -> None:
        task = asyncio.get_running_loop().create_task(self._call(expected, hang_up_when))
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.errors.append(task.exception())  # type: ignore[arg-type]

    async def _call(self, expected: str, hang_up_when: asyncio.Event | None) -> None:
        loop = asyncio.get_running_loop()
        self.number += 1
        pbx = self.sim.pbx
        caller = pbx.originate_inbound("1800", f"0912{self.number:06d}")
        placed = PlacedCall(caller.id, expected)
        self.run.calls.append(placed)
        service_calls = self.service.app.calls
        await until(
            lambda: any(c.channel_id == caller.id for c in service_calls.values()),
            what=f"caller {caller.id} in the app",
        )
        if expected == IVR_HANGUP:
            await asyncio.sleep(0.1)
            pbx.hangup(caller.id)
            return
        for digit in ("1", "0"):  # Vietnamese, the national pool
            await asyncio.sleep(0.05)
            pbx.send_dtmf(caller.id, digit)
        await until(lambda: _bridged(self.sim, caller.id), what=f"caller {caller.id} bridged")
        placed.bridged_at = loop.time()
        if hang_up_when is not None:
            await hang_up_when.wait()
        else:
            await asyncio.sleep(0.6)  # talking
        with contextlib.suppress(PbxError):
            pbx.hangup(caller.id)

    async def steady(self, every_s: float, stop: asyncio.Event) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            self.spawn(IVR_HANGUP if n % 5 == 0 else ANSWERED)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_s)


async def run_outage(
    pg: ThrowawayPostgres,
    var_dir: Path,
    *,
    outage_s: float,
    calm_s: float = 2.0,
    every_s: float = 0.5,
) -> OutageRun:
    """Calls flow for ``calm_s``, the database server is stopped for ``outage_s``, started,
    calls flow for ``calm_s`` more; returns when every call is recorded (or raises)."""
    run = OutageRun()
    loop = asyncio.get_running_loop()
    async with Simulator(LAB_ETC) as sim:
        for counsellor in LAB_COUNSELLORS:
            endpoint = counsellor.endpoint.removeprefix("PJSIP/")
            sim.pbx.set_phone(endpoint, PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, pg.url, var_dir)
        async with running_service(settings) as service:
            for counsellor in LAB_COUNSELLORS:
                service.presence.login(counsellor.id)
            traffic = _Traffic(sim, service, run)
            stop_traffic, db_down, db_up = asyncio.Event(), asyncio.Event(), asyncio.Event()
            steady = loop.create_task(traffic.steady(every_s, stop_traffic))
            try:
                await asyncio.sleep(calm_s / 2)
                traffic.spawn(ANSWERED, hang_up_when=db_down)  # ends during the outage
                await asyncio.sleep(calm_s / 2)
                await service.recorder.flush(timeout_s=20)  # the calm part is written

                await asyncio.to_thread(pg.stop)  # for real: the server process is gone
                run.stopped_at = loop.time()
                await until(
                    lambda: not service.health().database_ok,
                    within=outage_s + 10,
                    what="health: database away",
                )
                run.health_down = service.health()
                db_down.set()
                traffic.spawn(ANSWERED, hang_up_when=db_up)  # ends after the restart
                while loop.time() < run.stopped_at + outage_s:
                    run.backlog_peak = max(run.backlog_peak, service.health().outbox_backlog)
                    await asyncio.sleep(0.1)
                run.health_before_restart = service.health()

                await asyncio.to_thread(pg.start)
                run.restarted_at = loop.time()
                db_up.set()
                await asyncio.sleep(calm_s)
            finally:
                stop_traffic.set()
                await steady
            await until(lambda: not traffic.tasks, within=30, what="every caller done")
            if traffic.errors:
                raise traffic.errors[0]
            await until(lambda: not service.app.calls, within=15, what="every call ended")
            await asyncio.sleep(1.0)  # the last counsellors' wrap-up (0.5 s) ends and is recorded
            await service.recorder.flush(timeout_s=outage_s + 30)
            run.drained_at = loop.time()
            run.health_after = service.health()
            async with service.database.sessions() as session:
                run.rows = list((await session.execute(select(CallRow))).scalars())
                run.offers = list((await session.execute(select(CallOfferRow))).scalars())
    return run


def check_outage_run(run: OutageRun, outage_s: float) -> None:
    """The acceptance checks, shared with the soak script."""
    # during the outage: calls kept flowing and /health said what was going on
    during = run.bridged_during_outage()
    # a caller every 0.5 s, 4 in 5 wanting a counsellor: ~1.6 bridged per second of outage
    assert len(during) >= outage_s / 2, (
        f"callers reached counsellors while the database was away: {len(during)}"
    )
    down, before = run.health_down, run.health_before_restart
    assert down is not None and before is not None
    assert not down.database_ok and down.last_database_error
    assert not before.database_ok
    assert before.outbox_backlog > down.outbox_backlog > 0, "the outbox grows during the outage"
    assert down.ari_connected and down.calls_sent_to_fallback == 0, "no call left the service"

    # afterwards: everything written, exactly once, with the outcome each caller lived
    after = run.health_after
    assert after is not None
    assert after.database_ok and after.outbox_backlog == 0
    per_channel = Counter(r.channel_id for r in run.rows)
    assert [ch for ch, n in per_channel.items() if n > 1] == [], "a call recorded twice"
    placed = {c.channel_id: c for c in run.calls}
    assert set(per_channel) == set(placed), "every call has its record, and no other record"
    wrong = [
        (r.channel_id, r.outcome, placed[r.channel_id].expected)
        for r in run.rows
        if r.outcome != placed[r.channel_id].expected or r.ended_at is None
    ]
    assert wrong == []
    offers = Counter(o.call_id for o in run.offers if o.outcome == "answered")
    answered = [r for r in run.rows if r.outcome == ANSWERED]
    assert all(r.answered_by and offers[r.call_id] == 1 for r in answered)
    assert len(run.offers) == len({(o.call_id, o.offer_id) for o in run.offers})
