"""A caller who hangs up while the service is down (found running `callcenter demo` and killing its
service): the call's record must not stay open for ever. (Fixed: a new service process closes
the records its node left open whose caller channel Asterisk no longer has.)

The first service process records ``CallArrived`` (durable outbox, then the database) and is
SIGKILLed while the caller waits in line. The caller hangs up during the outage. A new service
process starts: reconcile (callcenter/flow/reconcile.py) only ends calls *it holds in memory*
whose channel is gone, and adopts live channels it does not know; a call that is in neither
(known only to the database, gone from Asterisk) is never looked at. Its record keeps
``outcome`` and ``ended_at`` NULL for ever: statistics count it as in progress, and the fallback
import cannot close it either (the caller never reached a fallback queue)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from callcenter.calls.models import CallRow
from callcenter.flow.config import CounsellorEntry
from callcenter.settings import RoutingSettings
from pbxsim.server import Simulator
from routing.model import Gender
from tests.e2e.harness import rows_in
from tests.e2e.process import ServiceProcess
from tests.e2e.product import product_conf_with_phones, service_settings


async def _until_rows(
    db_url: str, check: Callable[[Sequence[CallRow]], bool], within: float
) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        try:
            if check(await rows_in(db_url)):
                return True
        except SQLAlchemyError:  # the schema is migrated in the background at start
            pass
        await asyncio.sleep(0.2)
    return False


async def test_a_caller_who_hangs_up_during_the_outage_gets_a_closed_record(
    sqlite_url: str, tmp_path: Path
) -> None:
    conf_dir = product_conf_with_phones(tmp_path, per_centre=1)
    counsellors = [
        CounsellorEntry(id="HN-01", centre="HN", endpoint="PJSIP/hn-01", gender=Gender.FEMALE)
    ]  # never logged in: the caller waits in line
    async with Simulator(conf_dir) as sim:
        routing = RoutingSettings(wrap_up=0.5, announce_interval=None, overflow_after=1.0)
        settings = service_settings(
            sim, conf_dir, counsellors, sqlite_url, tmp_path / "var", routing
        )
        settings.flow.ivr.digit_timeout = 0.3
        first = ServiceProcess(settings, tmp_path / "service-1.log")
        await first.start()
        try:
            caller = sim.pbx.originate_inbound("111", "0912345678", endpoint="carrier-in").id
            recorded = await _until_rows(
                sqlite_url, lambda rows: any(r.channel_id == caller for r in rows), within=20
            )
            assert recorded, "the first service recorded the call"
            first.kill()
        finally:
            first.stop()
        sim.pbx.hangup(caller)  # the caller gives up while no service runs
        second = ServiceProcess(settings, tmp_path / "service-2.log")
        await second.start()
        try:
            closed = await _until_rows(
                sqlite_url,
                lambda rows: all(r.outcome is not None and r.ended_at is not None for r in rows),
                within=5,
            )
        finally:
            second.stop()
    rows = await rows_in(sqlite_url)
    assert closed, [(r.channel_id, r.outcome, r.ended_at) for r in rows]
