"""manager.conf classes hold in the simulator as in Asterisk: the product's least-privilege
user (asterisk-conf/manager.conf) may not run system actions and does not read dialplan events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from tests.pbxsim.ami.amiclient import AmiClient, name_of
from tests.pbxsim.ami.conftest import Sim

PRODUCT = Path(__file__).resolve().parents[3] / "asterisk-conf"


async def test_least_privilege_user_of_the_product_configuration(
    make_sim: Callable[[Path], Awaitable[Sim]],
) -> None:
    sim = await make_sim(PRODUCT)
    users = sim.ami.users
    ((name, user),) = users.items()
    client = await AmiClient.connect(sim.ami.port)
    client.send(
        [
            ("Action", "Login"),
            ("ActionID", "l-1"),
            ("Username", name),
            ("Secret", user.secret),
            ("Events", "on"),
        ]
    )
    assert dict(await client.read_message())["Response"] == "Success"
    assert name_of(await client.read_message()) == "Event:FullyBooted"
    # no SuccessfulAuth: the 'security' class is not readable for this user
    client.send([("Action", "PJSIPShowContacts"), ("ActionID", "c-2")])
    assert await client.read_message() == [
        ("Response", "Error"),
        ("ActionID", "c-2"),
        ("Message", "Permission denied"),
    ]
    client.send([("Action", "Hangup"), ("ActionID", "h-3"), ("Channel", "PJSIP/x-00000001")])
    assert dict(await client.read_message())["Message"] == "Permission denied"
    client.send([("Action", "DeviceStateList"), ("ActionID", "d-4")])
    listing = await client.read_until(lambda m: dict(m).get("EventList") == "Complete")
    assert dict(listing[0])["Response"] == "Success"
    sim.pbx.originate_inbound("111", "0912345678", endpoint="carrier-in")
    seen = await client.read_until(lambda m: name_of(m) == "Event:Newstate")
    names = {name_of(m) for m in seen}
    assert "Event:Newchannel" in names
    assert "Event:Newexten" not in names and "Event:VarSet" not in names  # 'dialplan' class
    await client.close()
