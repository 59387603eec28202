"""Records of calls Asterisk's fallback queue handled: new rows, or completing the service's."""

from __future__ import annotations

from callcenter.calls.derive import Timeline, talk_seconds, wait_seconds
from callcenter.calls.facts import FallbackCallImported
from callcenter.calls.models import CallRow
from callcenter.calls.outcomes import CallOutcome, RecordSource


def imported_row(fact: FallbackCallImported) -> CallRow:
    """A new record for a call the service never saw."""
    timeline = Timeline(
        arrived_at=fact.at,
        ivr_done_at=None,
        queued_at=fact.queued_at,
        answered_at=fact.answered_at,
        callback_requested_at=None,
        fallback_at=None,
        ended_at=fact.ended_at,
        wrapup_ended_at=None,
    )
    return CallRow(
        call_id=fact.call_id,
        node=fact.node,
        channel_id=fact.channel_id,
        source=RecordSource.FALLBACK_IMPORT.value,
        arrived_at=fact.at,
        dialled=fact.dialled,
        channel_name=fact.channel_name,
        caller_hash=fact.caller_hash,
        caller_number_enc=fact.caller_number_enc,
        queued_at=fact.queued_at,
        first_offered_at=min((o.offered_at for o in fact.offers), default=None),
        answered_at=fact.answered_at,
        fallback_at=fact.at,
        ended_at=fact.ended_at,
        home_centre=fact.home_centre,
        answered_centre=(fact.answered_centre or fact.home_centre) if fact.answered_at else None,
        answered_by=fact.answered_by,
        language=fact.language,
        province=fact.province,
        in_danger=fact.in_danger,
        centres=[c for c in dict.fromkeys((fact.home_centre, fact.answered_centre)) if c],
        counsellors=[fact.answered_by] if fact.answered_by else [],
        outcome=fact.outcome.value,
        wait_s=wait_seconds(timeline),
        talk_s=talk_seconds(timeline),
    )


def complete_from_fallback(row: CallRow, fact: FallbackCallImported) -> bool:
    """A call the service handed to the fallback queue: complete its record from Asterisk's.

    Only records still open or marked ``sent_to_fallback`` change, so a second import of the
    same files changes nothing. Returns whether the record was completed.
    """
    if row.outcome not in (None, CallOutcome.SENT_TO_FALLBACK.value):
        return False
    row.fallback_at = row.fallback_at or fact.at
    row.answered_at = row.answered_at or fact.answered_at
    row.answered_by = row.answered_by or fact.answered_by
    if fact.answered_at is not None:
        row.answered_centre = row.answered_centre or fact.answered_centre or fact.home_centre
        if fact.answered_by and fact.answered_by not in row.counsellors:
            row.counsellors = [*row.counsellors, fact.answered_by]
    if fact.home_centre and fact.home_centre not in row.centres:
        row.centres = [*row.centres, fact.home_centre]
    row.ended_at = fact.ended_at or row.ended_at
    row.outcome = fact.outcome.value
    queued = row.queued_at or fact.queued_at
    left_queue = fact.answered_at or fact.ended_at
    if queued is not None and left_queue is not None:
        row.wait_s = max(0.0, (left_queue - queued).total_seconds())
    if fact.answered_at is not None and fact.ended_at is not None:
        row.talk_s = max(0.0, (fact.ended_at - fact.answered_at).total_seconds())
    return True
