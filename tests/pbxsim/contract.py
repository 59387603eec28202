"""Replay a recorded ARI scenario against the simulator and compare what comes back.

The driver plays the parts of the recorder (its REST requests and WebSocket connections,
taken from the recording) and of SIPp (callers and phones). What SIPp did is read from the
recording's own evidence: a trunk channel appearing = a caller dialled (its exten and caller
id), Dial statuses of a counsellor leg = how that phone answered (ANSWER / BUSY / ringing only /
silence), a ChannelHangupRequest without cause = that side sent BYE, ChannelDtmfReceived = a
SIP INFO digit, ContactStatusChange = REGISTER / unREGISTER / OPTIONS unanswered. Things that
left no event (a caller hanging up while no WebSocket was connected, an AMI Originate, a CLI
restart) are read from the recorder's notes. The simulator is never shown the recording.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

from pbxsim.model import PhoneBehaviour, control, dialing
from pbxsim.model import happenings as h
from pbxsim.model.objects import Channel
from pbxsim.model.pbx import Pbx
from pbxsim.server import Simulator

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "asterisk"
LAB_ETC = FIXTURES / "lab-etc"
LOOSE_TYPES = {"ChannelVarset", "DeviceStateChanged"}
WAIT_CAP = 5.0  # real seconds to wait for the simulator to catch up with the recording


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def shape(value: Any) -> Any:
    """Keys and value types, values aside (lists: the shape of their first element)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def same_shape(recorded: Any, simulated: Any) -> bool:
    if isinstance(recorded, list) and isinstance(simulated, list):
        if not recorded or not simulated:
            return True  # an empty list has no element shape to compare
        return same_shape(recorded[0], simulated[0])
    if isinstance(recorded, dict) and isinstance(simulated, dict):
        if set(recorded) != set(simulated):
            return False
        return all(same_shape(recorded[k], simulated[k]) for k in recorded)
    return bool(shape(recorded) == shape(simulated))


def _channel_key(name: str) -> str:
    return re.sub(r"-[0-9a-f]{8}$", "", name)


