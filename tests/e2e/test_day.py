"""A simulated day through the whole service: ~500 callers and 24 softphones played by the PBX
simulator's actors against the product's Asterisk configuration; the service runs as its own
process (``callcenter serve``) on PostgreSQL, and the actors log counsellors in through its API.

What a user would notice: every caller gets exactly one call record, its outcome is what really
happened to that caller, and no counsellor's phone ever rings for two calls at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from callcenter.scenario import load_scenario
from pbxsim.actors import Actors
from pbxsim.model import happenings as h
from pbxsim.server import Simulator
from tests.e2e.harness import rows_in, until
from tests.e2e.process import ServiceProcess
from tests.e2e.product import product_conf_with_phones, product_settings

SCENARIO = Path(__file__).parent / "day-500.toml"
SPEED = 4.0  # simulated seconds per real second, for the PBX and the service alike


async def test_a_simulated_day_every_call_recorded_once_and_truthfully(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    """On PostgreSQL, the production database (most other end-to-end tests use SQLite)."""
    db_url = fresh_pg_url
    scenario = load_scenario(SCENARIO)
    conf_dir = product_conf_with_phones(tmp_path, per_centre=8)
    async with Simulator(conf_dir, speed=SPEED) as sim:
        loop = asyncio.get_running_loop()
        actors = Actors(sim.pbx, scenario, seed=5, hotline="111", trunk="carrier-in", duration=300)
        settings = product_settings(
            sim, conf_dir, scenario, actors.endpoint_of, db_url, tmp_path / "var"
        )
        settings.service.timeline_speed = SPEED
        settings.flow.missed_auto_resume = scenario.staff.missed_return.expected()
        service = ServiceProcess(settings, tmp_path / "service.log")
        pending: set[asyncio.Task[None]] = set()

        def tell(counsellor: str, action: str) -> None:  # the way a person's console would
            task = loop.create_task(service.presence(counsellor, action))
            pending.add(task)
            task.add_done_callback(pending.discard)

        actors.on_login = lambda counsellor, _ep: tell(counsellor, "login")
        actors.on_logout = lambda counsellor, _ep: tell(counsellor, "logout")
        live: dict[str, set[str]] = {}  # endpoint -> its live channels
        overlaps: list[tuple[str, list[str]]] = []

        def watch(x: h.Happening) -> None:  # counsellor phones' live legs, at every moment
            if isinstance(x, h.ChannelCreated | h.ChannelHungUp):
                endpoint = (x.channel.endpoint or "").removeprefix("PJSIP/")
                if endpoint in actors.counsellor_of:
                    channels = live.setdefault(endpoint, set())
                    if isinstance(x, h.ChannelCreated):
                        channels.add(x.channel.id)
                        if len(channels) > 1:
                            overlaps.append((endpoint, sorted(channels)))
                    else:
                        channels.discard(x.channel.id)

        sim.pbx.subscribe(watch)
        await service.start()
        try:
            outcomes = await asyncio.wait_for(actors.run(), timeout=240)
            await until(
                lambda: not any(live.values()) and not pending, what="every counsellor leg gone"
            )
            await asyncio.sleep(1.0)  # the service records the last hang-ups
        finally:
            service.stop()
    rows = await rows_in(db_url)

    placed = [o for o in outcomes if o.channel_id]
    assert 400 <= len(placed) <= 650
    by_channel = {r.channel_id: r for r in rows}
    assert len(rows) == len(by_channel) == len(placed), "exactly one record per call"
    mismatched = []
    for o in placed:
        row = by_channel[o.channel_id]
        if o.answered_at is not None:
            expected = {"answered"}
        elif o.plan.ivr_hangup:
            expected = {"abandoned_ivr"}
        else:
            expected = {"abandoned_queue", "abandoned_ringing", "abandoned_ivr"}
        if row.outcome not in expected:
            mismatched.append((o.plan.index, row.outcome, expected))
    assert not mismatched, mismatched[:10]
    answered = sum(1 for r in rows if r.outcome == "answered")
    # `callcenter simulate` predicts ~96 % for this scenario and an idle machine comes close; on
    # a loaded one real latency counts four times on this fast timeline and rings time out, so
    # this only checks that routing works at all (the model-vs-live benchmark compares shares).
    assert answered > len(rows) * 0.15, "callers reach counsellors"
    assert live, "counsellor phones rang"
    assert not overlaps, f"a phone rang for two calls at once: {overlaps[:5]}"
