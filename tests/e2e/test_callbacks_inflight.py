"""Issue 4: the service is SIGKILLed while it is calling a survivor back (their phone rings).
The new process hangs that call up and only then dials again: the survivor never gets two
calls from the hotline at the same time, and the records show both attempts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from tests.e2e.callback_steps import (
    ask_for_callback,
    callbacks_api,
    stored,
    survivor_legs,
)
from tests.e2e.harness import LAB_ETC, lab_settings, until
from tests.e2e.process import ServiceProcess


async def test_an_attempt_in_flight_at_sigkill_is_retried_never_two_calls_at_once(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("dn-01", PhoneBehaviour(mode="manual"))  # rings until told
        settings = lab_settings(sim, sqlite_url, tmp_path / "var", outbound_trunk="PJSIP/dn-01")
        most_at_once = 0

        async def watch() -> None:
            nonlocal most_at_once
            while True:
                most_at_once = max(most_at_once, len(survivor_legs(sim)))
                await asyncio.sleep(0.005)

        watcher = asyncio.create_task(watch())
        first = ServiceProcess(settings, tmp_path / "service-1.log")
        await first.start()
        try:
            caller_id, window = await ask_for_callback(sim, "0912345678")
            await first.presence("hn-01", "login")
            await until(lambda: bool(survivor_legs(sim)), within=30, what="survivor's phone rings")
            (old_leg,) = survivor_legs(sim)
            first.kill()
        finally:
            first.stop()

        second = ServiceProcess(settings, tmp_path / "service-2.log")
        await second.start()
        try:
            await until(lambda: bool(set(survivor_legs(sim)) - {old_leg}), within=60,
                        what="the survivor called again")  # fmt: skip
            assert old_leg not in survivor_legs(sim), "the first call was ended first"
            (new_leg,) = survivor_legs(sim)
            sim.pbx.phone_answer(new_leg)
            await until(
                lambda: any(new_leg in b.channels and len(b.channels) == 2
                            for b in sim.pbx.bridges.values()),
                within=30, what="survivor bridged with the counsellor",
            )  # fmt: skip
            await asyncio.sleep(0.3)
            sim.pbx.hangup(new_leg)
            done: list[dict[str, object]] = []

            async def poll() -> None:
                done[:] = await callbacks_api(second, "done")

            await until(lambda: len(done) == 1, within=30, poll=poll, what="callback done")
        finally:
            second.stop()
            watcher.cancel()
    assert most_at_once == 1, "never two calls to the survivor at the same time"
    data = await stored(sqlite_url)
    assert len(data.requests) == 1
    (request,) = data.requests
    assert (request.call_id, request.state, request.attempts) == (f"lab/{caller_id}", "done", 2)
    outcomes = {a.attempt_id: a.outcome for a in data.attempts}
    assert outcomes == {old_leg: "interrupted", new_leg: "answered"}
    assert window
