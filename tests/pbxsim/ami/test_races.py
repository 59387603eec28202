"""The race table excuses only orders the recordings show both ways, and only those."""

from __future__ import annotations

import pytest

from tests.pbxsim.ami.amiclient import Message
from tests.pbxsim.ami.races import RACES
from tests.pbxsim.ami.reorder import Race, msg, recorded, reorder_like, unproven


@pytest.mark.parametrize("race", RACES, ids=[r.what for r in RACES])
def test_each_race_is_shown_both_ways_by_the_recordings_it_cites(race: Race) -> None:
    assert unproven(race) == []


def test_an_order_no_recording_shows_is_refused() -> None:
    # every recording shows a channel's Newchannel before its Hangup
    made_up = Race(
        "Hangup before Newchannel",
        (msg("Newchannel", Channel="PJSIP/hn-01"),),
        (msg("Hangup", Channel="PJSIP/hn-01"),),
        ("device-busy",),
        ("device-busy",),
    )
    assert unproven(made_up) == [
        "Hangup before Newchannel: ami-device-busy.raw does not show "
        "[Hangup Channel=PJSIP/hn-01] before [Newchannel Channel=PJSIP/hn-01]"
    ]
    assert (
        "cites no recording"
        in unproven(Race("uncited", made_up.one, made_up.other, ("device-busy",), ()))[0]
    )


def _event(name: str, **headers: str) -> Message:
    return [("Event", name), *headers.items()]


DIALSTATE = _event("DialState", DestChannel="PJSIP/hn-01-00000001", DialStatus="RINGING")
RINGING = _event("Newstate", Channel="PJSIP/hn-01-00000001", ChannelStateDesc="Ringing")
UP = _event("Newstate", Channel="PJSIP/hn-01-00000001", ChannelStateDesc="Up")
ANSWER = _event("DialEnd", DestChannel="PJSIP/hn-01-00000001", DialStatus="ANSWER")


def test_a_tabled_race_is_put_back_in_the_recorded_order() -> None:
    got = reorder_like([DIALSTATE, RINGING, UP], [RINGING, DIALSTATE, UP], RACES)
    assert got == [DIALSTATE, RINGING, UP]


def test_other_messages_keep_their_recorded_order() -> None:
    # DialState RINGING may pass the leg's Newstate Ringing, not its answer
    assert reorder_like([DIALSTATE, UP, ANSWER], [UP, DIALSTATE, ANSWER], RACES) is None
    assert reorder_like([DIALSTATE, RINGING], [DIALSTATE, RINGING, UP], RACES) is None
    assert reorder_like([DIALSTATE, RINGING], [DIALSTATE], RACES) is None


def test_every_cited_recording_exists() -> None:
    for race in RACES:
        for name in (*race.one_first, *race.other_first):
            assert recorded(name), name


def test_a_race_about_one_call_does_not_swap_messages_of_two_calls() -> None:
    dial = _event("DialState", DestChannel="PJSIP/hn-01-00000001", DialStatus="RINGING")
    ring = _event("Newstate", Channel="PJSIP/hn-01-00000001", ChannelStateDesc="Ringing")
    same = [[*dial, ("DestLinkedid", "A")], [*ring, ("Linkedid", "A")]]
    other = [[*dial, ("DestLinkedid", "A")], [*ring, ("Linkedid", "B")]]
    assert reorder_like(same, [same[1], same[0]], RACES) == same
    assert reorder_like(other, [other[1], other[0]], RACES) is None
