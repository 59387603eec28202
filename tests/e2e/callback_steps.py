"""Steps shared by the callback end-to-end tests: a caller asks to be called back, the
survivor's phone (the lab's outbound trunk goes to dn-01's phone) rings and is bridged with the
counsellor, and what the database holds afterwards."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from callcenter.calls.callback_models import CallbackAttemptRow, CallbackRequestRow
from callcenter.calls.models import CallRow
from callcenter.db.engine import Database
from callcenter.flow.callback_policy import window_open
from pbxsim.server import Simulator
from tests.e2e.harness import until
from tests.e2e.process import ServiceProcess

SURVIVOR_PHONE = "PJSIP/dn-01"  # the lab's outbound trunk: this phone plays the survivor's
COUNSELLOR_PHONE = "PJSIP/hn-01"
OFFER_SOUND = "sound:vm-enter-num-to-call"  # the callback offer's prompt
CONFIRMED_SOUND = "sound:auth-thankyou"  # "we will call you back"


def open_window_digit(now: datetime) -> tuple[str, str]:
    """The menu digit and name of a safe window open now (so the test runs at any hour)."""
    for digit, window in (("1", "morning"), ("2", "afternoon"), ("3", "evening")):
        if window_open(window, now):
            return digit, window
    return "0", "any"


def _playing(sim: Simulator, caller_id: str, sound: str) -> bool:
    target = f"channel:{caller_id}"
    return any(pb.target_uri == target and sound in pb.media for pb in sim.pbx.playbacks.values())


def _offered(sim: Simulator, caller_id: str) -> bool:
    return _playing(sim, caller_id, OFFER_SOUND)


async def ask_for_callback(
    sim: Simulator, number: str, *, now: datetime | None = None, goodbye: bool = True
) -> tuple[str, str]:
    """A caller rings the hotline while nobody is staffed, takes the callback offer for a
    window open ``now`` (the service's time), and hears the confirmation and (``goodbye``)
    the goodbye. Returns (caller channel id, window)."""
    caller = sim.pbx.originate_inbound("1800", number)
    target = f"channel:{caller.id}"
    await until(lambda: any(pb.target_uri == target for pb in sim.pbx.playbacks.values()),
                within=30, what="the service greets the caller")  # fmt: skip
    for digit in ("1", "1"):  # Vietnamese, the northern region
        await asyncio.sleep(0.05)
        sim.pbx.send_dtmf(caller.id, digit)
    # the IVR's answers are kept on the channel once it is done; then the offer comes
    await until(lambda: "HOTLINE_DANGER" in caller.variables, within=30, what="IVR done")
    await until(lambda: _offered(sim, caller.id), within=30, what="callback offered")
    digit, window = open_window_digit(now or datetime.now(UTC))
    for d in ("1", "1", digit):  # yes; this number is safe; at these times
        await asyncio.sleep(0.05)
        sim.pbx.send_dtmf(caller.id, d)
    if not goodbye:
        await until(lambda: _playing(sim, caller.id, CONFIRMED_SOUND), within=30,
                    what="confirmation")  # fmt: skip
        return caller.id, window
    await until(lambda: caller.destroyed, within=30, what="confirmation and goodbye")
    return caller.id, window


def _survivor_bridged(sim: Simulator) -> str | None:
    for bridge in sim.pbx.bridges.values():
        names = {sim.pbx.channels[c].name.rsplit("-", 1)[0]: c for c in bridge.channels}
        if set(names) == {COUNSELLOR_PHONE, SURVIVOR_PHONE}:
            return names[SURVIVOR_PHONE]
    return None


async def survivor_called_back(sim: Simulator, service: ServiceProcess) -> None:
    """A counsellor comes: their phone rings for the request, the survivor is called and
    bridged with them; they talk, then the survivor hangs up."""
    await service.presence("hn-01", "login")
    await until(lambda: _survivor_bridged(sim) is not None, within=60,
                what="counsellor and survivor bridged")  # fmt: skip
    survivor = _survivor_bridged(sim)
    assert survivor is not None
    await asyncio.sleep(0.3)  # they talk
    sim.pbx.hangup(survivor)


async def callbacks_api(service: ServiceProcess, state: str) -> list[dict[str, object]]:
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(f"{service.url}/api/callbacks", params={"state": state})
        response.raise_for_status()
        data: list[dict[str, object]] = response.json()
        return data


@dataclass
class Stored:
    requests: list[CallbackRequestRow]
    attempts: list[CallbackAttemptRow]
    calls: list[CallRow]


async def stored(db_url: str) -> Stored:
    database = Database.from_url(db_url)
    try:
        async with database.sessions() as session:
            return Stored(
                list(await session.scalars(select(CallbackRequestRow))),
                list(await session.scalars(select(CallbackAttemptRow))),
                list(await session.scalars(select(CallRow))),
            )
    finally:
        await database.dispose()


def assert_called_back_once(data: Stored, caller_id: str, window: str) -> None:
    assert len(data.requests) == 1, "exactly one request"
    assert len(data.attempts) == 1, "exactly one attempt"
    (request,), (attempt,) = data.requests, data.attempts
    assert request.call_id == f"lab/{caller_id}" == attempt.call_id
    assert (request.state, request.attempts, request.safe_window) == ("done", 1, window)
    assert attempt.outcome == "answered" and attempt.counsellor == "hn-01"
    assert attempt.dialled_at is not None and window_open(window, attempt.dialled_at)
    assert attempt.talk_s is not None and attempt.talk_s > 0
    (call,) = [c for c in data.calls if c.channel_id == caller_id]
    assert call.outcome == "callback_requested"
    # the request keeps the caller's place: their arrival (from the service's clock, to the ms)
    assert abs((request.arrived_at - call.arrived_at).total_seconds()) < 0.5


def survivor_legs(sim: Simulator) -> list[str]:
    """The calls to the survivor's phone Asterisk has now."""
    return [
        c.id
        for c in sim.pbx.channels.values()
        if c.name.startswith(SURVIVOR_PHONE + "-") and not c.destroyed
    ]
