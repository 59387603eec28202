"""Issue 4: the database is unreachable while a caller asks to be called back, and the service
is then SIGKILLed before the database returns. Nothing is lost: the request waited in the
local outbox; the next process writes it once and calls the survivor back.

The PostgreSQL is a throwaway cluster of this test's own (tests/calls/throwaway_pg.py), stopped
and started for real; the shared server is never touched."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from tests.calls.throwaway_pg import ThrowawayPostgres
from tests.e2e.callback_steps import (
    ask_for_callback,
    assert_called_back_once,
    callbacks_api,
    stored,
    survivor_called_back,
)
from tests.e2e.harness import LAB_ETC, lab_settings, until
from tests.e2e.process import ServiceProcess

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


async def test_a_request_made_while_the_database_is_away_is_never_lost(
    own_pg: ThrowawayPostgres, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("dn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, own_pg.url, tmp_path / "var", outbound_trunk="PJSIP/dn-01")
        first = ServiceProcess(settings, tmp_path / "service-1.log")
        await first.start()
        try:
            await asyncio.to_thread(own_pg.stop)
            caller_id, window = await ask_for_callback(sim, "0912345678")
            await until(
                lambda: (
                    (h := first.last_health) is not None
                    and not h["database_ok"]
                    and h["outbox_backlog"] >= 1
                ),
                within=30,
                what="the request waiting in the outbox",
                poll=first.refresh_health,
            )
            with pytest.raises(httpx.HTTPStatusError) as refused:
                await callbacks_api(first, "pending")
            assert refused.value.response.status_code == 503
            first.kill()
        finally:
            first.stop()
        await asyncio.to_thread(own_pg.start)

        second = ServiceProcess(settings, tmp_path / "service-2.log")
        await second.start()
        try:
            pending: list[dict[str, object]] = []

            async def poll() -> None:
                pending[:] = await callbacks_api(second, "pending")

            await until(lambda: len(pending) == 1, within=30, poll=poll,
                        what="the request written from the outbox and taken back")  # fmt: skip
            await survivor_called_back(sim, second)
            done: list[dict[str, object]] = []

            async def poll_done() -> None:
                done[:] = await callbacks_api(second, "done")

            await until(lambda: len(done) == 1, within=30, poll=poll_done, what="callback done")
        finally:
            second.stop()
    assert_called_back_once(await stored(own_pg.url), caller_id, window)
