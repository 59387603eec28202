"""The caller keys their province code in the IVR: the call goes to that province's centre and
the record says which province (simulator + the whole service)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from callcenter.flow.ivr import IvrConfig
from pbxsim.model.objects import PhoneBehaviour
from pbxsim.server import Simulator
from tests.e2e.harness import LAB_ETC, call_rows, lab_settings, running_service, until


async def test_province_code_routes_to_its_centre_and_is_recorded(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with Simulator(LAB_ETC) as sim:
        for phone in ("hn-01", "dn-01"):
            sim.pbx.set_phone(phone, PhoneBehaviour(mode="answer", answer_after=0.1))
        settings = lab_settings(sim, sqlite_url, tmp_path)
        settings.flow.ivr = IvrConfig(
            digit_timeout=1.0,
            attempts=1,
            region_menu={"1": "HN", "2": "DN", "3": "AG"},
            province_key="0",
        )
        async with running_service(settings) as service:
            service.presence.login("hn-01")
            service.presence.login("dn-01")
            caller = sim.pbx.originate_inbound("1800", "+842412345678")  # a Hanoi number
            await until(lambda: bool(service.app.calls), what="call in the app")
            for digit in ("1", "0", "4", "8"):  # Vietnamese, "my province", Đà Nẵng
                await asyncio.sleep(0.05)
                sim.pbx.send_dtmf(caller.id, digit)
            await until(lambda: any(c.bridged for c in service.app.calls.values()), what="answered")
            sim.pbx.hangup(caller.id)
            await until(lambda: not service.app.calls, what="ended")
            rows = await call_rows(service)
    assert (rows[0].province, rows[0].home_centre) == ("vn34-48", "DN")
    assert rows[0].answered_by == "dn-01"
