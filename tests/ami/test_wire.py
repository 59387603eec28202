"""AMI framing: whole messages out of any chunking, clear errors for what is not AMI."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter import ami
from callcenter.ami import wire
from callcenter.ami.convert import AmiConversionError, to_event

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
NAME = "Nguyễn Thị Hoa"
EVENT = (
    "Event: Newchannel\r\nChannel: PJSIP/trunk-00000001\r\nCallerIDName: "
    f"{NAME}\r\nUniqueid: 1.1\r\nAccountCode: \r\n\r\n"
).encode()


def test_a_message_cut_at_every_byte_is_read_whole() -> None:
    stream = BANNER + EVENT
    for cut in range(1, len(stream)):
        framer = wire.AmiFramer()
        items = framer.feed(stream[:cut]) + framer.feed(stream[cut:])
        assert len(items) == 1, cut
        message = items[0]
        assert isinstance(message, wire.AmiMessage)
        assert message.get("CallerIDName") == NAME
        assert message.get("AccountCode") == ""  # empty last-but-one value kept
        assert framer.banner == "Asterisk Call Manager/11.0.0"


def test_not_ami_becomes_a_malformed_message_and_the_next_one_is_read() -> None:
    framer = wire.AmiFramer()
    items = framer.feed(
        BANNER
        + b"hello\r\n\r\n"
        + b"Foo: bar\r\n\r\n"
        + b"Event: X\r\nno colon here\r\n\r\n"
        + b"Event: Bad\r\nName: \xff\xfe\r\n\r\n"
        + EVENT
    )
    reasons = [i.reason for i in items if isinstance(i, wire.MalformedMessage)]
    assert len(reasons) == 4
    assert "not Event or Response" in reasons[1]
    assert "line without ':'" in reasons[2]
    assert "not UTF-8" in reasons[3]
    assert isinstance(items[-1], wire.AmiMessage) and items[-1].event == "Newchannel"


def test_a_message_that_never_ends_is_reported_not_kept_forever() -> None:
    framer = wire.AmiFramer()
    items = framer.feed(BANNER + b"Event: X\r\n" + b"A: b\r\n" * (wire.MAX_MESSAGE_BYTES // 6))
    assert len(items) == 1 and isinstance(items[0], wire.MalformedMessage)
    assert framer.pending == b""


def test_command_output_body_is_kept() -> None:
    framer = wire.AmiFramer(expect_banner=False)
    (message,) = framer.feed(b"Response: Follows\r\nActionID: c-1\r\nsome output\r\n\r\n")
    assert isinstance(message, wire.AmiMessage) and message.body == ("some output",)


def test_repeated_headers_are_all_kept() -> None:
    framer = wire.AmiFramer(expect_banner=False)
    (message,) = framer.feed(b"Event: X\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n")
    assert isinstance(message, wire.AmiMessage)
    assert message.get_all("variable") == ["A=1", "B=2"]
    assert message.as_dict()["Variable"] == ["A=1", "B=2"]


def test_known_event_missing_a_needed_field_is_a_clear_error() -> None:
    framer = wire.AmiFramer(expect_banner=False)
    (message,) = framer.feed(b"Event: DeviceStateChange\r\nDevice: PJSIP/hn-01\r\n\r\n")
    assert isinstance(message, wire.AmiMessage)
    with pytest.raises(AmiConversionError, match=r"DeviceStateChanged.*state"):
        to_event(message, "n", datetime(2026, 1, 1, tzinfo=UTC))


def test_unknown_states_do_not_crash() -> None:
    event = ami.DeviceStateChanged(
        node="n", received_at=datetime(2026, 1, 1, tzinfo=UTC), device="PJSIP/x", state="WEIRD"
    )
    assert event.device_state is ami.DeviceState.UNKNOWN and not event.busy
