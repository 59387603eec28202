"""What the event loop keeps: heap event kinds, live calls, staff, and the run's totals."""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.scenario import Distribution, PhoneBehaviour
from callcenter.simulation.report import CallRecord
from callcenter.simulation.world import Caller
from routing import Gender

# event kinds in the heap (the int keeps ties between equal times deterministic by seq)
ARRIVE, ABANDON, ANSWER, END, WRAP_END, LOGIN, LOGOUT, RESUME, RING_FAIL, PHONE_OK = range(10)
CALLBACK, WAKE = 10, 11


@dataclass(slots=True)
class LiveCall:
    record: CallRecord
    caller: Caller
    ring: str | None = None  # counsellor being rung
    ring_token: int = 0
    ring_centre: str = ""
    interpreter: bool = False
    counsellor: str | None = None  # connected to
    callback: bool = False


@dataclass(slots=True)
class StaffMember:
    counsellor_id: str
    centre: str
    languages: frozenset[str]
    gender: Gender
    phone: PhoneBehaviour
    wrap: Distribution | None  # None: the engine's fixed wrap-up ends it
    wrap_fixed: float
    logged_in: bool = False
    session: int = 0
    wrap_token: int = 0
    on_call: str | None = None
    logout_pending: bool = False
    login_at: float = 0.0


@dataclass(slots=True)
class RunTotals:
    """Raw totals gathered while running (turned into figures by ``simulation.run``)."""

    calls: list[CallRecord] = field(default_factory=list)
    busy: dict[str, float] = field(default_factory=dict)  # per centre: talk + wrap-up
    staffed: dict[str, float] = field(default_factory=dict)  # per centre: logged-in time
    engine_events: int = 0
    decisions: int = 0
    rejected: list[str] = field(default_factory=list)
    callbacks_served: int = 0
    end_time: float = 0.0
