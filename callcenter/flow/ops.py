"""Small Asterisk operations every part of the call flow shares."""

from __future__ import annotations

import logging

from ari.client import AriClient
from ari.errors import AriError
from ari.events import ChannelDestroyed
from callcenter.flow.call import retrying
from routing.model import RingFailure

log = logging.getLogger(__name__)


async def hang_up(ari: AriClient, channel_id: str) -> None:
    """Hang a leg up; one that is already gone is fine, a broken connection is retried, and
    anything else is logged (a hang-up is always a clean-up: it never fails a call)."""
    try:
        await retrying(lambda: ari.channels.hangup(channel_id, missing_ok=True))
    except AriError as exc:
        log.warning("hangup of %s failed: %s", channel_id, exc)


async def leg_exists(ari: AriClient, channel_id: str) -> bool:
    """Does Asterisk still have this leg? (An error that keeps us from knowing propagates.)"""
    return await ari.channels.get(channel_id, missing_ok=True) is not None


def ring_failure(event: ChannelDestroyed, *, rang: bool) -> RingFailure:
    """Why a counsellor leg ended before it was answered (recordings: busy is cause 17 / SIP
    486; a ring nobody answered is cause 19 / 480 *after* a RINGING Dial event; with no reply
    at all the same cause comes without RINGING: the phone is unreachable)."""
    if event.cause == 17 or event.tech_cause == 486:
        return RingFailure.BUSY
    if event.cause in (18, 19, 21) and rang:
        return RingFailure.NO_ANSWER
    return RingFailure.UNREACHABLE
