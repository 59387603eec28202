"""Code lists of the call records: how a call ended, how an offer ended, where records came from."""

from __future__ import annotations

from enum import StrEnum


class CallOutcome(StrEnum):
    """How a call ended (one per call)."""

    ANSWERED = "answered"
    ABANDONED_IVR = "abandoned_ivr"  # caller hung up before the IVR was done
    ABANDONED_QUEUE = "abandoned_queue"  # hung up while waiting, no phone ringing
    ABANDONED_RINGING = "abandoned_ringing"  # hung up while a counsellor's phone was ringing
    CALLBACK_REQUESTED = "callback_requested"  # left a callback request instead of waiting
    NO_COUNSELLOR = "no_counsellor"  # max wait / queue cap: message with emergency numbers
    SENT_TO_FALLBACK = "sent_to_fallback"  # the service handed the call to the dialplan fallback
    FALLBACK_ANSWERED = "fallback_answered"  # fallback queue answered it (service was down)
    FALLBACK_ABANDONED = "fallback_abandoned"  # caller left the fallback queue unanswered
    FAILED = "failed"  # technical failure, the call ended without reaching anybody


ANSWERED_OUTCOMES = frozenset({CallOutcome.ANSWERED, CallOutcome.FALLBACK_ANSWERED})
ABANDONED_OUTCOMES = frozenset(
    {
        CallOutcome.ABANDONED_QUEUE,
        CallOutcome.ABANDONED_RINGING,
        CallOutcome.FALLBACK_ABANDONED,
    }
)


class OfferOutcome(StrEnum):
    """How one offer (a counsellor's phone ringing for the call) ended."""

    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    UNREACHABLE = "unreachable"
    DECLINED = "declined"
    CALLER_HUNG_UP = "caller_hung_up"  # the caller left while this phone rang
    CANCELLED = "cancelled"  # the service withdrew the offer (another counsellor took it)


class HangupBy(StrEnum):
    CALLER = "caller"
    COUNSELLOR = "counsellor"
    SYSTEM = "system"
    UNKNOWN = "unknown"


class TransferKind(StrEnum):
    BLIND = "blind"
    CONSULT = "consult"


class ConsultOutcome(StrEnum):
    """How a consultation (the counsellor talking with a transfer target first) ended."""

    COMPLETED = "completed"  # the caller was handed to the target
    CANCELLED = "cancelled"  # the counsellor went back to the caller
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    UNREACHABLE = "unreachable"
    TARGET_HUNG_UP = "target_hung_up"  # during the consultation: back to the caller
    CALLER_HUNG_UP = "caller_hung_up"  # while on hold
    COUNSELLOR_HUNG_UP = "counsellor_hung_up"  # the caller went to the fallback queue
    FAILED = "failed"  # the call went to the fallback queue for another reason


class RecordSource(StrEnum):
    SERVICE = "service"  # written from the call flow's facts
    FALLBACK_IMPORT = "fallback_import"  # imported from Asterisk's CDR / queue_log


class CallbackState(StrEnum):
    """Where a callback request stands (docs/calls.md, "Callback requests")."""

    PENDING = "pending"  # waiting for its turn (or for its safe window)
    DIALLING = "dialling"  # an attempt is under way
    DONE = "done"  # the survivor was reached
    FAILED = "failed"  # gave up after the configured number of attempts
    EXPIRED = "expired"  # too old to call back


OPEN_CALLBACK_STATES = frozenset({CallbackState.PENDING, CallbackState.DIALLING})


class CallbackAttemptOutcome(StrEnum):
    """How one callback attempt ended."""

    ANSWERED = "answered"  # the survivor answered
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"  # the outbound call could not be made, or broke off before an answer
    OUTSIDE_WINDOW = "outside_window"  # its turn came outside the safe times: not dialled
    INTERRUPTED = "interrupted"  # the service stopped during the attempt; retried
