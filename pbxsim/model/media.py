"""Playbacks (sound:, tone:, digits:, number:, recording: and media lists) and MOH.

Facts 20-26: a media list is one playback id; items are separated by PlaybackContinuing;
DELETE stops a ``sound:``/``recording:``/``tone:`` item at once but not a ``digits:`` or
``number:`` item (the list then goes on); DTMF never stops a playback by itself.
"""

from __future__ import annotations

import asyncio

from pbxsim.model import happenings as h
from pbxsim.model.errors import BadRequest, Conflict
from pbxsim.model.objects import Channel, Playback
from pbxsim.model.pbx import Pbx

# lengths measured in the recordings (fact 26); other sounds get DEFAULT_SOUND seconds
SOUND_SECONDS = {
    "hello-world": 1.42,
    "queue-thereare": 2.26,
    "queue-callswaiting": 2.48,
    "vm-enter-num-to-call": 2.04,
    "vm-nobodyavail": 2.8,
    "demo-congrats": 8.0,
}
DEFAULT_SOUND = 2.0
STOPPABLE = ("sound", "recording", "tone")
KINDS = ("sound", "recording", "tone", "digits", "number", "characters")


def media_duration(uri: str) -> float:
    kind, _, rest = uri.partition(":")
    if kind == "sound":
        return SOUND_SECONDS.get(rest, DEFAULT_SOUND)
    if kind == "digits" or kind == "characters":
        return 0.71 * max(1, len(rest))
    if kind == "number":
        return 0.84 * max(1, len(rest.lstrip("-")))
    if kind == "recording":
        return DEFAULT_SOUND
    return float("inf")  # tone: plays until stopped


def play(
    pbx: Pbx,
    target_uri: str,
    media: list[str],
    playback_id: str | None,
    language: str | None,
    channel: Channel | None,
) -> Playback:
    """Start a playback on ``channel:<id>`` / ``bridge:<id>``; returns it in state queued."""
    if not media:
        raise BadRequest("media: Missing required field")
    for uri in media:
        if uri.partition(":")[0] not in KINDS or not uri.partition(":")[2]:
            raise BadRequest(f"Invalid media URI: {uri}")  # Asterisk answers 400 too
    if playback_id and playback_id in pbx.playbacks:
        raise Conflict("Playback with id already exists")
    import uuid

    pb = Playback(
        id=playback_id or str(uuid.uuid4()),
        media=list(media),
        target_uri=target_uri,
        language=language or (channel.language if channel else "en"),
    )
    pbx.playbacks[pb.id] = pb
    pb.task = pbx.spawn(_run(pbx, pb))
    return pb


async def _run(pbx: Pbx, pb: Playback) -> None:
    bridge_id = pb.target_uri[len("bridge:") :] if pb.target_uri.startswith("bridge:") else None
    announcer = None
    if bridge_id is not None and bridge_id in pbx.bridges:
        announcer = pbx.announcer_name(moh=False)
        pbx.bridges[bridge_id].play_announcer = announcer
        pbx.announcer_joined(pbx.bridges[bridge_id])
    await asyncio.sleep(0)  # the 201 goes out first
    try:
        while pb.index < len(pb.media) and pb.state not in ("done", "failed"):
            pb.state = "playing"
            pbx.publish(h.PlaybackStarted(pbx.now(), pb.snapshot()))
            uri = pb.media_uri
            stoppable = uri.partition(":")[0] in STOPPABLE
            remaining = media_duration(uri)
            start = pbx.now()
            while True:
                pb.wake.clear()
                if pb.stop_requested and stoppable:
                    break
                try:
                    left = remaining - (pbx.now() - start)
                    if left <= 0:
                        break
                    timeout = None if left == float("inf") else left / pbx.clock.speed
                    await asyncio.wait_for(pb.wake.wait(), timeout)
                except TimeoutError:
                    break
            if pb.stop_requested and stoppable:
                break
            pb.stop_requested = False  # a DELETE during digits:/number: is forgotten (fact 23)
            if pb.index + 1 < len(pb.media):
                pb.state = "continuing"
                pbx.publish(h.PlaybackContinued(pbx.now(), pb.snapshot()))
                pb.index += 1
            else:
                break
    finally:
        finish(pbx, pb)
        if bridge_id is not None and bridge_id in pbx.bridges:
            pbx.bridges[bridge_id].play_announcer = None
        if announcer is not None:
            pbx.set_device_state("Announcer/ARI", "INUSE")
            pbx.set_device_state("Announcer/ARI", "UNKNOWN")


def finish(pbx: Pbx, pb: Playback, state: str = "done") -> None:
    if pb.state in ("done", "failed"):
        return
    pb.state = state
    pbx.playbacks.pop(pb.id, None)
    pbx.publish(h.PlaybackFinished(pbx.now(), pb.snapshot()))


def stop(pbx: Pbx, pb: Playback) -> None:
    """``DELETE /playbacks/{id}``."""
    pb.stop_requested = True
    pb.wake.set()


def stop_playback_now(pbx: Pbx, pb: Playback) -> None:
    """The target went away: the playback ends whatever it plays."""
    if pb.task is not None and not pb.task.done():
        pb.task.cancel()
    finish(pbx, pb)


def moh_start(pbx: Pbx, ch: Channel, moh_class: str = "default") -> None:
    if ch.moh:
        return
    ch.moh = True
    pbx.publish(h.MusicOnHoldStarted(pbx.now(), ch.snapshot(), moh_class or "default"))


def moh_stop(pbx: Pbx, ch: Channel) -> None:
    if not ch.moh:
        return
    ch.moh = False
    pbx.publish(h.MusicOnHoldStopped(pbx.now(), ch.snapshot()))
