"""The call-lifecycle facts the call flow emits; ``CallRecorder.record(fact)`` turns them into rows.

Every fact names its call by ``node`` (the Asterisk it lives on) and ``channel_id`` (the caller
channel's uniqueid on that node) and carries ``at``, the time it happened (timezone-aware).
Facts are frozen, past tense, one type per thing that happens, and serialise to JSON for the
outbox. Recording a fact twice has no effect beyond recording it once.

The caller's number appears only in :class:`CallArrived` (and imported records) as
``caller_number``: the recorder replaces it by a keyed hash and an encrypted copy *before* the
fact is journaled, so the number never reaches the outbox or the database in clear.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from callcenter.calls.outcomes import (
    CallbackAttemptOutcome,
    CallbackState,
    CallOutcome,
    ConsultOutcome,
    HangupBy,
    OfferOutcome,
    TransferKind,
)


class CallFact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    node: str = Field(min_length=1, max_length=64)
    channel_id: str = Field(min_length=1, max_length=64)
    at: AwareDatetime

    @property
    def call_id(self) -> str:
        return call_id_of(self.node, self.channel_id)


def call_id_of(node: str, channel_id: str) -> str:
    """The natural key of a call: ``<node>/<caller channel uniqueid>``."""
    return f"{node}/{channel_id}"


class CallerFields(BaseModel):
    """The caller as given (``caller_number``, never journaled) and as stored (hash, encrypted)."""

    caller_number: str | None = Field(default=None, exclude=True, repr=False)
    caller_hash: str | None = None
    caller_number_enc: str | None = Field(default=None, repr=False)


class CallArrived(CallFact, CallerFields):
    kind: Literal["call_arrived"] = "call_arrived"
    dialled: str | None = None
    channel_name: str | None = None


class IvrCompleted(CallFact):
    kind: Literal["ivr_completed"] = "ivr_completed"
    language: str | None = None
    province: str | None = None
    home_centre: str | None = None
    in_danger: bool = False


class CallQueued(CallFact):
    kind: Literal["call_queued"] = "call_queued"
    centre: str | None = None


class CallOffered(CallFact):
    """A counsellor's phone started ringing; ``offer_id`` is that leg's channel id."""

    kind: Literal["call_offered"] = "call_offered"
    offer_id: str = Field(min_length=1, max_length=128)
    counsellor: str
    centre: str | None = None


class OfferEnded(CallFact):
    kind: Literal["offer_ended"] = "offer_ended"
    offer_id: str = Field(min_length=1, max_length=128)
    outcome: OfferOutcome


class CallAnswered(CallFact):
    kind: Literal["call_answered"] = "call_answered"
    counsellor: str
    centre: str | None = None


class CallTransferred(CallFact):
    """``transfer_id`` identifies the transfer (e.g. the new leg's channel id)."""

    kind: Literal["call_transferred"] = "call_transferred"
    transfer_id: str = Field(min_length=1, max_length=128)
    transfer_kind: TransferKind
    from_counsellor: str | None = None
    to_counsellor: str | None = None
    to_centre: str | None = None
    to_agency: str | None = None


class ConsultStarted(CallFact):
    """The counsellor put the caller on hold and the service rings a transfer target to talk
    with first; ``consult_id`` is the target leg's channel id."""

    kind: Literal["consult_started"] = "consult_started"
    consult_id: str = Field(min_length=1, max_length=128)
    from_counsellor: str | None = None
    to_counsellor: str | None = None
    to_centre: str | None = None
    to_agency: str | None = None


class ConsultAnswered(CallFact):
    """The target answered: the counsellor and the target talk; the caller still holds."""

    kind: Literal["consult_answered"] = "consult_answered"
    consult_id: str = Field(min_length=1, max_length=128)


class ConsultEnded(CallFact):
    """The consultation is over (``completed``: a :class:`CallTransferred` of kind consult
    follows with the same id)."""

    kind: Literal["consult_ended"] = "consult_ended"
    consult_id: str = Field(min_length=1, max_length=128)
    outcome: ConsultOutcome


class CallbackRequested(CallFact, CallerFields):
    """The caller confirmed a callback (``at``). With ``safe_window`` (the service since
    migration 0005) it also opens a durable callback request that keeps ``arrived_at``, the
    caller's original place in line; the number is journaled only hashed and encrypted."""

    kind: Literal["callback_requested"] = "callback_requested"
    safe_window: str | None = Field(default=None, max_length=16)
    language: str | None = None
    home_centre: str | None = None
    in_danger: bool = False
    arrived_at: AwareDatetime | None = None


class CallbackAttemptStarted(CallFact):
    """A counsellor took the callback; the service dialled the survivor (``at``).
    ``attempt_id`` is the outbound leg's channel id."""

    kind: Literal["callback_attempt_started"] = "callback_attempt_started"
    attempt_id: str = Field(min_length=1, max_length=128)
    counsellor: str
    counsellor_leg: str | None = None


class CallbackAttemptEnded(CallFact):
    """A callback attempt is over. ``counsellor`` is given for attempts never dialled
    (``outside_window``); ``talk_s`` when the survivor answered."""

    kind: Literal["callback_attempt_ended"] = "callback_attempt_ended"
    attempt_id: str = Field(min_length=1, max_length=128)
    outcome: CallbackAttemptOutcome
    counsellor: str | None = None
    talk_s: float | None = Field(default=None, ge=0)


class CallbackClosed(CallFact):
    """A callback request is over: ``done``, ``failed`` (attempts used up) or ``expired``."""

    kind: Literal["callback_closed"] = "callback_closed"
    state: CallbackState


class CallSentToFallback(CallFact):
    """The service handed the call back to the dialplan (its centre's fallback queue)."""

    kind: Literal["call_sent_to_fallback"] = "call_sent_to_fallback"
    reason: str = ""


class CallEnded(CallFact):
    """The caller's channel is gone. ``outcome`` None: derived from what the record shows."""

    kind: Literal["call_ended"] = "call_ended"
    hangup_by: HangupBy = HangupBy.UNKNOWN
    outcome: CallOutcome | None = None


class WrapUpEnded(CallFact):
    kind: Literal["wrapup_ended"] = "wrapup_ended"
    counsellor: str | None = None


class ImportedOffer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    offer_id: str
    counsellor: str
    centre: str | None = None
    offered_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    outcome: OfferOutcome | None = None


class FallbackCallImported(CallFact, CallerFields):
    """A whole call that Asterisk's fallback queue handled while the service was down.

    ``at`` is when the call arrived. Written only if the call has no record yet.
    """

    kind: Literal["fallback_call_imported"] = "fallback_call_imported"
    dialled: str | None = None
    channel_name: str | None = None
    queued_at: AwareDatetime | None = None
    answered_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    home_centre: str | None = None
    answered_by: str | None = None
    answered_centre: str | None = None  # None: the home centre
    language: str | None = None
    province: str | None = None
    in_danger: bool = False
    outcome: CallOutcome
    offers: tuple[ImportedOffer, ...] = ()


Fact = Annotated[
    CallArrived
    | IvrCompleted
    | CallQueued
    | CallOffered
    | OfferEnded
    | CallAnswered
    | CallTransferred
    | ConsultStarted
    | ConsultAnswered
    | ConsultEnded
    | CallbackRequested
    | CallbackAttemptStarted
    | CallbackAttemptEnded
    | CallbackClosed
    | CallSentToFallback
    | CallEnded
    | WrapUpEnded
    | FallbackCallImported,
    Field(discriminator="kind"),
]
FACT_ADAPTER: TypeAdapter[Fact] = TypeAdapter(Fact)


def fact_to_json(fact: Fact) -> str:
    return fact.model_dump_json()


def fact_from_json(data: str | bytes) -> Fact:
    return FACT_ADAPTER.validate_json(data)
