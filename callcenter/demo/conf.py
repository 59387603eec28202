"""What the demo runs on: the product's Asterisk configuration grown to the scenario's phones,
and the service's settings (SQLite under the demo's folder, the scenario's routing policy).

The phone generator follows tests/e2e/product.py: every added phone is declared from the
product's own pjsip.conf templates (``counsellor-hn``, ``counsellor-aor``, ``counsellor-auth``), so
the demo exercises exactly the configuration a deployment would load.
"""

from __future__ import annotations

import json
import shutil
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from callcenter.flow.config import CounsellorEntry, FlowConfig
from callcenter.flow.ivr import IvrConfig
from callcenter.scenario import Scenario
from callcenter.settings import (
    AmiSettings,
    AriSettings,
    DatabaseSettings,
    RoutingSettings,
    ServiceSettings,
    Settings,
)
from pbxsim.conf import load_config
from routing.model import Gender

PRODUCT_CONF = Path(__file__).parents[2] / "asterisk-conf"
CENTRES = ("hn", "dn", "ag")  # the product's templates: counsellor-hn, counsellor-dn, counsellor-ag


def phones_needed(scenario: Scenario) -> int:
    """Phones per centre: one for every counsellor of the busiest centre (shifts included)."""
    per: dict[str, int] = {}
    for centre, _person in scenario.counsellors():
        per[centre] = per.get(centre, 0) + 1
    return max(per.values(), default=0)


def conf_with_phones(target: Path, per_centre: int, source: Path = PRODUCT_CONF) -> Path:
    """``source`` copied to ``target`` with phones ``hn-01``.. ``hn-NN`` (and DN, AG) added."""
    shutil.copytree(source, target)
    existing = set(load_config(source).pjsip.endpoints)
    lines = ["", "; ---- added by `callcenter demo`: counsellor phones from the same templates"]
    for centre in CENTRES:
        for n in range(1, per_centre + 1):
            name = f"{centre}-{n:02d}"
            if name in existing:
                continue
            lines += [
                f"[{name}](counsellor-{centre})",
                f"aors = {name}",
                f"auth = {name}",
                f'callerid = "{name.upper()}" <{name}>',
                f"[{name}](counsellor-aor)",
                f"[{name}](counsellor-auth)",
                f"username = {name}",
                f"password = demo-{name}",
                "",
            ]
    with (target / "pjsip.conf").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    return target


def demo_settings(
    *,
    conf_dir: Path,
    ari_base: str,
    ami_port: int,
    scenario: Scenario,
    endpoint_of: dict[str, str],
    var_dir: Path,
    http_port: int,
    speed: float,
) -> Settings:
    """The service on SQLite in ``var_dir``, counsellors on the phones the actors gave them."""
    conf = load_config(conf_dir)
    (ari_user,) = conf.ari.users.values()
    (ami_user,) = conf.manager.users.values()
    counsellors = [
        CounsellorEntry(
            id=person.id,
            centre=centre,
            endpoint=f"PJSIP/{endpoint_of[person.id]}",
            languages=frozenset(person.languages),
            gender=Gender(person.gender),
        )
        for centre, person in scenario.counsellors()
    ]
    policy = scenario.routing_policy()
    return Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{(var_dir / 'demo.db').resolve()}"),
        ari=AriSettings(
            url=ari_base, username=ari_user.name, password=SecretStr(ari_user.password)
        ),
        ami=AmiSettings(port=ami_port, username=ami_user.name, secret=SecretStr(ami_user.secret)),
        service=ServiceSettings(
            node="demo", var_dir=var_dir.resolve(), http_port=http_port, timeline_speed=speed
        ),
        flow=FlowConfig(
            counsellors=counsellors,
            ring_timeout=policy.ring_timeout,
            missed_auto_resume=scenario.staff.missed_return.expected(),
            announce_positions=False,
            ivr=IvrConfig(digit_timeout=3.0, attempts=1),
        ),
        routing=RoutingSettings(
            centres=policy.centres,
            overflow_after=policy.overflow_after,
            language_wait=policy.language_wait,
            gender_wait=policy.gender_wait,
            max_overtake=policy.max_overtake,
            urgent_lead=policy.urgent_lead,
            wrap_up=policy.wrap_up,
            callback_offer_wait=policy.callback_offer_wait,
            announce_interval=None,
            expected_talk_time=policy.expected_talk_time,
        ),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot put {type(value).__name__} in the environment")


def settings_env(settings: Settings) -> dict[str, str]:
    """``CALLCENTER_<SECTION>`` = the section as JSON, the way production configures
    ``callcenter serve`` and ``callcenter watchdog`` (pydantic-settings parses it back)."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        key = f"CALLCENTER_{name.upper()}"
        env[key] = value if isinstance(value, str) else json.dumps(value, default=_plain)
    return env
