"""Contract: every ARI event in every recording parses into its own typed model, completely.

The recordings decide what is correct (tests/fixtures/asterisk/README.md). For each recorded
event: the model registered for its ``type`` is the one in ``EXPECTED`` (no generic fallback),
every field Asterisk sent is a declared field (nothing lands in ``model_extra``), and dumping the
model gives back exactly the recorded JSON (nothing dropped, no value changed).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from ari import events as ev
from ari.dedup import Deduplicator, event_key
from ari.events import UnknownEvent
from ari.parsing import EVENT_MODELS, MalformedFrameError, parse_event, parse_event_data
from tests.ari import recorded

EXPECTED: dict[str, type[ev.AriEvent]] = {
    "ApplicationReplaced": ev.ApplicationReplaced,
    "BridgeCreated": ev.BridgeCreated,
    "BridgeDestroyed": ev.BridgeDestroyed,
    "ChannelCallerId": ev.ChannelCallerId,
    "ChannelConnectedLine": ev.ChannelConnectedLine,
    "ChannelCreated": ev.ChannelCreated,
    "ChannelDestroyed": ev.ChannelDestroyed,
    "ChannelDialplan": ev.ChannelDialplan,
    "ChannelDtmfReceived": ev.ChannelDtmfReceived,
    "ChannelEnteredBridge": ev.ChannelEnteredBridge,
    "ChannelHangupRequest": ev.ChannelHangupRequest,
    "ChannelLeftBridge": ev.ChannelLeftBridge,
    "ChannelStateChange": ev.ChannelStateChange,
    "ChannelTransfer": ev.ChannelTransfer,
    "ChannelVarset": ev.ChannelVarset,
    "ContactStatusChange": ev.ContactStatusChange,
    "DeviceStateChanged": ev.DeviceStateChanged,
    "Dial": ev.Dial,
    "EndpointStateChange": ev.EndpointStateChange,
    "PeerStatusChange": ev.PeerStatusChange,
    "PlaybackContinuing": ev.PlaybackContinuing,
    "PlaybackFinished": ev.PlaybackFinished,
    "PlaybackStarted": ev.PlaybackStarted,
    "StasisEnd": ev.StasisEnd,
    "StasisStart": ev.StasisStart,
}

JSONL = recorded.jsonl_files()
WS_RAW = recorded.ws_raw_files()


def undeclared_fields(model: BaseModel, where: str = "") -> list[str]:
    """Paths of fields that were not declared on the model (kept only in model_extra)."""
    found = [f"{where}.{k}" for k in (model.model_extra or {})]
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, BaseModel):
                found += undeclared_fields(item, f"{where}.{name}")
    return found


def test_recordings_are_present() -> None:
    assert len(JSONL) >= 26, [p.name for p in JSONL]
    assert len(WS_RAW) >= 29


def test_every_recorded_event_type_has_its_own_model() -> None:
    seen = Counter(event["type"] for _, event in recorded.all_ws_events())
    missing = sorted(set(seen) - set(EXPECTED))
    assert not missing, f"event types recorded but not in EXPECTED (add a model): {missing}"
    for kind in seen:
        assert EVENT_MODELS[kind] is EXPECTED[kind]
        assert EXPECTED[kind] is not UnknownEvent


@pytest.mark.parametrize("path", JSONL, ids=recorded.file_id)
def test_recording_parses_completely(path: Path) -> None:
    recording = recorded.load(path)
    for raw in recording.ws_events():
        event = parse_event_data(raw)
        assert type(event) is EXPECTED[raw["type"]], raw["type"]
        assert undeclared_fields(event) == [], raw["type"]
        assert event.model_dump(mode="json", exclude_unset=True) == raw
        assert event.application == raw["application"]
        assert event.asterisk_id == raw["asterisk_id"]


@pytest.mark.parametrize("path", WS_RAW, ids=recorded.file_id)
def test_raw_frames_parse_like_the_transcript(path: Path) -> None:
    """The verbatim WebSocket frames go through the same parser as the live stream."""
    frames = recorded.ws_raw_frames(path)
    parsed = [parse_event(frame) for frame in frames]
    recording = recorded.load(recorded.jsonl_for_ws_raw(path))
    dumped = [e.model_dump(mode="json", exclude_unset=True) for e in parsed]
    assert dumped in list(recording.events_by_conn.values()) or (not frames)
    assert all(type(e) is EXPECTED[e.type] for e in parsed)


def _values(path: Path, kind: str, attr: Any) -> list[Any]:
    out = []
    for raw in recorded.load(path).ws_events():
        if raw["type"] == kind:
            out.append(attr(parse_event_data(raw)))
    return out


def rec(name: str) -> Path:
    matches = [p for p in JSONL if p.name == f"ari-{name}.jsonl"]
    assert matches, name
    return matches[0]


def test_channel_fields_read_from_every_channel_event() -> None:
    checked = 0
    for _, raw in recorded.all_ws_events():
        event = parse_event_data(raw)
        channel = getattr(event, "channel", None)
        if channel is None:
            continue
        src = raw["channel"]
        assert channel.id == src["id"]
        assert channel.state == src["state"]
        assert channel.caller.number == src["caller"]["number"]
        assert channel.connected.number == src["connected"]["number"]
        assert channel.dialplan.context == src["dialplan"]["context"]
        assert channel.dialplan.exten == src["dialplan"]["exten"]
        assert channel.dialplan.priority == src["dialplan"]["priority"]
        assert channel.creationtime.tzinfo is not None
        checked += 1
    assert checked > 1000


def test_ivr_dtmf_digits_and_durations() -> None:
    digits = _values(rec("ivr-dtmf"), "ChannelDtmfReceived", lambda e: (e.digit, e.duration_ms))
    assert digits
    assert {d for _, d in digits} == {250}
    assert all(len(d) == 1 and d in "0123456789*#" for d, _ in digits)


def test_stasis_start_args_and_dialplan_of_the_caller() -> None:
    starts = _values(rec("ivr-dtmf"), "StasisStart", lambda e: e)
    assert starts[0].args == ("ivr",)
    assert starts[0].channel.dialplan.context == "from-trunk"
    assert starts[0].channel.dialplan.exten == "1810"
    assert starts[0].channel.caller.number == "sipp"
    snoop_args = _values(rec("snoop"), "StasisStart", lambda e: e.args)
    assert ("snoop", "listen") in snoop_args
    assert ("snoop", "whisper") in snoop_args
    assert any(a[:1] == ("agent",) for a in snoop_args)


def test_failed_originate_causes() -> None:
    destroyed = _values(
        rec("failed-originate"), "ChannelDestroyed", lambda e: (e.channel.id, e.cause, e.tech_cause)
    )
    by_id = {cid: (cause, tech) for cid, cause, tech in destroyed}
    busy = [v for k, v in by_id.items() if "busy" in k]
    noanswer = [v for k, v in by_id.items() if "noanswer" in k or "nolistener" in k]
    assert busy == [(17, 486)]
    assert noanswer and all(v == (19, 480) for v in noanswer)
    assert any(v == (16, None) for v in by_id.values())


def test_redirect_before_answer_is_cause_23_tech_302() -> None:
    path = rec("redirect-ringing")
    hangups = _values(path, "ChannelHangupRequest", lambda e: (e.cause, e.tech_cause, e.soft))
    assert hangups[0][:2] == (23, 302)
    destroyed = _values(path, "ChannelDestroyed", lambda e: (e.cause, e.cause_txt, e.tech_cause))
    assert destroyed == [(23, "Redirected to new destination", 302)]


def test_remote_bye_has_no_cause_field() -> None:
    requests = _values(rec("transfer-redirect"), "ChannelHangupRequest", lambda e: e)
    assert any(e.cause is None and e.soft is None for e in requests)


def test_bridge_ids_match_the_created_bridge() -> None:
    recording = recorded.load(rec("transfer-blind"))
    created = [
        resp["body"]["id"]
        for req, resp in recording.rest_pairs()
        if req["method"] == "POST" and req["path"] == "/ari/bridges"
    ]
    entered = [
        parse_event_data(r) for r in recording.ws_events() if r["type"] == "ChannelEnteredBridge"
    ]
    assert created and entered
    assert {e.bridge.id for e in entered} == set(created)
    assert all(isinstance(e, ev.ChannelEnteredBridge) and e.channel is not None for e in entered)


def test_media_list_is_one_playback_id_with_continuing_states() -> None:
    recording = recorded.load(rec("ivr-dtmf"))
    playbacks = [
        parse_event_data(r) for r in recording.ws_events() if r["type"].startswith("Playback")
    ]
    requested = {
        req["query"]["playbackId"]
        for req, _ in recording.rest_pairs()
        if req["path"].endswith("/play")
    }
    assert {p.playback.id for p in playbacks} <= requested  # type: ignore[attr-defined]
    states = {(p.type, p.playback.state) for p in playbacks}  # type: ignore[attr-defined]
    assert ("PlaybackStarted", "playing") in states
    assert ("PlaybackContinuing", "continuing") in states
    assert ("PlaybackFinished", "done") in states


def test_registration_endpoint_contact_peer_and_device_states() -> None:
    path = rec("registration")
    assert _values(path, "EndpointStateChange", lambda e: (e.endpoint.resource, e.endpoint.state))[
        :2
    ] == [("hn-03", "online"), ("hn-03", "offline")]
    contacts = _values(path, "ContactStatusChange", lambda e: e.contact_info.contact_status)
    assert contacts[:2] == ["NonQualified", "Reachable"]
    assert "Removed" in contacts and "Unreachable" in contacts
    peers = _values(path, "PeerStatusChange", lambda e: e.peer.peer_status)
    assert set(peers) == {"Reachable", "Unreachable"}
    devices = _values(
        path, "DeviceStateChanged", lambda e: (e.device_state.name, e.device_state.state)
    )
    assert ("PJSIP/hn-03", "NOT_INUSE") in devices
    assert ("PJSIP/hn-03", "UNAVAILABLE") in devices


def test_busy_counsellor_device_state_sequence() -> None:
    states = _values(
        rec("device-busy"),
        "DeviceStateChanged",
        lambda e: (e.device_state.name, e.device_state.state),
    )
    hn01 = [s for name, s in states if name == "PJSIP/hn-01"]
    assert hn01[:3] == ["RINGING", "INUSE", "NOT_INUSE"]


def test_variables_and_stasis_status() -> None:
    varsets = _values(rec("continue-to-fallback"), "ChannelVarset", lambda e: (e.variable, e.value))
    assert ("STASISSTATUS", "SUCCESS") in varsets


def test_channel_transfer_fields() -> None:
    transfers = _values(rec("transfer-phone-refer-ari-only"), "ChannelTransfer", lambda e: e)
    assert [t.state for t in transfers] == [None, "channel_progress", "channel_answered"]
    first = transfers[0]
    assert first.refer_to.requested_destination.destination == "dn-01"
    assert first.referred_by.source_channel.id.startswith("agent-hn01-")
    assert first.referred_by.connected_channel is not None
    assert first.referred_by.bridge is not None


def test_application_replaced_is_typed() -> None:
    replaced = _values(rec("app-replaced"), "ApplicationReplaced", lambda e: e)
    assert len(replaced) == 1
    assert replaced[0].application == "hotline"
    assert replaced[0].asterisk_id == "02:fc:00:00:00:01"


def test_dial_statuses() -> None:
    assert _values(rec("bridged-call"), "Dial", lambda e: e.dialstatus) == ["", "RINGING", "ANSWER"]
    # a timed-out originate gives no final Dial (README fact 1): only "" and RINGING for it
    assert _values(rec("failed-originate"), "Dial", lambda e: e.dialstatus) == [
        "",
        "BUSY",
        "",
        "",
        "RINGING",
    ]


@pytest.mark.parametrize("path", WS_RAW, ids=recorded.file_id)
def test_byte_identical_duplicates_share_an_identity_key(path: Path) -> None:
    frames = recorded.ws_raw_frames(path)
    duplicates = len(frames) - len(set(frames))
    keys = [event_key(parse_event(f)) for f in frames]
    assert len(keys) - len(set(keys)) == duplicates
    window = Deduplicator(window=max(1, len(frames)))
    assert sum(window.seen(k) for k in keys) == duplicates


def test_duplicates_exist_in_the_recordings() -> None:
    """Facts 16/17: if no recording had duplicates, the test above would prove nothing."""
    total = 0
    for path in WS_RAW:
        frames = recorded.ws_raw_frames(path)
        total += len(frames) - len(set(frames))
    assert total >= 10


def test_unknown_type_becomes_generic_and_keeps_every_field() -> None:
    frame = json.dumps(
        {
            "type": "ChannelFutureThing",
            "application": "hotline",
            "timestamp": "2026-11-22T21:42:52.492+0000",
            "asterisk_id": "x",
            "novel": {"a": [1, 2]},
        }
    )
    event = parse_event(frame)
    assert type(event) is UnknownEvent
    assert event.model_extra == {"novel": {"a": [1, 2]}}
    assert event.model_dump(mode="json", exclude_unset=True) == json.loads(frame)


def test_known_type_with_a_bad_body_becomes_generic_not_an_exception() -> None:
    event = parse_event(json.dumps({"type": "StasisStart", "application": "hotline"}))
    assert type(event) is UnknownEvent
    assert event.type == "StasisStart"


@pytest.mark.parametrize(
    "frame", ["", "not json", "[1,2]", '{"no":"type"}', b"\xff\xfe", '{"type": 5}', '{"type": "X"}']
)
def test_malformed_frames_raise_one_clear_error(frame: str | bytes) -> None:
    with pytest.raises(MalformedFrameError):
        parse_event(frame)


def test_a_nested_type_key_does_not_confuse_the_parser() -> None:
    frame = (
        '{"userevent": {"type": "StasisEnd"}, "eventname": "x", "type": "ChannelUserevent",'
        ' "application": "hotline", "timestamp": "2026-11-22T21:42:52.492+0000"}'
    )
    event = parse_event(frame)
    assert isinstance(event, ev.ChannelUserevent)
    assert event.userevent == {"type": "StasisEnd"}
