"""Event orders the recordings themselves show both ways (threads racing in Asterisk).

Each ``Race`` names the messages of two runs of events (``one`` and ``other``, each message by
its event name and identifying headers: the channel's endpoint, DialStatus, ChannelStateDesc,
Variable, ...) and the recordings that show every message of ``one`` before every message of
``other`` (``one_first``) and the other way round (``other_first``). ``test_races.py`` checks
each entry against the recordings it cites and refuses it unless both orders are found, so the
table can only excuse an order a recording shows.

The comparison (``reorder.reorder_like``) accepts a simulated message sequence that differs
from the recorded one only by swapping messages that form a tabled pair: a message of ``one``
and a message of ``other`` of the same race may change places relative to each other; every
other pair of messages keeps its recorded order.
"""

from __future__ import annotations

from tests.pbxsim.ami.reorder import Msg, Race, msg


def _ringing(endpoint: str) -> tuple[Msg, ...]:
    """What a leg's 180 Ringing causes on its own channel."""
    return (
        msg("Newstate", Channel=f"PJSIP/{endpoint}", ChannelStateDesc="Ringing"),
        msg("Newexten", Channel=f"PJSIP/{endpoint}", Application="AppQueue"),
        msg("NewConnectedLine", Channel=f"PJSIP/{endpoint}", ChannelStateDesc="Ringing"),
    )


def _dial_ringing(endpoint: str) -> Msg:
    return msg("DialState", DestChannel=f"PJSIP/{endpoint}", DialStatus="RINGING")


TRUNK = "PJSIP/trunk"
RTPQOS = msg("VarSet", Channel="PJSIP/hn-01", Variable="RTPAUDIOQOS*")
BRIDGE_VARS = tuple(
    msg("VarSet", Channel=c, Variable=v)
    for c in ("PJSIP/hn-01", TRUNK)
    for v in ("BRIDGEPEER", "BRIDGEPVTCALLID")
)

