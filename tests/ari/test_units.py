"""Back-off, configuration and small helpers."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from ari import AriConfig
from ari.backoff import Backoff
from ari.parsing import channel_ids, parse_event_data
from tests.ari import recorded


def test_backoff_grows_exponentially_to_the_cap_with_jitter_below_the_base() -> None:
    backoff = Backoff(initial=0.2, maximum=10.0, factor=2.0, jitter=0.5, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(12)]
    bases = [min(10.0, 0.2 * 2**n) for n in range(12)]
    assert all(b * 0.5 <= d <= b for d, b in zip(delays, bases, strict=True))
    assert max(delays) <= 10.0
    assert len(set(delays)) == len(delays)  # jittered, not lock-step
    backoff.reset()
    assert backoff.next_delay() <= 0.2


def test_backoff_is_deterministic_under_a_seed_and_survives_many_attempts() -> None:
    a = Backoff(rng=random.Random(3))
    b = Backoff(rng=random.Random(3))
    assert [a.next_delay() for _ in range(5)] == [b.next_delay() for _ in range(5)]
    many = Backoff(jitter=0.0)
    for _ in range(5000):
        delay = many.next_delay()
    assert delay == many.maximum


def test_events_url_and_credentials() -> None:
    config = AriConfig(
        url="http://10.0.0.5:8088/", username="cc", password="s3:cr/t", app="hotline"
    )
    assert config.rest_base == "http://10.0.0.5:8088/ari"
    assert config.events_url() == "ws://10.0.0.5:8088/ari/events?app=hotline&subscribeAll=true"
    keyed = config.model_copy(update={"ws_auth": "api_key", "subscribe_all": False})
    assert keyed.events_url().startswith("ws://10.0.0.5:8088/ari/events?app=hotline&api_key=cc:")
    assert "s3" not in keyed.redacted_events_url()
    tls = config.model_copy(update={"url": "https://pbx.example:8089"})
    assert tls.events_url().startswith("wss://pbx.example:8089/ari/events")


def test_bad_url_is_refused_in_both_languages() -> None:
    with pytest.raises(ValidationError) as info:
        AriConfig(url="127.0.0.1:8088", username="a", password="b", app="c")
    assert "must look like" in str(info.value) and "phải có dạng" in str(info.value)


def test_channel_ids_for_filtering() -> None:
    by_type: dict[str, tuple[str, ...]] = {}
    for _, raw in recorded.all_ws_events():
        by_type.setdefault(raw["type"], channel_ids(parse_event_data(raw)))
    assert by_type["DeviceStateChanged"] == ()
    assert by_type["BridgeCreated"] == ()
    assert len(by_type["StasisStart"]) == 1
    assert len(by_type["Dial"]) in (1, 2)
    assert len(by_type["ChannelTransfer"]) >= 2


def test_a_frame_is_skipped_only_when_none_of_its_types_is_wanted() -> None:
    from ari.parsing import is_any_of

    wanted = frozenset({"StasisStart"})
    # Asterisk writes ChannelVarset's type after the variable (recordings)
    varset = '{"variable": "STASISSTATUS", "value": "", "type": "ChannelVarset"}'
    assert not is_any_of(varset, wanted)
    assert is_any_of('{"type":"StasisStart","args":[]}', wanted)
    # a nested "type" before the event's own never hides a wanted event
    nested = '{"userevent": {"type": "Other"}, "type": "StasisStart"}'
    assert is_any_of(nested, wanted)
    assert is_any_of("not json at all", wanted)  # decoded, and reported as malformed
