"""Driver steps that make the simulator live through each recorded AMI scenario.

The recorded AMI actions are replayed from ``ami-<scenario>.sent.raw`` in order (``Act``);
the other steps play what SIPp did in the lab (the READMEs and sipp-*-stdout.log say how:
``-d 3000`` = the caller hangs up 3 s after the answer, ``-sn uas`` = a phone that answers at
once, ``uas_ring_noanswer.xml`` = rings until cancelled, ``uas_busy.xml`` = 486, no SIPp =
nobody listens).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pbxsim.model.objects import PhoneMode


@dataclass(frozen=True)
class Act:
    """Send the next recorded action and wait for its response (or its list's last item)."""


@dataclass(frozen=True)
class Phone:
    endpoint: str
    mode: PhoneMode  # answer, busy, noanswer, unreachable
    answer_after: float = 0.0


@dataclass(frozen=True)
class Dial:
    """A SIPp caller (From user ``sipp``) dials ``exten`` through the trunk."""

    exten: str


@dataclass(frozen=True)
class Until:
    """Wait until the simulator has sent the ``n``-th message called ``name`` (counting only
    those with every header in ``where``)."""

    name: str
    n: int = 1
    where: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Sleep:
    seconds: float  # simulated seconds


@dataclass(frozen=True)
class CallerHangsUp:
    """The last caller sends BYE."""


@dataclass(frozen=True)
class Register:
    endpoint: str
    uri: str
    expires: int


@dataclass(frozen=True)
class Unregister:
    endpoint: str


@dataclass(frozen=True)
class StopsAnsweringOptions:
    endpoint: str


@dataclass(frozen=True)
class Cached:
    """What Asterisk's device-state cache held for ``device`` when the recording started: a
    state carried over from earlier calls, or nothing (``None``: Asterisk had just started and
    app_queue had not yet published ``Queue:<q>_avail``, so its first evaluation is published
    whatever it finds)."""

    device: str
    state: str | None


@dataclass(frozen=True)
class Restart:
    """``core restart now``."""


Step = (
    Act
    | Phone
    | Dial
    | Until
    | Sleep
    | CallerHangsUp
    | Register
    | Unregister
    | StopsAnsweringOptions
    | Cached
    | Restart
)


@dataclass(frozen=True)
class Scenario:
    name: str  # recordings*/ami-<name>.raw
    steps: tuple[Step, ...]
    # recorded messages the comparison leaves out, with the reason (a set of message names)
    skip: frozenset[str] = field(default_factory=frozenset)
    why_skip: str = ""
    # recorded actions not replayed (their answers are left out of the comparison too)
    skip_actions: frozenset[str] = field(default_factory=frozenset)
    no_local: bool = False  # leave out messages about Local channels (not simulated)
    # what the simulator's model still does differently (the test is then xfail, strict)
    model_gaps: str = ""


HN03 = "sip:hn-03@127.0.0.1:5075"
TRUNK_FREE = Until(
    "Event:DeviceStateChange", where=(("Device", "PJSIP/trunk"), ("State", "UNAVAILABLE"))
)
NO_RTP = frozenset({"Event:RTCPSent"})

WAITING = Until("Event:Newexten", where=(("Application", "Wait"),))

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "actions",
        (
            Act(),  # Login
            Phone("hn-01", "answer"),
            Phone("hn-02", "busy"),
            *(Act() for _ in range(15)),  # Ping ... QueueRemove x2 (PJSIPShowEndpoint left out)
            Act(),  # Originate PJSIP/hn-01 -> lab-local,wait
            WAITING,
            Act(),  # CoreShowChannels
            Act(),  # Status
            Until("Event:QueueMemberStatus", 3),
            Act(),  # Originate Local/wait@lab-local, Application Wait 1
            Until("Event:DeviceStateChange", 4, where=(("Device", "Local/wait@lab-local"),)),
            Act(),  # Originate PJSIP/hn-02: busy
            Until("Event:Hangup", where=(("Cause", "17"),)),
            Act(),  # Originate Local/wait@lab-local, synchronous
            Until("Event:DeviceStateChange", 8, where=(("Device", "Local/wait@lab-local"),)),
            Act(),  # Ping
            Act(),  # Logoff
        ),
        skip=NO_RTP,
        why_skip="no RTP in the simulator, so no RTCP reports",
        skip_actions=frozenset({"pjsipshowendpoint-9"}),
    ),
    Scenario(
        "queue-call",
        (
            # the first call after Asterisk started (asterisk-full.log: Ready at 20:59:16, this
            # recording at 20:59:30)
            Cached("Queue:hanoi_avail", None),
            Act(),  # Login
            Phone("hn-01", "answer"),
            Phone("hn-02", "unreachable"),
            Dial("1801"),
            Until("Event:BridgeEnter", 2),
            Sleep(3.0),
            CallerHangsUp(),
            TRUNK_FREE,
            Until("Event:QueueMemberStatus", 3),
            Act(),  # Logoff
        ),
        skip=NO_RTP,
        why_skip="no RTP in the simulator, so no RTCP reports",
    ),
    Scenario(
        "stasis-no-client",
        (
            Act(),
            Phone("hn-01", "answer"),
            Phone("hn-02", "unreachable"),
            Dial("1800"),
            Until("Event:BridgeEnter", 2),
            Sleep(3.0),
            CallerHangsUp(),
            TRUNK_FREE,
            Until("Event:QueueMemberStatus", 3),
            Act(),
        ),
        skip=NO_RTP,
        why_skip="no RTP in the simulator, so no RTCP reports",
    ),
    Scenario(
        "device-busy",
        (
            Act(),  # Login
            Act(),  # DeviceStateList
            Act(),  # ExtensionStateList
            Phone("hn-01", "answer"),
            Phone("hn-02", "noanswer"),
            Dial("1801"),
            Until("Event:BridgeEnter", 2),
            Act(),  # DeviceStateList
            Act(),  # ExtensionStateList
            Act(),  # QueueStatus
            Sleep(5.0),
            CallerHangsUp(),
            TRUNK_FREE,
            Until(
                "Event:DeviceStateChange", where=(("Device", "PJSIP/hn-01"), ("State", "NOT_INUSE"))
            ),
            Act(),  # DeviceStateList
            Act(),  # ExtensionStateList
            Act(),  # Originate PJSIP/hn-01 -> lab-local,wait
            WAITING,
            Act(),  # DeviceStateList
            Act(),  # ExtensionStateList
            Until(
                "Event:DeviceStateChange",
                2,
                where=(("Device", "PJSIP/hn-01"), ("State", "NOT_INUSE")),
            ),
            Act(),  # DeviceStateList
            Act(),  # ExtensionStateList
            Act(),  # Logoff
        ),
        skip=NO_RTP,
        why_skip="no RTP in the simulator, so no RTCP reports",
    ),
    Scenario(
        "device-busy-stale-app",
        (
            # left INUSE by calls between ami-device-busy and this recording (its first
            # DeviceStateList shows them so while every member is NOT_INUSE)
            Cached("Queue:hanoi_avail", "INUSE"),
            Cached("Queue:q1_avail", "INUSE"),
            Act(),  # Login
            Act(),  # DeviceStateList
            Act(),  # ExtensionStateList
            Phone("hn-01", "answer"),
            Phone("hn-02", "noanswer"),
            Dial("1801"),
            Until("Event:BridgeEnter", 2),
            Act(),  # DeviceStateList
            Act(),  # ExtensionStateList
            Act(),  # QueueStatus
            Sleep(5.0),
            CallerHangsUp(),
            TRUNK_FREE,
            Until(
                "Event:DeviceStateChange", where=(("Device", "PJSIP/hn-01"), ("State", "NOT_INUSE"))
            ),
            Act(),  # DeviceStateList
            Act(),  # ExtensionStateList
            Act(),  # Originate PJSIP/hn-01 -> lab-local,wait
            WAITING,
            Act(),  # DeviceStateList
            Act(),  # ExtensionStateList
            Until(
                "Event:DeviceStateChange",
                2,
                where=(("Device", "PJSIP/hn-01"), ("State", "NOT_INUSE")),
            ),
            Act(),  # DeviceStateList
            Act(),  # ExtensionStateList
            Act(),  # Logoff
        ),
        skip=NO_RTP,
        why_skip="no RTP in the simulator, so no RTCP reports",
    ),
    Scenario("stale-app", (Act(), Act())),
    Scenario("asterisk-restart", (Act(), Restart(), Until("Event:Shutdown"))),
    Scenario("asterisk-restart-reconnect", (Act(), Act())),
    Scenario(
        "registration",
        (
            Act(),  # Login
            Act(),  # PJSIPShowContacts: none
            Register("hn-03", HN03, 60),
            Until("Event:ExtensionStatus", 1),
            Act(),  # PJSIPShowContacts: Reachable
            Unregister("hn-03"),
            Until("Event:ExtensionStatus", 2),
            Act(),  # none
            Register("hn-03", HN03, 20),
            Until("Event:ExtensionStatus", 3),
            Act(),  # Reachable
            StopsAnsweringOptions("hn-03"),
            Until("Event:ContactStatus", 6),
            Act(),  # Unreachable
            Until("Event:ContactStatus", 7),  # Removed when the registration expires
            Act(),  # none
            Phone("hn-01", "unreachable"),
            Phone("hn-02", "unreachable"),
            Dial("1800"),  # no ARI client: Stasis fails, Queue(hanoi)
            Until("Event:AgentCalled", 2),
            Sleep(3.5),
            CallerHangsUp(),
            TRUNK_FREE,
            Act(),  # Logoff
        ),
        skip=NO_RTP,
        why_skip="no RTP in the simulator, so no RTCP reports",
    ),
)
