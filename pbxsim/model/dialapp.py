"""The dialplan's ``Dial(PJSIP/x&PJSIP/y,timeout)``: ring, bridge the first to answer."""

from __future__ import annotations

import asyncio

from pbxsim.model import dialing
from pbxsim.model import happenings as h
from pbxsim.model.objects import Channel
from pbxsim.model.pbx import Pbx


async def dial_app(pbx: Pbx, ch: Channel, args: list[str]) -> None:
    targets = [t for t in (args[0] if args else "").split("&") if t]
    timeout = float(args[1]) if len(args) > 1 and args[1] else None
    legs: dict[asyncio.Task[str], Channel] = {}
    for target in targets:
        try:
            leg = dialing.new_outbound(
                pbx,
                target,
                channel_id=None,
                caller=(ch.caller_name, ch.caller_number),
                linkedid=ch.linkedid,
            )
        except Exception:
            continue
        pbx.set_var(leg, "DIALEDPEERNUMBER", target.partition("/")[2])
        legs[pbx.spawn(dialing.ring_leg(pbx, leg, ch, timeout))] = leg
    if not legs:
        pbx.set_var(ch, "DIALSTATUS", "CHANUNAVAIL")
        return
    winner: Channel | None = None
    pending = set(legs)
    statuses: list[str] = []
    while pending and winner is None and not ch.hangup_started:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for t in done:
            outcome = t.result()
            if outcome == dialing.ANSWER and winner is None:
                winner = legs[t]
            elif outcome == dialing.ANSWER:
                (pbx.do_hangup(legs[t], request_cause=26, final_cause=26))
            else:
                statuses.append("NOANSWER" if outcome == dialing.TIMEOUT else outcome)
                dialing.fail_leg(pbx, legs[t], ch, outcome, report_timeout=True)
    for t in pending:
        dialing.cancel_leg(legs[t])
        outcome = await t
        if outcome == dialing.ANSWER:
            (pbx.do_hangup(legs[t], request_cause=26, final_cause=26))
        else:
            dialing.fail_leg(pbx, legs[t], ch, dialing.CANCEL, report_timeout=False)
    if winner is None:
        pbx.set_var(ch, "DIALSTATUS", statuses[-1] if statuses else "CANCEL")
        return
    pbx.set_var(ch, "DIALSTATUS", "ANSWER")
    if ch.state != "Up":
        ch.answered_at = pbx.now()
        pbx.set_state(ch, "Up")
        pbx.refresh_endpoint(ch)
    ch.connected_name, ch.connected_number = winner.caller_name, winner.caller_number
    pbx.publish(h.ConnectedLineChanged(pbx.now(), ch.snapshot()))
    bridge = pbx.create_bridge("mixing", bridge_class="basic", creator="BasicBridge")
    pbx.add_to_bridge(bridge, winner)
    pbx.add_to_bridge(bridge, ch)
    while not ch.hangup_started and not winner.hangup_started:
        ch.wake.clear()
        winner.wake.clear()
        waiters = {pbx.spawn(ch.wake.wait()), pbx.spawn(winner.wake.wait())}
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
    if not winner.hangup_started:
        pbx.do_hangup(winner, request_cause=16, final_cause=16)
    if bridge.id in pbx.bridges and not pbx.bridges[bridge.id].channels:
        pbx.destroy_bridge(bridge)
