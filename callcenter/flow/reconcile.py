"""Rebuild live state from Asterisk after a (re)connect: Asterisk is the truth for live calls.

Real Asterisk replays nothing to a client that was away (recordings-2 facts 1-4): no StasisStart
for channels already in the app, no hang-up that happened in the gap. So on every connect the
service reads ``GET /channels`` and ``GET /bridges`` and

- ends the calls it knew whose caller channel is gone (their hang-up event was lost);
- fails the rings whose counsellor leg is gone;
- adopts the callers it did not know (a restarted service): bridged ones stay connected, waiting
  ones go back in line with their original arrival time and their IVR answers (kept as channel
  variables on the caller's channel);
- hangs up counsellor legs that belong to no call any more, also those still ringing: before
  it is answered an originated leg is not in Stasis yet but in ``AppDial2`` (recordings-2
  fact 15), so it is known by the id prefix the service gave it.

Channels of the service's other helpers (callback legs, snoops) are never adopted as callers;
the callback book takes back its own (``callback_restore``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from ari.errors import AriError
from ari.models import Bridge, Channel
from callcenter.flow.app import (
    CENTRE_VAR,
    COUNSELLOR_LEGS,
    DANGER_VAR,
    LANGUAGE_VAR,
    NOT_CALLERS,
    HotlineApp,
)
from callcenter.flow.callbacks import COUNSELLOR_ARG as CALLBACK_COUNSELLOR_ARG
from callcenter.flow.ivr import IvrAnswers

log = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    ended: list[str] = field(default_factory=list)
    adopted_waiting: list[str] = field(default_factory=list)
    adopted_connected: list[str] = field(default_factory=list)
    orphans_hung_up: list[str] = field(default_factory=list)


#: channel ids the service gives the legs it rings (offers, consultations, transfers,
#: supervisors)
OWN_LEG_PREFIXES = ("offer-", "consult-", "xfer-", "sup-")
#: a callback's legs (the counsellor's, the survivor's) are the callback book's to take back
#: once the database answers (``callback_restore``), never reconciliation's to hang up
ORPHANS = COUNSELLOR_LEGS - {CALLBACK_COUNSELLOR_ARG}


def _ringing_own_leg(channel: Channel) -> bool:
    """A leg this service originated that is not answered yet (so not in Stasis)."""
    return channel.dialplan.app_name == "AppDial2" and channel.id.startswith(OWN_LEG_PREFIXES)


def _stasis_args(channel: Channel, app: str) -> list[str] | None:
    """The Stasis arguments if the channel is in our app, else None."""
    if channel.dialplan.app_name != "Stasis":
        return None
    parts = channel.dialplan.app_data.split(",")
    if parts[0] != app:
        return None
    return parts[1:]


async def reconcile(app: HotlineApp, *, wall_now: datetime) -> ReconcileReport:
    report = ReconcileReport()
    # Calls and rings that appear while the lists are being read are not in them: leave those
    # alone (events of this connection are held until the hook returns, but routing is not).
    taken_at = app.driver.now()
    channels = {c.id: c for c in await app.ari.channels.list()}
    bridges = await app.ari.bridges.list()
    bridge_of: dict[str, Bridge] = {ch: b for b in bridges for ch in b.channels}

    for call in list(app.calls.values()):
        if call.arrived > taken_at:
            continue
        if call.channel_id not in channels:
            app.lost(call)
            report.ended.append(call.call_id)
            continue
        if _stasis_args(channels[call.channel_id], app.config.app) is None:
            # still up, but out of our app: the watchdog sent it to the fallback queue
            app.left_for_fallback(call, "continued while the service was away")
            report.ended.append(call.call_id)
            continue
        for offer in list(call.offers.values()):
            if offer.created > taken_at or offer.ended or offer.answered:
                continue
            if offer.offer_id not in channels:
                app.offer_lost(call, offer)

    for channel in channels.values():
        args = _stasis_args(channel, app.config.app)
        if args is None or app.knows(channel.id):
            continue
        if args and (args[0] in COUNSELLOR_LEGS or args[0] in NOT_CALLERS):
            continue  # legs and helper channels, never callers: see the module's docstring
        bridge = bridge_of.get(channel.id)
        partner = _partner(bridge, channel.id, channels) if bridge else None
        if bridge is not None and partner is not None:
            app.adopt_connected(channel, bridge.id, partner)
            report.adopted_connected.append(channel.id)
        else:
            answers = await _answers(app, channel)
            age = max(0.0, (wall_now - channel.creationtime).total_seconds())
            app.adopt_waiting(channel, answers, arrived_at=app.driver.now() - age)
            report.adopted_waiting.append(channel.id)

    for channel in channels.values():
        args = _stasis_args(channel, app.config.app)
        own_leg = bool(args and args[0] in ORPHANS) or _ringing_own_leg(channel)
        if own_leg and not app.knows(channel.id):
            report.orphans_hung_up.append(channel.id)
            app.hang_up_orphan(channel.id)
    if any(vars(report).values()):
        log.warning("reconciled node %s: %s", app.node, report)
    return report


def _partner(
    bridge: Bridge | None, channel_id: str, channels: dict[str, Channel]
) -> Channel | None:
    if bridge is None:
        return None
    for other in bridge.channels:
        if other != channel_id and other in channels:
            return channels[other]
    return None


async def _answers(app: HotlineApp, channel: Channel) -> IvrAnswers:
    values: dict[str, str] = {}
    for name in (LANGUAGE_VAR, CENTRE_VAR, DANGER_VAR):
        try:
            values[name] = (await app.ari.channels.get_channel_var(channel.id, name)).value
        except AriError:
            values[name] = ""
    ivr = app.config.ivr
    centre = values[CENTRE_VAR] or ivr.region_for_number(channel.caller.number or None)
    return IvrAnswers(
        language=values[LANGUAGE_VAR] or ivr.default_language,
        home_centre=centre or None,
        danger=values[DANGER_VAR] == "1",
        language_chosen=bool(values[LANGUAGE_VAR]),
        region_chosen=bool(values[CENTRE_VAR]),
        digits="",
    )
