"""Thresholds of the call-centre figures (shared by the statistics and their hourly rollup)."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.settings import CallRecordSettings

VIET_NAM = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True, slots=True)
class StatsOptions:
    service_level_s: float = 20.0
    short_abandon_s: float = 5.0
    timezone: str = VIET_NAM

    @classmethod
    def from_settings(cls, settings: CallRecordSettings) -> StatsOptions:
        return cls(
            service_level_s=settings.service_level_s, short_abandon_s=settings.short_abandon_s
        )
