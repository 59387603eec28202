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


async def test_a_callback_conversation_survives_sigkill_and_is_no_new_caller(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The survivor and the counsellor are talking when the service dies: the next process
    leaves their conversation alone (it is not a caller to put in line, nor a leg to hang up),
    and the attempt is recorded as answered once, with no call record for the outbound leg."""
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("dn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, sqlite_url, tmp_path / "var", outbound_trunk="PJSIP/dn-01")

        def talking() -> str | None:
            legs = survivor_legs(sim)
            for bridge in sim.pbx.bridges.values():
                if legs and legs[0] in bridge.channels and len(bridge.channels) == 2:
                    return legs[0]
            return None

        first = ServiceProcess(settings, tmp_path / "service-1.log")
        await first.start()
        try:
            caller_id, _ = await ask_for_callback(sim, "0912345678")
            await first.presence("hn-01", "login")
            await until(lambda: talking() is not None, within=30, what="survivor talking")
            leg = talking()
            first.kill()
        finally:
            first.stop()

        second = ServiceProcess(settings, tmp_path / "service-2.log")
        await second.start()
        try:
            log = tmp_path / "service-2.log"
            await until(lambda: "taken back after a restart" in log.read_text(), within=30,
                        what="request taken back")  # fmt: skip
            await asyncio.sleep(0.5)
            assert talking() == leg, "the conversation goes on"
            assert leg is not None
            sim.pbx.hangup(leg)
            done: list[dict[str, object]] = []

            async def poll_done() -> None:
                done[:] = await callbacks_api(second, "done")

            await until(lambda: len(done) == 1, within=30, poll=poll_done, what="done")
        finally:
            second.stop()
    data = await stored(sqlite_url)
    assert [a.outcome for a in data.attempts] == ["answered"]
    assert [c.channel_id for c in data.calls] == [caller_id], "no record for the outbound leg"
