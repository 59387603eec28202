"""A restarted service takes back the callback requests a previous process left open.

Each open request goes back in line with its original arrival time (so it keeps its place).
A request whose attempt was under way when the previous process stopped is settled first, so
the survivor is never dialled twice at the same time:

- the outbound leg is still up (the survivor and the counsellor are talking): the attempt is
  recorded as answered and the request done; the conversation goes on untouched;
- it is still there but not answered (ringing): it is hung up, and only once Asterisk no longer
  has it is the request put back in line (attempt recorded ``interrupted``, retried at once);
- it is gone: the attempt is recorded ``interrupted`` and the request goes back in line.

A caller still on the line (the previous process died during their goodbye) is hung up: they
heard their request confirmed; the request goes in line once their call is over.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from ari.errors import AriError
from callcenter.calls.callback_records import OpenAttempt, StoredCallback
from callcenter.calls.outcomes import CallbackAttemptOutcome
from callcenter.flow.app import HotlineApp
from callcenter.flow.callbacks import CallbackDialer, CallbackRequest
from callcenter.flow.ops import hang_up

log = logging.getLogger(__name__)


def to_request(
    dialer: CallbackDialer, stored: StoredCallback, wall_now: datetime
) -> CallbackRequest:
    age = max(0.0, (wall_now - stored.arrived_at).total_seconds())
    return CallbackRequest(
        call_id=stored.call_id,
        number=stored.number,
        window=stored.safe_window,
        arrived=dialer.driver.now() - age,
        home_centre=stored.home_centre,
        language=stored.language or dialer.config.ivr.default_language,
        danger=stored.in_danger,
        arrived_wall=stored.arrived_at,
        requested_wall=stored.requested_at,
        attempts=stored.attempts,
    )


async def restore_callbacks(
    app: HotlineApp, stored: list[StoredCallback], *, wall_now: datetime
) -> int:
    """Put ``stored`` back in line (those this process does not have); returns how many."""
    dialer = app.callbacks
    settling = []
    restored = 0
    for item in stored:
        call = app.calls.get(item.call_id)
        if call is not None:  # the restart cut their goodbye and this process adopted them
            app.hang_up_orphan(call.channel_id)
            settling.append(_after_call(app, item, wall_now))
            continue
        request = to_request(dialer, item, wall_now)
        if not dialer.restore(request):
            continue
        restored += 1
        if item.open_attempt is None:
            dialer.enter_line_soon(request.call_id)
        else:
            settling.append(_settle(dialer, request, item.open_attempt))
    await asyncio.gather(*settling)
    if restored:
        log.warning("callback requests taken back after a restart: %s", restored)
    return restored


async def _after_call(app: HotlineApp, item: StoredCallback, wall_now: datetime) -> None:
    """The caller is still on the line in this process: the request goes in line once the
    call is over (the same call id cannot be both a caller and a request in routing)."""
    while item.call_id in app.calls:  # noqa: ASYNC110 (the app has no event for a call's end)
        await asyncio.sleep(0.2)
    await restore_callbacks(app, [item], wall_now=wall_now)


async def _settle(dialer: CallbackDialer, request: CallbackRequest, attempt: OpenAttempt) -> None:
    leg = attempt.attempt_id
    delay = 0.2
    while True:
        try:
            channel = await dialer.ari.channels.get(leg, missing_ok=True)
            if channel is not None and channel.state == "Up":
                log.warning("callback %s: the survivor is talking; left alone", request.call_id)
                dialer.end_stale_attempt(request, leg, CallbackAttemptOutcome.ANSWERED)
                return
            if channel is None:
                break
            await hang_up(dialer.ari, leg)  # still ringing: never two calls to them at once
        except AriError as exc:
            log.warning("callback %s: cannot see its last attempt yet (%s)", request.call_id, exc)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10.0)
    if attempt.counsellor_leg:
        await hang_up(dialer.ari, attempt.counsellor_leg)
    dialer.end_stale_attempt(request, leg, CallbackAttemptOutcome.INTERRUPTED)
