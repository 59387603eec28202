"""Settings of the call flow: who the counsellors are, and every timer (tests use seconds).

Part of :class:`callcenter.settings.Settings` as the ``flow`` section, e.g.
``CALLCENTER_FLOW__MAX_WAIT=600``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from callcenter.flow.ivr import IvrConfig
from routing.model import Gender


class CounsellorEntry(BaseModel):
    """A counsellor the hotline knows: where their phone is and what they can take."""

    id: str = Field(min_length=1)
    centre: str
    endpoint: str  # ARI endpoint, e.g. "PJSIP/hn-01"
    languages: frozenset[str] = frozenset({"vi"})
    gender: Gender
    name: str = ""
    node: str = "asterisk"  # the Asterisk the phone registers to


class AgencyEntry(BaseModel):
    """An agency a counsellor can transfer a caller to (police 113, a shelter, ...)."""

    id: str
    name_vi: str
    name_en: str
    endpoint: str = ""  # e.g. "PJSIP/113@outbound" or "Local/113@agencies"
    number: str = ""  # or a number dialled through the outbound trunk, e.g. "113"

    @model_validator(mode="after")
    def _reachable(self) -> AgencyEntry:
        if bool(self.endpoint) == bool(self.number):
            raise ValueError(f"agency {self.id}: give endpoint or number (one of them)")
        return self

    def dial_string(self, outbound_trunk: str) -> str:
        return self.endpoint or outbound_trunk.format(number=self.number)


class FlowConfig(BaseModel):
    app: str = "hotline"
    hotline_caller_id: str = Field(
        default='"Hotline 111" <111>', description="caller id shown on counsellors' phones"
    )
    callback_caller_id: str = Field(
        default='"" <1900>', description="neutral caller id for callbacks to survivors"
    )
    outbound_trunk: str = "PJSIP/{number}@outbound"
    ring_timeout: float = Field(default=15.0, gt=0)
    consult_ring_timeout: float = Field(
        default=30.0, gt=0, description="how long a consultation target rings before giving up"
    )
    max_wait: float = Field(default=900.0, gt=0, description="then: emergency message, callback")
    queue_cap: int = Field(default=200, ge=1, description="waiting callers before surge message")
    announce_positions: bool = True
    callback_digit_timeout: float = Field(default=8.0, gt=0)
    stranded_after: float = Field(default=30.0, gt=0)
    missed_auto_resume: float | None = Field(
        default=None,
        gt=0,
        description="after a ring with no answer the counsellor is 'missed' (paused) until they "
        "come back; set this to make them available again by themselves after so many seconds",
    )
    custom_prompts: bool = False
    moh_class: str = "default"
    ivr: IvrConfig = Field(default_factory=IvrConfig)
    counsellors: list[CounsellorEntry] = Field(default_factory=list)
    agencies: list[AgencyEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> FlowConfig:
        ids = [c.id for c in self.counsellors]
        endpoints = [c.endpoint for c in self.counsellors]
        if len(set(ids)) != len(ids):
            raise ValueError("counsellor ids must be unique")
        if len(set(endpoints)) != len(endpoints):
            raise ValueError("two counsellors cannot share one phone endpoint")
        return self

    def counsellor(self, counsellor_id: str) -> CounsellorEntry | None:
        for entry in self.counsellors:
            if entry.id == counsellor_id:
                return entry
        return None

    def counsellor_by_endpoint(self, endpoint: str) -> CounsellorEntry | None:
        for entry in self.counsellors:
            if entry.endpoint.lower() == endpoint.lower():
                return entry
        return None
