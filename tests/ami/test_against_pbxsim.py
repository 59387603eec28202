"""The adapter against the PBX simulator's AMI server, on the product's asterisk-conf/.

The simulator is itself checked against the recordings (tests/pbxsim); here the adapter, the
least-privilege AMI user and the product dialplan meet: a hotline call with no ARI client
falls back to the queue, a phone registers, the server goes away and comes back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callcenter import ami
from pbxsim.ami import AmiServer, start_ami
from pbxsim.conf import load_config as load_conf
from pbxsim.model.clock import Clock
from pbxsim.model.config import load_config
from pbxsim.model.pbx import Pbx
from tests.ami.test_adapter_tcp import Recorder

PRODUCT = Path(__file__).resolve().parents[2] / "asterisk-conf"


@pytest.fixture
async def sim() -> AsyncIterator[tuple[Pbx, AmiServer]]:
    pbx = Pbx(load_config(PRODUCT), Clock(speed=20.0))
    server = await start_ami(pbx, config_dir=PRODUCT, auth_failure_delay=0.05)
    yield pbx, server
    await server.stop()
    await pbx.close()


def adapter_for(port: int, **overrides: object) -> ami.AmiAdapter:
    (user,) = load_conf(PRODUCT).manager.users.values()
    config = ami.AmiConfig(
        username=user.name, secret=user.secret, port=port, node="hn",
        reconnect_min=0.01, reconnect_max=0.05, **overrides,  # type: ignore[arg-type]
    )  # fmt: skip
    return ami.AmiAdapter(config)


async def test_fallback_call_and_registration_seen_with_least_privilege(
    sim: tuple[Pbx, AmiServer],
) -> None:
    pbx, server = sim
    adapter = adapter_for(server.port, read_pjsip=True)  # denied: tolerated
    recorder = Recorder(adapter)
    adapter.start()
    try:
        snapshot = await adapter.wait_synchronized(within=10)
        assert snapshot.contacts == ()  # PJSIPShowContacts: Permission denied
        assert snapshot.device("PJSIP/hn-01") is ami.DeviceState.UNAVAILABLE
        assert {q.queue for q in snapshot.queues} == {
            "fallback-hn", "fallback-dn", "fallback-ag", "fallback-all",
        }  # fmt: skip
        pbx.register_contact("hn-01", "sip:hn-01@10.0.0.5:5061")
        contact = await recorder.wait(ami.ContactStatusChanged, where=lambda e: e.registered)
        assert contact.endpoint_name == "hn-01" and contact.node == "hn"
        await recorder.wait(
            ami.DeviceStateChanged,
            where=lambda e: e.device == "PJSIP/hn-01" and e.state == "NOT_INUSE",
        )
        pbx.originate_inbound("111", "0912345678", endpoint="carrier-in")
        joined = await recorder.wait(ami.QueueCallerJoined)
        assert joined.queue == "fallback-all"  # no service: centre unknown -> every centre
        assert joined.caller_id_num == "0912345678"
        assert adapter.stats.malformed == adapter.stats.conversion_errors == 0
    finally:
        await adapter.close()


async def test_server_restart_is_followed_by_a_fresh_snapshot(sim: tuple[Pbx, AmiServer]) -> None:
    pbx, server = sim
    port = server.port
    adapter = adapter_for(port)
    recorder = Recorder(adapter)
    adapter.start()
    try:
        await adapter.wait_synchronized(within=10)
        await server.stop()
        await recorder.wait(ami.AmiConnectionLost)
        pbx.register_contact("dn-01", "sip:dn-01@10.0.0.6:5061")  # while AMI is away
        await server.start(port=port)
        synced = await recorder.wait(ami.AmiStateSynchronized, 2)
        assert synced.reconnect
        assert synced.snapshot.device("PJSIP/dn-01") is ami.DeviceState.NOT_INUSE
    finally:
        await adapter.close()


async def test_fallback_queue_follows_centre_and_danger(sim: tuple[Pbx, AmiServer]) -> None:
    """The variables the service sets (HOTLINE_CENTRE, HOTLINE_DANGER) pick the queue."""
    pbx, server = sim
    adapter = adapter_for(server.port)
    recorder = Recorder(adapter)
    adapter.start()
    try:
        await adapter.wait_synchronized(within=10)
        pbx.originate_inbound(
            "111", "0911000001", endpoint="carrier-in", variables={"HOTLINE_CENTRE": "HN"}
        )
        first = await recorder.wait(ami.QueueCallerJoined)
        pbx.originate_inbound(
            "18001567", "0911000002", endpoint="carrier-in",
            variables={"HOTLINE_CENTRE": "DN", "HOTLINE_DANGER": "1"},
        )  # fmt: skip
        second = await recorder.wait(ami.QueueCallerJoined, 2)
    finally:
        await adapter.close()
    assert (first.queue, first.caller_id_num, first.exten) == ("fallback-hn", "0911000001", "111")
    assert (second.queue, second.exten) == ("fallback-all", "18001567")