def _walk_channels(obj: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(obj, dict):
        if (
            isinstance(obj.get("id"), str)
            and isinstance(obj.get("name"), str)
            and "/" in obj["name"]
            and "protocol_id" in obj
        ):
            out.append((obj["id"], obj["name"]))
        for v in obj.values():
            _walk_channels(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _walk_channels(v, out)


@dataclass
class IdMap:
    """Recorded id -> simulator id, by (endpoint, ordinal) for channels, ordinal for bridges."""

    rec_channels: dict[str, tuple[str, int]] = field(default_factory=dict)
    sim_channels: dict[tuple[str, int], str] = field(default_factory=dict)
    sim_seen: Counter[str] = field(default_factory=Counter)
    rec_bridges: list[str] = field(default_factory=list)
    sim_bridges: list[str] = field(default_factory=list)

    def learn_recording(self, records: list[dict[str, Any]]) -> None:
        seen: Counter[str] = Counter()
        for r in records:
            payload = r.get("event") if r["kind"] == "ws_event" else r.get("body")
            found: list[tuple[str, str]] = []
            _walk_channels(payload, found)
            for cid, name in found:
                if cid not in self.rec_channels:
                    key = _channel_key(name)
                    self.rec_channels[cid] = (key, seen[key])
                    seen[key] += 1
            for bid in _bridge_ids(payload):
                if bid not in self.rec_bridges:
                    self.rec_bridges.append(bid)

    def on_happening(self, hap: h.Happening) -> None:
        if isinstance(hap, h.ChannelCreated):
            key = _channel_key(hap.channel.name)
            self.sim_channels[(key, self.sim_seen[key])] = hap.channel.id
            self.sim_seen[key] += 1
        elif isinstance(hap, h.BridgeCreated) and hap.bridge.id not in self.sim_bridges:
            self.sim_bridges.append(hap.bridge.id)

    def translate(self, text: str) -> str:
        for rid, key in sorted(self.rec_channels.items(), key=lambda kv: -len(kv[0])):
            sid = self.sim_channels.get(key)
            if sid is not None and rid in text:
                text = text.replace(rid, sid)
        for i, rid in enumerate(self.rec_bridges):
            if rid in text and i < len(self.sim_bridges):
                text = text.replace(rid, self.sim_bridges[i])
        return text


def _bridge_ids(obj: Any) -> list[str]:
    out: list[str] = []
    if isinstance(obj, dict):
        if "bridge_type" in obj and isinstance(obj.get("id"), str):
            out.append(obj["id"])
        for v in obj.values():
            out.extend(_bridge_ids(v))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(_bridge_ids(v))
    return out


@dataclass
class Socket:
    name: str
    ws: Any
    events: list[dict[str, Any]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None


@dataclass
class Result:
    scenario: str
    recorded: dict[str, list[str]]
    simulated: dict[str, list[str]]
    shape_errors: list[str]
    rest_errors: list[str]
    recorded_by_channel: dict[str, list[str]] = field(default_factory=dict)
    simulated_by_channel: dict[str, list[str]] = field(default_factory=dict)

    def per_channel_errors(self) -> list[str]:
        """Each channel's own events in the recorded order (DeviceStateChanged aside)."""
        errors = []
        for key, rec in self.recorded_by_channel.items():
            sim = self.simulated_by_channel.get(key, [])
            if normalized(rec) != normalized(sim):
                errors.append(f"{key}: recorded {rec} != simulated {sim}")
        return errors

    def order_errors(self, loose: bool = False) -> list[str]:
        errors = []
        for conn, rec in self.recorded.items():
            sim = self.simulated.get(conn, [])
            if loose:
                rec = [t for t in rec if t not in LOOSE_TYPES]
                sim = [t for t in sim if t not in LOOSE_TYPES]
            rec, sim = normalized(rec), normalized(sim)
            if rec != sim:
                errors.append(f"{conn}: recorded {rec} != simulated {sim}")
        return errors

    def multiset_errors(self) -> list[str]:
        errors = []
        for conn, rec in self.recorded.items():
            sim = self.simulated.get(conn, [])
            if Counter(rec) != Counter(sim):
                errors.append(
                    f"{conn}: {Counter(rec) - Counter(sim)} missing, "
                    f"{Counter(sim) - Counter(rec)} extra"
                )
        return errors


class Replay:
    """Drive one recorded scenario through a running :class:`Simulator`."""

    def __init__(
        self, sim: Simulator, records: list[dict[str, Any]], scenario: str, setup: bool = True
    ) -> None:
        """``setup=False``: the lab's state (SETUP) is already there (several runs in a row)."""
        self.sim = sim
        self.records = records
        self.scenario = scenario
        self.ids = IdMap()
        self.ids.learn_recording(records)
        self.sockets: dict[str, Socket] = {}
        self.expected: dict[str, Counter[str]] = {}
        self.phone_plan: dict[str, list[str]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.rest_errors: list[str] = []
        self.actions = self._derive_actions()
        self.client = httpx.AsyncClient(auth=("lab", "lab"), timeout=10.0)
        self.unsubscribe = sim.pbx.subscribe(self._on_happening)
        for name in sim.pbx.endpoints:  # the SIPp phones act as the recording shows
            sim.pbx.set_phone(name, PhoneBehaviour(mode="manual", ring=False))
        for step in SETUP.get(scenario, []) if setup else []:
            self._setup(step)

    # ------------------------------------------------------------ SIPp's part, from evidence

    def _derive_actions(self) -> dict[int, list[tuple[str, Any]]]:
        """index of a record -> actions to perform just before it."""
        actions: dict[int, list[tuple[str, Any]]] = {}
        seen_channels: set[str] = set()
        referred: set[str] = set()
        legs: dict[str, list[str]] = {}
        leg_order: list[tuple[str, str]] = []
        expires = 60
        for i, r in enumerate(self.records):
            if r["kind"] == "note":
                m = re.search(r"REGISTERs[^(]*\(Expires (\d+)\)", r.get("text", ""))
                if m:
                    expires = int(m.group(1))
            if r["kind"] != "ws_event":
                continue
            e = r["event"]
            ch = e.get("channel") or {}
            cid = ch.get("id")
            if cid and cid not in seen_channels:
                seen_channels.add(cid)
                if ch["name"].startswith("PJSIP/trunk"):
                    actions.setdefault(i, []).append(("call", ch))
            if e["type"] == "Dial":
                peer = e["peer"]
                if peer["id"] not in legs:
                    legs[peer["id"]] = []
                    leg_order.append((peer["id"], _channel_key(peer["name"]).split("/", 1)[1]))
                legs[peer["id"]].append(e["dialstatus"])
            hard_16 = e.get("cause") == 16 and "soft" not in e and "tech_cause" not in e
            if e["type"] == "ChannelTransfer":
                referred.add(e["referred_by"]["source_channel"]["id"])
            bye_after_refer = hard_16 and cid in referred
            if (
                e["type"] == "ChannelHangupRequest"
                and ("cause" not in e or bye_after_refer)
                and cid
            ):
                j = i
                while (
                    j > 0
                    and self.records[j - 1]["kind"] == "ws_event"
                    and self.records[j - 1]["event"].get("variable", "").startswith("RTPAUDIOQOS")
                ):
                    j -= 1
                actions.setdefault(j, []).append(("bye", cid))
            if e["type"] == "ChannelDtmfReceived" and cid:
                actions.setdefault(i, []).append(("dtmf", (cid, e["digit"])))
            if e["type"] == "ChannelTransfer" and "state" not in e:
                src = e["referred_by"]["source_channel"]["id"]
                actions.setdefault(i, []).append(
                    ("refer", (src, e["refer_to"]["requested_destination"]["destination"]))
                )
            if e["type"] == "ContactStatusChange":
                status = e["contact_info"]["contact_status"]
                res = e["endpoint"]["resource"]
                uri = e["contact_info"]["uri"]
                if status == "NonQualified":
                    actions.setdefault(i, []).append(("register", (res, uri, expires)))
                elif status == "Removed" and self._unregister_expected(i):
                    actions.setdefault(i, []).append(("unregister", res))
                elif status == "Unreachable":
                    pass  # qualify failure: scheduled at the note that starts the silent phone
        for leg_id, endpoint in leg_order:
            statuses = legs[leg_id]
            if "ANSWER" in statuses:
                plan = "answer"
            elif "BUSY" in statuses:
                plan = "busy"
            elif "RINGING" in statuses:
                plan = "noanswer"
            else:
                plan = "unreachable"
            self.phone_plan.setdefault(endpoint, []).append(plan)
        return actions

    def _unregister_expected(self, i: int) -> bool:
        """A Removed preceded by EndpointStateChange offline within the same burst = unREGISTER;
        a Removed alone (already Unreachable) = expiry, which the simulator does by itself."""
        prev = self.records[i - 1] if i > 0 else {}
        return prev.get("kind") == "ws_event" and prev["event"]["type"] == "PeerStatusChange"

    def _on_happening(self, hap: h.Happening) -> None:
        self.ids.on_happening(hap)
        if isinstance(hap, h.PhoneInvited):
            endpoint = hap.channel.endpoint.split("/", 1)[1] if hap.channel.endpoint else ""
            plans = self.phone_plan.get(endpoint) or ["answer"]
            plan = plans.pop(0) if len(plans) > 1 else plans[0]
            pbx = self.sim.pbx
            cid = hap.channel.id
            if plan in ("answer", "noanswer"):
                pbx.phone_ringing(cid)  # the 180 of a phone that rings at once
            if plan == "answer":
                pbx.clock.call_later(0.05, lambda: _safe(pbx.phone_answer, cid))
            elif plan == "busy":
                pbx.clock.call_later(0.003, lambda: _safe(pbx.phone_reject, cid, 486))

    async def _do(self, action: str, arg: Any) -> None:
        pbx = self.sim.pbx
        if action == "call":
            exten = arg["dialplan"]["exten"]
            pbx.originate_inbound(exten, arg["caller"]["number"], arg["caller"]["name"])
        elif action == "bye":
            sid = self.ids.translate(arg)
            with contextlib.suppress(Exception):
                pbx.hangup(sid)
        elif action == "dtmf":
            cid, digit = arg
            with contextlib.suppress(Exception):
                pbx.send_dtmf(self.ids.translate(cid), digit)
        elif action == "refer":
            cid, dest = arg
            with contextlib.suppress(Exception):
                control.phone_refer(pbx, pbx.channel(self.ids.translate(cid)), dest)
        elif action == "register":
            res, uri, expires = arg
            pbx.register_contact(res, uri, expires)
        elif action == "unregister":
            pbx.unregister_contact(arg)
        elif action == "unreachable":
            pbx.contact_unreachable(arg)
        elif action == "register_short":
            res, uri, expires = arg
            pbx.register_contact(res, uri, expires)
        elif action == "ami_originate":
            dialing.originate(
                pbx,
                arg[0],
                context=arg[1],
                extension=arg[2],
                priority=int(arg[3]),
                caller_id=None,
                timeout=30,
            )
        elif action == "bye_first_trunk":
            trunk = [c for c in pbx.channels.values() if c.name.startswith("PJSIP/trunk")]
            if trunk:
                pbx.hangup(trunk[0].id)
        elif action == "call_1800":
            pbx.originate_inbound("1800", "sipp", "sipp")
        elif action == "restart":
            task = asyncio.get_running_loop().create_task(pbx.restart(0.6))
            self.tasks.add(task)
            await asyncio.sleep(0)

    def _setup(self, step: str) -> None:
        """State the lab was in when the scenario was recorded."""
        pbx = self.sim.pbx
        if step == "rtp_phones":  # uas_rtp.xml streams audio from hn-01 and hn-02
            for name in ("hn-01", "hn-02"):
                pbx.set_phone(name, PhoneBehaviour(mode="manual", ring=False, sends_rtp=True))
        if step == "refer_never_completes":  # uas_refer_badnotify.xml
            pbx.set_phone("hn-01", PhoneBehaviour(mode="manual", ring=False, refer="ghost"))
        if step == "ghost_hn01":
            leave_ghost(pbx)

    # ------------------------------------------------------------ the recorder's part

    def _note_actions(self, text: str) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        m = re.search(r"connecting WebSocket (?:\[(\w+)\] )?ws://[^/]+(/ari/events\?\S+)", text)
        if m:
            out.append(("ws_open", (m.group(1) or "ws1", m.group(2))))
        m = re.search(r"ABORT WebSocket \[(\w+)\]", text)
        if m:
            out.append(("ws_abort", m.group(1)))
        m = re.search(r"closing WebSocket(?: \[(\w+)\])?", text)
        if m:
            out.append(("ws_close", m.group(1) or "ws1"))
        m = re.search(r"AMI Originate Channel (PJSIP/[\w-]+) -> ([\w-]+),(\w+),(\d+)", text)
        if m:
            out.append(("ami_originate", m.groups()))
        if text.startswith("CLI: core restart now"):
            out.append(("restart", None))
        return out

    async def ws_open(self, conn: str, path: str) -> None:
        url = f"ws://{self.sim.host}:{self.sim.ari_port}{path}"
        try:
            ws = await websockets.connect(url, ping_interval=None)
        except Exception:
            return
        sock = Socket(conn, ws)
        self.sockets[conn] = sock
        self.expected.setdefault(conn, Counter())

        async def reader() -> None:
            with contextlib.suppress(Exception):
                async for message in ws:
                    sock.events.append(json.loads(message))

        sock.task = asyncio.get_running_loop().create_task(reader())
        self.tasks.add(sock.task)

    async def ws_end(self, conn: str, abort: bool) -> None:
        sock = self.sockets.get(conn)
        if sock is None:
            return
        if abort:
            sock.ws.transport.abort()
        else:
            with contextlib.suppress(Exception):
                await sock.ws.close()
        await asyncio.sleep(0.01)

    async def catch_up(self) -> None:
        """Wait until each open socket got at least the recorded number of events of every
        significant type so far."""
        deadline = asyncio.get_running_loop().time() + WAIT_CAP
        while asyncio.get_running_loop().time() < deadline:
            behind = False
            for conn, want in self.expected.items():
                sock = self.sockets.get(conn)
                if sock is None:
                    continue
                have = Counter(e["type"] for e in sock.events)
                if any(have[t] < n for t, n in want.items() if t not in LOOSE_TYPES):
                    behind = True
                    break
            if not behind:
                return
            await asyncio.sleep(0.005)

    async def rest(self, req: dict[str, Any], resp: dict[str, Any] | None) -> None:
        path = self.ids.translate(req["path"])
        query = {k: self.ids.translate(str(v)) for k, v in (req.get("query") or {}).items()}
        url = f"http://{self.sim.host}:{self.sim.ari_port}{path}"
        body = req.get("body")
        for _ in range(int(WAIT_CAP / 0.01)):  # a restarting PBX: the client retries
            if self.sim.pbx.booted:
                break
            await asyncio.sleep(0.01)
        try:
            r = await self.client.request(
                req["method"], url, params=query, json=body if body is not None else None
            )
        except httpx.HTTPError as exc:
            if resp is not None:
                self.rest_errors.append(f"{req['method']} {req['path']}: {exc!r}")
            return
        if resp is None:
            return
        try:
            sim_body = r.json() if r.content else None
        except ValueError:
            sim_body = r.text
        what = f"{req['method']} {req['path']}"
        if r.status_code != resp["status"]:
            self.rest_errors.append(
                f"{what}: status {r.status_code} != recorded {resp['status']} ({sim_body})"
            )
        elif not same_shape(resp.get("body"), sim_body):
            self.rest_errors.append(
                f"{what}: body shape {shape(sim_body)} != recorded {shape(resp.get('body'))}"
            )

    async def run(self) -> Result:
        responses = {r["req"]: r for r in self.records if r["kind"] == "rest_response"}
        try:
            for i, r in enumerate(self.records):
                for action, arg in self.actions.get(i, []):
                    await self.catch_up()
                    await self._do(action, arg)
                kind = r["kind"]
                if kind == "ws_event":
                    conn = r.get("conn", "ws1")
                    self.expected.setdefault(conn, Counter())[r["event"]["type"]] += 1
                elif kind == "rest_request":
                    await self.catch_up()
                    await self.rest(r, responses.get(r["req"]))
                elif kind == "note":
                    for action, arg in self._note_actions(r.get("text", "")):
                        await self.catch_up()
                        if action == "ws_open":
                            await self.ws_open(*arg)
                        elif action in ("ws_abort", "ws_close"):
                            await self.ws_end(arg, abort=action == "ws_abort")
                        else:
                            await self._do(action, arg)
                    for action, arg in self.extra_steps(r.get("text", "")):
                        await self._do(action, arg)
            await self.catch_up()
            await asyncio.sleep(0.05)
        finally:
            await self.close()
        return self.result()

    def extra_steps(self, text: str) -> list[tuple[str, Any]]:
        return [step for pattern, step in EXTRA_STEPS.get(self.scenario, []) if pattern in text]

    async def close(self) -> None:
        self.unsubscribe()
        for sock in self.sockets.values():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sock.ws.close(), 0.5)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.client.aclose()

    def result(self) -> Result:
        recorded: dict[str, list[str]] = {}
        rec_events: dict[str, list[dict[str, Any]]] = {}
        for r in self.records:
            if r["kind"] == "ws_event":
                conn = r.get("conn", "ws1")
                recorded.setdefault(conn, []).append(r["event"]["type"])
                rec_events.setdefault(conn, []).append(r["event"])
        simulated = {c: [e["type"] for e in s.events] for c, s in self.sockets.items()}
        for conn in recorded:
            simulated.setdefault(conn, [])
        shape_errors: list[str] = []
        for conn, events in rec_events.items():
            by_type: dict[str, list[dict[str, Any]]] = {}
            for e in events:
                by_type.setdefault(_variant(e), []).append(e)
            sim_by_type: dict[str, list[dict[str, Any]]] = {}
            for e in self.sockets[conn].events if conn in self.sockets else []:
                sim_by_type.setdefault(_variant(e), []).append(e)
            sim_types = {v.split("|")[0] for v in sim_by_type}
            for variant, evs in by_type.items():
                sims = sim_by_type.get(variant)
                if not sims:
                    if variant.split("|")[0] in sim_types:
                        shape_errors.append(f"{conn} {variant}: no simulated event with these keys")
                    continue
                if not same_shape(evs[0], sims[0]):
                    shape_errors.append(
                        f"{conn} {variant}: {shape(sims[0])} != recorded {shape(evs[0])}"
                    )
        rec_by: dict[str, list[str]] = {}
        sim_by: dict[str, list[str]] = {}
        for conn, events in rec_events.items():
            _by_channel(conn, events, rec_by)
            _by_channel(conn, self.sockets[conn].events if conn in self.sockets else [], sim_by)
        return Result(
            self.scenario, recorded, simulated, shape_errors, self.rest_errors, rec_by, sim_by
        )


RACING = {"Dial", "ChannelStateChange"}


def normalized(types: list[str]) -> list[str]:
    """The order the contract holds the simulator to. Two races seen between recordings of the
    same flow are allowed: DeviceStateChanged arrives anywhere around the channel event that
    caused it (bridged-call vs bridged-call-caller-hangup), and an originated leg's Dial events
    and state changes interleave either way (bridged-call vs ws-drop-while-bridged); so
    DeviceStateChanged is left to the multiset check and runs of Dial/ChannelStateChange are
    sorted."""
    out: list[str] = []
    run: list[str] = []
    for t in types:
        if t == "DeviceStateChanged":
            continue
        if t in RACING:
            run.append(t)
            continue
        out.extend(sorted(run))
        run = []
        out.append(t)
    out.extend(sorted(run))
    return out


def _by_channel(conn: str, events: list[dict[str, Any]], out: dict[str, list[str]]) -> None:
    """Group event types by the channel they concern, named endpoint#ordinal."""
    names: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for e in events:
        ch = e.get("channel") or e.get("peer")
        if not isinstance(ch, dict) or "id" not in ch:
            continue
        if ch["id"] not in names:
            base = _channel_key(ch["name"])
            base = re.sub(r"^Snoop/.*", "Snoop", base)
            names[ch["id"]] = f"{conn}:{base}#{seen[base]}"
            seen[base] += 1
        out.setdefault(names[ch["id"]], []).append(e["type"])


def _variant(e: dict[str, Any]) -> str:
    """Event type plus which optional keys it carries (e.g. a HangupRequest with/without cause)."""
    return str(e["type"]) + "|" + ",".join(sorted(k for k in e if k not in ("channel",)))


def _found(obj: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    _walk_channels(obj, out)
    return out


def leave_ghost(pbx: Pbx) -> Channel:
    """The leg transfer-redirect-no-notify left as a ghost (agent-hn01-1795384442, fact 47):
    listed by GET /channels, answered, hn-01 in use."""
    ch = pbx.new_channel(
        tech="PJSIP",
        resource="hn-01",
        endpoint="hn-01",
        state="Up",
        caller_name="Hotline",
        caller_number="1800",
        context="from-counselor",
        exten="s",
        channel_id="agent-hn01-1795384442",
        outbound=True,
    )
    ch.answered_at = pbx.now()
    ch.ghost = True
    pbx.refresh_device("PJSIP/hn-01")
    return ch


def _safe(fn: Any, *args: Any) -> None:
    with contextlib.suppress(Exception):
        fn(*args)


# The lab's state when a scenario was recorded (from the recording's own GET /channels).
SETUP: dict[str, list[str]] = {
    scenario: ["ghost_hn01"]
    for scenario in (
        "transfer-redirect",
        "app-replaced",
        "transfer-phone-refer-ari-only",
        "redirect-ringing",
    )
}

SETUP["snoop-with-rtp"] = ["rtp_phones"]
SETUP["transfer-redirect-no-notify"] = ["refer_never_completes"]

# Steps SIPp took that left no ARI event (read from the recorder's notes).
EXTRA_STEPS: dict[str, list[tuple[str, tuple[str, Any]]]] = {
    "ws-drop-caller-hangup-while-disconnected": [
        (
            "waiting for the caller (SIPp built-in uac, -d 6000) to hang up",
            ("bye_first_trunk", None),
        ),
    ],
    "registration": [
        ("receives OPTIONS without answering", ("unreachable", "hn-03")),
        ("after-close check: a caller dials", ("call_1800", None)),
    ],
}
