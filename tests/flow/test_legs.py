"""One leg per counsellor phone: a new ring waits for the phone's earlier leg to go, and asks
Asterisk (here a small in-memory stand-in) when that takes too long."""

from __future__ import annotations

import asyncio

from callcenter.flow.legs import PhoneLegs


class FakeAsterisk:
    """The legs Asterisk has; hanging one up ends it (ChannelDestroyed) unless it is stuck."""

    def __init__(self, legs: PhoneLegs, *, stuck: bool = False, unreachable: bool = False) -> None:
        self.legs = legs
        self.channels: set[str] = set()
        self.stuck = stuck
        self.unreachable = unreachable
        self.hung_up: list[str] = []

    async def probe(self, leg: str) -> bool:
        if self.unreachable:
            raise ConnectionError("Asterisk unreachable")
        return leg in self.channels

    async def hang_up(self, leg: str) -> None:
        self.hung_up.append(leg)
        if not self.stuck:
            self.channels.discard(leg)
            self.legs.ended(leg)  # what ChannelDestroyed does in the app


async def test_a_new_ring_waits_until_the_withdrawn_leg_is_gone() -> None:
    legs = PhoneLegs(max_wait=5.0)
    legs.started("hn-01", "offer-1")
    waiter = asyncio.create_task(legs.wait_free("hn-01"))
    await asyncio.sleep(0.01)
    assert not waiter.done(), "the phone still rings for the first call"
    legs.ended("offer-1")
    assert await waiter is True


async def test_a_leg_whose_end_was_missed_is_forgotten_after_asking_asterisk() -> None:
    legs = PhoneLegs(max_wait=0.02)
    asterisk = FakeAsterisk(legs)
    legs.started("hn-01", "offer-1")  # Asterisk no longer has it: its ChannelDestroyed was lost
    free = await legs.wait_free("hn-01", probe=asterisk.probe, hang_up=asterisk.hang_up)
    assert free is True
    assert legs.live("hn-01") == frozenset() and asterisk.hung_up == []


async def test_a_leg_still_up_is_hung_up_again_before_the_phone_rings() -> None:
    legs = PhoneLegs(max_wait=0.02)
    asterisk = FakeAsterisk(legs)
    asterisk.channels.add("offer-1")  # its first hang-up never reached Asterisk
    legs.started("hn-01", "offer-1")
    free = await legs.wait_free("hn-01", probe=asterisk.probe, hang_up=asterisk.hang_up)
    assert free is True
    assert asterisk.hung_up == ["offer-1"] and asterisk.channels == set()


async def test_a_leg_nobody_can_end_does_not_keep_the_counsellor_from_every_call() -> None:
    legs = PhoneLegs(max_wait=0.02)
    asterisk = FakeAsterisk(legs, stuck=True)
    asterisk.channels.add("offer-1")
    legs.started("hn-01", "offer-1")
    free = await legs.wait_free("hn-01", probe=asterisk.probe, hang_up=asterisk.hang_up)
    assert free is False, "the caller of wait_free is told (and rings anyway)"
    assert asterisk.hung_up == ["offer-1"]


async def test_when_asterisk_cannot_say_the_leg_counts_as_still_there() -> None:
    legs = PhoneLegs(max_wait=0.02)
    asterisk = FakeAsterisk(legs, unreachable=True)
    legs.started("hn-01", "offer-1")
    free = await legs.wait_free("hn-01", probe=asterisk.probe, hang_up=asterisk.hang_up)
    assert free is True, "hung up again: the fake ends it"
    assert asterisk.hung_up == ["offer-1"]


async def test_other_phones_are_not_held_up() -> None:
    legs = PhoneLegs(max_wait=5.0)
    legs.started("hn-01", "offer-1")
    assert await asyncio.wait_for(legs.wait_free("hn-02"), 0.5) is True
