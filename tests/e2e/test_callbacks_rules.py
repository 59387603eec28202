"""Callback rules end to end (the in-process service on the simulator, SQLite): unanswered
attempts are retried up to the configured number, then the request shows as failed; a request
whose turn comes outside the caller's safe times is never dialled."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from callcenter.flow.callback_policy import CallbackSettings
from callcenter.service.api import create_app
from callcenter.service.runtime import HotlineService
from callcenter.settings import Settings
from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from tests.e2e.callback_steps import ask_for_callback, stored
from tests.e2e.harness import LAB_ETC, lab_settings, running_service, until


async def test_unanswered_callbacks_are_retried_then_the_request_fails(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("dn-01", PhoneBehaviour(mode="busy"))  # the survivor's line is busy
        settings = lab_settings(sim, sqlite_url, tmp_path, outbound_trunk="PJSIP/dn-01")
        settings.callbacks = CallbackSettings(max_attempts=2, retry_after=0.5)
        async with running_service(settings) as service:
            caller_id, _ = await ask_for_callback(sim, "0912345678")
            service.presence.login("hn-01")
            await until(lambda: service.app.callbacks.failed == 1, within=60,
                        what="the request given up")  # fmt: skip
            assert not service.app.callbacks.pending
            await service.recorder.flush(timeout_s=10)
            api = create_app(settings, service=service)  # the service is already running
            transport = httpx.ASGITransport(app=api)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
                response = await client.get("/api/callbacks")  # supervisors' default view
    assert response.status_code == 200 and "912345678" not in response.text
    (shown,) = response.json()
    assert (shown["call_id"], shown["state"], shown["attempts"]) == (
        f"lab/{caller_id}",
        "failed",
        2,
    )
    assert [a["outcome"] for a in shown["attempt_log"]] == ["busy", "busy"]
    data = await stored(sqlite_url)
    (request,) = data.requests
    assert (request.call_id, request.state, request.attempts) == (f"lab/{caller_id}", "failed", 2)
    assert [(a.outcome, a.counsellor) for a in data.attempts] == [("busy", "hn-01")] * 2


class ShiftedClock:
    """The service's wall clock: real time from ``start``, plus an offset a test moves."""

    def __init__(self, start: datetime) -> None:
        self.start, self.t0, self.offset = start, time.monotonic(), timedelta(0)

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0) + self.offset


@asynccontextmanager
async def service_at(settings: Settings, clock: ShiftedClock) -> AsyncIterator[HotlineService]:
    service = HotlineService(settings, wall_clock=clock)
    await service.start()
    try:
        await until(lambda: service.health().ari_connected, what="ARI connected")
        await asyncio.wait_for(service.records_ready.wait(), 30)
        yield service
    finally:
        await service.stop()


async def test_a_request_whose_turn_comes_outside_the_safe_times_is_never_dialled(
    sqlite_url: str, tmp_path: Path
) -> None:
    clock = ShiftedClock(datetime(2026, 11, 23, 3, 58, tzinfo=UTC))  # 10:58 in Viet Nam
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("dn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, sqlite_url, tmp_path, outbound_trunk="PJSIP/dn-01")
        async with service_at(settings, clock) as service:
            caller_id, window = await ask_for_callback(sim, "0912345678", now=clock())
            assert window == "morning"  # 7-11
            clock.offset = timedelta(minutes=5)  # 11:03: nobody came in time
            rang: set[str] = set()

            async def watch() -> None:
                while True:
                    rang.update(c.name.rsplit("-", 1)[0] for c in sim.pbx.channels.values())
                    await asyncio.sleep(0.005)

            watcher = asyncio.create_task(watch())
            try:
                service.presence.login("hn-01")
                await until(lambda: service.app.callbacks.skipped == 1, what="the turn skipped")
                await asyncio.sleep(0.5)  # anything that would follow has happened
            finally:
                watcher.cancel()
            assert service.app.callbacks.owns(f"lab/{caller_id}"), "still waiting for tomorrow"
            await service.recorder.flush(timeout_s=10)
    assert "PJSIP/dn-01" not in rang and "PJSIP/hn-01" not in rang, "nobody rung, not dialled"
    data = await stored(sqlite_url)
    (request,) = data.requests
    assert (request.state, request.attempts) == ("pending", 0)
    assert [(a.outcome, a.counsellor, a.dialled_at) for a in data.attempts] == [
        ("outside_window", "hn-01", None)
    ]
