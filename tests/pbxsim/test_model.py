"""The model on scenarios no recording covers: app_queue strategies, priorities, abandon,
ring-no-answer and retry, the Stasis fallback, playback lists, registration expiry."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from pbxsim.model import Clock, Pbx, PhoneBehaviour, load_config, media
from pbxsim.model import happenings as h
from pbxsim.model.config import PbxConfig
from pbxsim.model.stasis import StasisRegistry
from tests.pbxsim.contract import LAB_ETC

SPEED = 50.0
PROJECT_CONF = Path(__file__).resolve().parents[2] / "asterisk-conf"


class Recorder:
    def __init__(self, pbx: Pbx) -> None:
        self.items: list[h.Happening] = []
        pbx.subscribe(self.items.append)

    def of(self, kind: type[h.Happening]) -> list[h.Happening]:
        return [x for x in self.items if isinstance(x, kind)]

    async def until(self, test: Callable[[], bool], seconds: float = 5.0) -> None:
        for _ in range(int(seconds / 0.005)):
            if test():
                return
            await asyncio.sleep(0.005)
        raise AssertionError("condition not reached")


def _config(strategy: str = "ringall", timeout: float = 15.0) -> PbxConfig:
    base = load_config(Path(LAB_ETC))
    queues = dict(base.queues)
    queues["hanoi"] = dataclasses.replace(queues["hanoi"], strategy=strategy, timeout=timeout)
    return dataclasses.replace(base, queues=queues)


@pytest.fixture
async def pbx() -> AsyncIterator[Pbx]:
    model = Pbx(_config(), Clock(SPEED))
    yield model
    await model.close()


async def test_without_an_ari_client_the_call_falls_back_to_the_queue(pbx: Pbx) -> None:
    seen = Recorder(pbx)
    pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=2.0))
    pbx.set_phone("hn-02", PhoneBehaviour(mode="noanswer"))
    caller = pbx.originate_inbound("1800", "0912345678")
    await seen.until(lambda: bool(seen.of(h.AgentConnected)))
    statuses = [
        x.value
        for x in seen.of(h.VarSet)
        if isinstance(x, h.VarSet) and x.variable == "STASISSTATUS"
    ]
    assert statuses == ["", "FAILED"]
    connected = seen.of(h.AgentConnected)[0]
    assert isinstance(connected, h.AgentConnected) and connected.member.interface == "PJSIP/hn-01"
    cancelled = [
        x for x in seen.of(h.DialEnded) if isinstance(x, h.DialEnded) and x.dialstatus == "CANCEL"
    ]
    assert cancelled and all(x.peer.name.startswith("PJSIP/hn-02") for x in cancelled)
    pbx.hangup(caller.id)
    await seen.until(lambda: not pbx.channels)
    completed = seen.of(h.AgentCompleted)[0]
    assert isinstance(completed, h.AgentCompleted) and completed.reason == "caller"


async def test_a_connected_client_gets_the_call_in_stasis(pbx: Pbx) -> None:
    seen = Recorder(pbx)
    pbx.apps.connect("hotline", True, object())
    caller = pbx.originate_inbound("1800", "0912345678")
    await seen.until(lambda: bool(seen.of(h.StasisStarted)))
    assert caller.stasis_app == "hotline" and not seen.of(h.QueueCallerJoined)


async def test_linear_strategy_rings_one_member_at_a_time_and_retries_after_no_answer() -> None:
    model = Pbx(_config("linear", timeout=2.0), Clock(SPEED))
    try:
        seen = Recorder(model)
        model.set_phone("hn-01", PhoneBehaviour(mode="noanswer"))
        model.set_phone("hn-02", PhoneBehaviour(mode="answer", answer_after=0.5))
        model.originate_inbound("1801", "0900000001")
        await seen.until(lambda: bool(seen.of(h.AgentConnected)), 10)
        called = [
            x.member.interface for x in seen.of(h.AgentCalled) if isinstance(x, h.AgentCalled)
        ]
        assert called[0] == "PJSIP/hn-01" and called[-1] == "PJSIP/hn-02"
        assert len({tuple(called[:1])}) == 1  # hn-01 alone first
        no_answer = seen.of(h.AgentRingNoAnswered)
        assert no_answer and isinstance(no_answer[0], h.AgentRingNoAnswered)
        assert no_answer[0].member.interface == "PJSIP/hn-01"
    finally:
        await model.close()


async def test_higher_queue_prio_is_served_first(pbx: Pbx) -> None:
    seen = Recorder(pbx)
    for name in ("hn-01", "hn-02"):
        pbx.queues.pause(f"PJSIP/{name}", True, "hanoi")
    pbx.set_phone("hn-01", PhoneBehaviour(mode="answer", answer_after=0.2))
    normal = pbx.originate_inbound("1801", "0900000002")
    urgent = pbx.originate_inbound("1801", "0900000003", variables={"QUEUE_PRIO": "10"})
    await seen.until(lambda: len(seen.of(h.QueueCallerJoined)) == 2)
    joined = {
        x.channel.id: x.position
        for x in seen.of(h.QueueCallerJoined)
        if isinstance(x, h.QueueCallerJoined)
    }
    assert joined[normal.id] == 1 and joined[urgent.id] == 1  # the urgent one went ahead
    pbx.queues.pause("PJSIP/hn-01", False, "hanoi")
    await seen.until(lambda: bool(seen.of(h.AgentConnected)))
    first = seen.of(h.AgentConnected)[0]
    assert isinstance(first, h.AgentConnected) and first.channel.id == urgent.id


async def test_a_caller_who_gives_up_is_an_abandon(pbx: Pbx) -> None:
    seen = Recorder(pbx)
    for name in ("hn-01", "hn-02"):
        pbx.set_phone(name, PhoneBehaviour(mode="noanswer"))
    caller = pbx.originate_inbound("1801", "0900000004")
    await seen.until(lambda: bool(seen.of(h.AgentCalled)))
    pbx.hangup(caller.id)
    await seen.until(lambda: bool(seen.of(h.QueueCallerAbandoned)))
    await seen.until(lambda: not pbx.channels)
    assert pbx.queues.queues["hanoi"].abandoned == 1
    ends = {x.dialstatus for x in seen.of(h.DialEnded) if isinstance(x, h.DialEnded)}
    assert ends == {"CANCEL"}


async def test_a_media_list_is_one_playback_and_delete_spares_digits(pbx: Pbx) -> None:
    seen = Recorder(pbx)
    pbx.apps.connect("hotline", True, object())
    caller = pbx.originate_inbound("1810", "0900000005")
    await seen.until(lambda: bool(seen.of(h.StasisStarted)))
    pb = media.play(
        pbx, f"channel:{caller.id}", ["digits:1800", "sound:demo-congrats"], "pb1", None, caller
    )
    await seen.until(lambda: bool(seen.of(h.PlaybackStarted)))
    media.stop(pbx, pb)  # during digits: ignored, the list goes on (fact 23)
    await seen.until(lambda: len(seen.of(h.PlaybackStarted)) == 2)
    assert pb.state == "playing" and pb.media_uri == "sound:demo-congrats"
    media.stop(pbx, pb)
    await seen.until(lambda: bool(seen.of(h.PlaybackFinished)))
    assert "pb1" not in pbx.playbacks and len(seen.of(h.PlaybackContinued)) == 1


async def test_a_registration_expires_and_the_phone_becomes_unavailable(pbx: Pbx) -> None:
    seen = Recorder(pbx)
    pbx.register_contact("hn-03", "sip:hn-03@127.0.0.1:5075", expires=5)
    assert pbx.device_states["PJSIP/hn-03"] == "NOT_INUSE"
    await seen.until(
        lambda: any(
            isinstance(x, h.ContactStatusChanged) and x.status == "Removed" for x in seen.items
        ),
        10,
    )
    assert pbx.device_states["PJSIP/hn-03"] == "UNAVAILABLE"


def test_stasis_apps_follow_the_subscription_rules() -> None:
    apps = StasisRegistry()
    token = object()
    apps.connect("hotline", False, token)
    apps.add_channel("hotline", "c1")
    apps.disconnect("hotline", token)
    assert apps.get("hotline") is not None and not apps.can_enter("hotline")  # facts 5, 7
    apps.remove_channel("c1")
    assert apps.get("hotline") is None
    apps.connect("hotline", True, token)
    apps.disconnect("hotline", token)
    assert apps.get("hotline") is None  # fact 1


async def test_the_project_dialplan_queues_an_urgent_caller_ahead_when_no_client_is_connected() -> (
    None
):
    config = load_config(PROJECT_CONF)
    model = Pbx(config, Clock(SPEED))
    try:
        seen = Recorder(model)
        for name in model.endpoints:
            model.set_phone(name, PhoneBehaviour(mode="noanswer"))
        caller = model.originate_inbound(
            "18001567", "0912345678", variables={"HOTLINE_DANGER": "1", "HOTLINE_CENTRE": "HN"}
        )
        await seen.until(lambda: bool(seen.of(h.QueueCallerJoined)))
        joined = seen.of(h.QueueCallerJoined)[0]
        assert isinstance(joined, h.QueueCallerJoined) and joined.queue == "fallback-all"
        assert caller.variables["QUEUE_PRIO"] == "10"
        assert "queue=fallback-all" in caller.variables["CDR(userfield)"]
        model.hangup(caller.id)
        await seen.until(lambda: bool(seen.of(h.CdrWritten)))
        cdr = seen.of(h.CdrWritten)[0]
        assert isinstance(cdr, h.CdrWritten) and "danger=1" in cdr.cdr.userfield
    finally:
        await model.close()


async def test_a_phone_in_two_queues_never_rings_for_two_callers_at_once() -> None:
    model = Pbx(load_config(PROJECT_CONF), Clock(SPEED))
    try:
        live: dict[str, int] = {}
        worst: dict[str, int] = {}

        def watch(x: h.Happening) -> None:
            if isinstance(x, h.ChannelCreated | h.ChannelHungUp) and x.channel.endpoint:
                ep = x.channel.endpoint
                live[ep] = live.get(ep, 0) + (1 if isinstance(x, h.ChannelCreated) else -1)
                worst[ep] = max(worst.get(ep, 0), live[ep])

        model.subscribe(watch)
        seen = Recorder(model)
        for name in model.endpoints:
            model.set_phone(name, PhoneBehaviour(mode="noanswer"))
        for name in ("hn-01", "hn-02"):
            model.register_contact(name, f"sip:{name}@127.0.0.1:5080", expires=3600)
        # one caller for Hà Nội's queue, one for the national pool: hn-01 is in both
        model.originate_inbound("18001567", "0900000010", variables={"HOTLINE_CENTRE": "HN"})
        model.originate_inbound("18001567", "0900000011")
        await seen.until(lambda: len(seen.of(h.QueueCallerJoined)) == 2)
        await seen.until(lambda: len(seen.of(h.AgentCalled)) >= 6, 10)
        assert worst["PJSIP/hn-01"] == 1 and worst["PJSIP/hn-02"] == 1
    finally:
        await model.close()
