"""The project's one scenario format: a simulated world of callers and counsellors, in TOML.

Read by ``callcenter simulate`` (the discrete-event simulator, no network) and by the PBX
simulator (``pbxsim``), which also reads the optional ``[pbx]`` section. Versioned with
``format = 1``; every table rejects keys it does not know, so a typo is an error, never a silent
default. Every field is documented in docs/scenario.md.

Times of day are ``"HH:MM"`` strings; durations are seconds (floats). Distributions are tables
with a ``kind`` (``exponential``, ``lognormal``, ``gamma``, ``uniform``, ``fixed``, ``never``) and
each has :meth:`sample` so both simulators draw from them the same way.
"""

from callcenter.scenario.base import (
    DAY,
    FORMAT_VERSION,
    HOUR,
    CentreCode,
    Gender,
    GenderWish,
    LanguageCode,
    ScenarioError,
    Seconds,
    Share,
    Weight,
    parse_clock,
    parse_shift,
)
from callcenter.scenario.distributions import (
    Distribution,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    Never,
    Uniform,
    fixed,
)
from callcenter.scenario.model import Scenario, load_scenario, parse_scenario
from callcenter.scenario.parts import (
    Arrivals,
    CallerMix,
    CallerOverrides,
    Centre,
    Counsellor,
    Report,
    Staff,
    Surge,
    Team,
    expand_team,
)
from callcenter.scenario.pbx import (
    CallerNumbers,
    DigitScript,
    Ivr,
    Pbx,
    PhoneBehaviour,
    PhoneOverrides,
    Phones,
)

__all__ = [
    "DAY",
    "FORMAT_VERSION",
    "HOUR",
    "Arrivals",
    "CallerMix",
    "CallerNumbers",
    "CallerOverrides",
    "Centre",
    "CentreCode",
    "Counsellor",
    "DigitScript",
    "Distribution",
    "Exponential",
    "Fixed",
    "Gamma",
    "Gender",
    "GenderWish",
    "Ivr",
    "LanguageCode",
    "LogNormal",
    "Never",
    "Pbx",
    "PhoneBehaviour",
    "PhoneOverrides",
    "Phones",
    "Report",
    "Scenario",
    "ScenarioError",
    "Seconds",
    "Share",
    "Staff",
    "Surge",
    "Team",
    "Uniform",
    "Weight",
    "expand_team",
    "fixed",
    "load_scenario",
    "parse_clock",
    "parse_scenario",
    "parse_shift",
]
