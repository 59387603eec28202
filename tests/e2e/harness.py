"""Start the PBX simulator and the whole hotline service through the same code path as
``callcenter serve`` (HotlineService), with short timers, on a real database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select

from callcenter.calls.models import CallOfferRow, CallRow
from callcenter.db.engine import Database
from callcenter.flow.config import CounsellorEntry, FlowConfig
from callcenter.flow.ivr import IvrConfig
from callcenter.service.runtime import HotlineService
from callcenter.settings import (
    AmiSettings,
    AriSettings,
    DatabaseSettings,
    RoutingSettings,
    ServiceSettings,
    Settings,
)
from pbxsim.server import Simulator
from routing.model import Gender

LAB_ETC = Path(__file__).parents[1] / "fixtures" / "asterisk" / "lab-etc"

LAB_COUNSELLORS = [
    CounsellorEntry(id="hn-01", centre="HN", endpoint="PJSIP/hn-01", gender=Gender.FEMALE),
    CounsellorEntry(id="hn-02", centre="HN", endpoint="PJSIP/hn-02", gender=Gender.MALE),
    CounsellorEntry(id="dn-01", centre="DN", endpoint="PJSIP/dn-01", gender=Gender.FEMALE),
    CounsellorEntry(
        id="ag-01",
        centre="AG",
        endpoint="PJSIP/ag-01",
        gender=Gender.MALE,
        languages=frozenset({"vi", "km"}),
    ),
]


def lab_settings(sim: Simulator, db_url: str, var_dir: Path, **flow: Any) -> Settings:
    flow_config = FlowConfig(
        counsellors=LAB_COUNSELLORS,
        ring_timeout=flow.pop("ring_timeout", 3.0),
        max_wait=flow.pop("max_wait", 60.0),
        callback_digit_timeout=flow.pop("callback_digit_timeout", 1.0),
        ivr=IvrConfig(digit_timeout=flow.pop("digit_timeout", 0.3), attempts=1),
        **flow,
    )
    return Settings(
        database=DatabaseSettings(url=db_url),
        ari=AriSettings(url=sim.ari_base, username="lab", password=SecretStr("lab")),
        ami=AmiSettings(port=sim.ami_port, username="lab", secret=SecretStr("lab")),
        service=ServiceSettings(node="lab", var_dir=var_dir),
        flow=flow_config,
        routing=RoutingSettings(wrap_up=0.5, announce_interval=None, overflow_after=1.0),
    )


@contextlib.asynccontextmanager
async def running_service(
    settings: Settings, *, wait_for_records: bool = True
) -> AsyncIterator[HotlineService]:
    service = HotlineService(settings)
    await service.start()
    try:
        await until(lambda: service.health().ari_connected, what="ARI connected")
        if wait_for_records:  # schema migrated and the recorder draining
            await asyncio.wait_for(service.records_ready.wait(), 30)
        yield service
    finally:
        await service.stop()


async def until(
    check: Callable[[], bool],
    *,
    within: float = 20.0,
    what: str = "",
    poll: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Wait until ``check()`` holds (``poll`` first refreshes what it looks at)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if poll is not None:
            await poll()
        if check():
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.02 if poll is None else 0.2)


async def call_rows(service: HotlineService) -> list[CallRow]:
    await service.recorder.flush(timeout_s=10)
    async with service.database.sessions() as session:
        return list((await session.execute(select(CallRow))).scalars())


async def offer_rows(service: HotlineService) -> list[CallOfferRow]:
    await service.recorder.flush(timeout_s=10)
    async with service.database.sessions() as session:
        query = select(CallOfferRow).order_by(CallOfferRow.offered_at)
        return list((await session.execute(query)).scalars())


async def rows_in(db_url: str) -> list[CallRow]:
    """The call records in a database (the service may be another process, or gone)."""
    database = Database.from_url(db_url)
    try:
        async with database.sessions() as session:
            return list((await session.execute(select(CallRow))).scalars())
    finally:
        await database.dispose()
