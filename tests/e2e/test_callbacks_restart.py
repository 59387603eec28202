"""Issue 4: a callback request survives any restart. The service runs as its own process
(``callcenter serve``) on the PBX simulator and a real database (SQLite and PostgreSQL); a
caller asks to be called back and the service is SIGKILLed at once. A new process takes the
request back; when a counsellor comes, the survivor is called back inside their safe window,
and the database holds exactly one request and one attempt."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from tests.e2e.callback_steps import (
    ask_for_callback,
    assert_called_back_once,
    callbacks_api,
    stored,
    survivor_called_back,
)
from tests.e2e.harness import LAB_ETC, lab_settings, until
from tests.e2e.process import ServiceProcess


@pytest.fixture(params=["sqlite", "postgres"])
def own_db_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """A database of this test's own (rows are counted)."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("fresh_pg_url")
        return url
    return sqlite_url


async def test_a_callback_request_survives_sigkill_and_the_survivor_is_called_back_once(
    own_db_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("dn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, own_db_url, tmp_path / "var", outbound_trunk="PJSIP/dn-01")
        first = ServiceProcess(settings, tmp_path / "service-1.log")
        await first.start()
        try:
            caller_id, window = await ask_for_callback(sim, "0912345678")
            first.kill()  # at once: the request may not have reached the database yet
        finally:
            first.stop()

        second = ServiceProcess(settings, tmp_path / "service-2.log")
        await second.start()
        try:
            pending: list[dict[str, object]] = []

            async def poll() -> None:
                pending[:] = await callbacks_api(second, "pending")

            await until(lambda: len(pending) == 1, within=30, poll=poll,
                        what="the request taken back, waiting for a counsellor")  # fmt: skip
            assert pending[0]["call_id"] == f"lab/{caller_id}"
            await survivor_called_back(sim, second)
            done: list[dict[str, object]] = []

            async def poll_done() -> None:
                done[:] = await callbacks_api(second, "done")

            await until(lambda: len(done) == 1, within=30, poll=poll_done, what="callback done")
            assert await callbacks_api(second, "pending") == []
        finally:
            second.stop()
    assert_called_back_once(await stored(own_db_url), caller_id, window)


async def test_sigkill_during_the_goodbye_the_caller_is_let_go_and_called_back_once(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The service dies while the caller hears "we will call you back": the new process does
    not put them back in line as a waiting caller; it lets them go and serves the request."""
    async with Simulator(LAB_ETC) as sim:
        sim.pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        sim.pbx.set_phone("dn-01", PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, sqlite_url, tmp_path / "var", outbound_trunk="PJSIP/dn-01")
        first = ServiceProcess(settings, tmp_path / "service-1.log")
        await first.start()
        try:
            caller_id, window = await ask_for_callback(sim, "0912345678", goodbye=False)
            first.kill()
        finally:
            first.stop()
        caller = sim.pbx.channels[caller_id]
        assert not caller.destroyed, "still on the line when the service died"

        second = ServiceProcess(settings, tmp_path / "service-2.log")
        await second.start()
        try:
            await until(lambda: caller.destroyed, within=30, what="the caller let go")
            await survivor_called_back(sim, second)
            done: list[dict[str, object]] = []

            async def poll_done() -> None:
                done[:] = await callbacks_api(second, "done")

            await until(lambda: len(done) == 1, within=30, poll=poll_done, what="callback done")
        finally:
            second.stop()
    assert_called_back_once(await stored(sqlite_url), caller_id, window)