RACES: tuple[Race, ...] = (
    # chan_pjsip handles a leg's 180 on the leg's serializer while the dialler (app_queue,
    # app_dial, ARI's dial, an AMI Originate) is still publishing what it did
    Race(
        "the dialler's DialState RINGING vs the hn-01 leg's own 180 Newstate",
        (_dial_ringing("hn-01"),),
        _ringing("hn-01")[:1],
        ("actions", "queue-call", "transfer-blind"),
        ("device-busy", "continue-to-fallback", "transfer-phone-refer-ari-only", "snoop"),
    ),
    Race(
        "a queue's DialState RINGING vs the hn-01 leg's AppQueue and connected line at 180",
        (_dial_ringing("hn-01"),),
        _ringing("hn-01")[1:],
        ("queue-call",),
        ("device-busy", "continue-to-fallback"),
    ),
    Race(
        "the dialler's DialState RINGING vs the dn-01 leg's 180 Newstate",
        (_dial_ringing("dn-01"),),
        _ringing("dn-01")[:1],
        ("transfer-blind",),
        ("transfer-phone-refer-ari-only",),
    ),
    Race(
        "an originate's or ARI dial's DialBegin vs the hn-01 leg's 180 Newstate",
        (msg("DialBegin", DestChannel="PJSIP/hn-01"),),
        _ringing("hn-01")[:1],
        ("actions", "transfer-blind"),
        ("snoop", "ws-drop-while-bridged"),
    ),
    Race(
        "hn-02's 180 vs app_queue creating the next member's leg (hn-01)",
        _ringing("hn-02"),
        (
            msg("Newchannel", Channel="PJSIP/hn-01"),
            msg("VarSet", Channel="PJSIP/hn-01", Variable="DIALEDPEERNUMBER"),
        ),
        ("device-busy",),
        ("continue-to-fallback",),
    ),
    Race(
        "app_queue's AgentCalled and DialBegin for hn-02 vs hn-02's own 180",
        (
            msg("AgentCalled", DestChannel="PJSIP/hn-02"),
            msg("DialBegin", DestChannel="PJSIP/hn-02"),
        ),
        _ringing("hn-02"),
        ("device-busy", "continue-to-fallback"),
        ("device-busy-stale-app",),
    ),
    Race(
        "app_queue's DialState RINGING for hn-02 vs hn-01's 180 and its DialState",
        (_dial_ringing("hn-02"),),
        (*_ringing("hn-01"), _dial_ringing("hn-01")),
        ("device-busy", "device-busy-stale-app"),
        ("continue-to-fallback",),
    ),
    # the cancelled leg hangs up on its own thread while app_queue finishes the caller's side
    Race(
        "the cancelled hn-02 leg's Hangup vs the caller leaving the queue",
        (
            msg("Hangup", Channel="PJSIP/hn-02", Cause="26"),
            msg("NewConnectedLine", Channel="PJSIP/hn-02", ChannelStateDesc="Down"),
        ),
        (
            msg("MusicOnHoldStop", Channel=TRUNK),
            msg("QueueCallerLeave", Channel=TRUNK),
            *(
                msg("VarSet", Channel=TRUNK, Variable=v)
                for v in ("QUEUEPOSITION", "QUEUEWAIT", "QUEUEWAIT_MS")
            ),
            msg("AgentConnect", DestChannel="PJSIP/hn-01"),
        ),
        ("queue-call",),
        ("stasis-no-client",),
    ),
    Race(
        "the cancelled hn-02 leg's Hangup vs the basic bridge's creation",
        (msg("Hangup", Channel="PJSIP/hn-02", Cause="26"),),
        (msg("BridgeCreate"),),
        ("device-busy", "queue-call"),
        ("continue-to-fallback",),
    ),
    # after the caller's BYE: the caller's thread (h extension, Hangup) and the agent's
    # (leaving the bridge, RTP statistics) run side by side
    Race(
        "the caller's Hangup vs hn-01 leaving the bridge",
        (msg("Hangup", Channel=TRUNK, Cause="16"),),
        (msg("BridgeLeave", Channel="PJSIP/hn-01"), RTPQOS, msg("BridgeDestroy")),
        ("stasis-no-client",),
        ("queue-call", "device-busy"),
    ),
    Race(
        "the bridge's destruction vs hn-01's RTP statistics",
        (msg("BridgeDestroy"),),
        (RTPQOS,),
        ("queue-call", "device-busy"),
        ("stasis-no-client", "snoop"),
    ),
    Race(
        "the caller's times, hang-up request and h extension vs hn-01 leaving the bridge",
        (
            *(
                msg("VarSet", Channel=TRUNK, Variable=v)
                for v in ("ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS")
            ),
            msg("SoftHangupRequest", Channel=TRUNK, Cause="16"),
            msg("Newexten", Channel=TRUNK, Application="NoOp"),
        ),
        (msg("BridgeLeave", Channel="PJSIP/hn-01"), msg("BridgeDestroy"), RTPQOS),
        ("device-busy", "queue-call"),
        ("device-busy-stale-app",),
    ),
    Race(
        "the caller's h extension and Hangup vs hn-01's Hangup",
        (
            msg("Newexten", Channel=TRUNK, Application="NoOp"),
            msg("Hangup", Channel=TRUNK, Cause="16"),
        ),
        (msg("Hangup", Channel="PJSIP/hn-01", Cause="16"),),
        ("device-busy", "queue-call"),
        ("device-busy-stale-app",),
    ),
    # a bridge's membership change updates both sides' connected line (fact 16's repeats)
    Race(
        "hn-01's connected line vs the caller's, and the bridge variables, when bridged",
        (msg("NewConnectedLine", Channel="PJSIP/hn-01", ChannelStateDesc="Up"),),
        (msg("NewConnectedLine", Channel=TRUNK, ChannelStateDesc="Up"), *BRIDGE_VARS),
        ("transfer-blind",),
        ("snoop",),
    ),
    Race(
        "the caller's connected line vs the bridge variables, when bridged",
        (msg("NewConnectedLine", Channel=TRUNK, ChannelStateDesc="Up"),),
        BRIDGE_VARS,
        ("snoop",),
        ("transfer-blind",),
    ),
    Race(
        "the snoop channel entering Stasis and hanging up vs the bridge variables",
        (
            msg("Newexten", Channel="Snoop/*", Application="Stasis"),
            msg("VarSet", Channel="Snoop/*", Variable="STASISSTATUS"),
            msg("Hangup", Channel="Snoop/*"),
        ),
        BRIDGE_VARS,
        ("snoop-with-rtp",),
        ("snoop-with-rtp",),
        same_call=False,
    ),
)
