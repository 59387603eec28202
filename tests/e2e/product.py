"""The product's Asterisk configuration (asterisk-conf/), grown to as many counsellor phones as a
scenario needs, and a service wired to the PBX simulator running it."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from callcenter.demo.conf import conf_with_phones
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
from pbxsim.server import Simulator

PRODUCT_CONF = Path(__file__).parents[2] / "asterisk-conf"


def product_conf_with_phones(directory: Path, per_centre: int) -> Path:
    """asterisk-conf/ copied to ``directory`` with phones ``hn-01``.. ``hn-NN`` (and DN, AG)
    declared from the product's own templates (the demo's own generator)."""
    return conf_with_phones(directory / "asterisk-conf", per_centre, PRODUCT_CONF)


def product_settings(
    sim: Simulator,
    conf_dir: Path,
    scenario: Scenario,
    endpoint_of: dict[str, str],
    db_url: str,
    var_dir: Path,
) -> Settings:
    """Settings for a scenario's counsellors on the phones the actors gave them."""
    counsellors = [
        CounsellorEntry(
            id=person.id,
            centre=centre,
            endpoint=f"PJSIP/{endpoint_of[person.id]}",
            languages=frozenset(person.languages),
            gender=person.gender,
        )
        for centre, person in scenario.counsellors()
    ]
    policy = scenario.routing_policy()
    routing = RoutingSettings(
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
    )
    return service_settings(
        sim, conf_dir, counsellors, db_url, var_dir, routing, ring_timeout=policy.ring_timeout
    )


def service_settings(
    sim: Simulator,
    conf_dir: Path,
    counsellors: list[CounsellorEntry],
    db_url: str,
    var_dir: Path,
    routing: RoutingSettings,
    *,
    ring_timeout: float = 5.0,
) -> Settings:
    """The service on the product configuration, credentials read from its ari/manager.conf."""
    conf = load_config(conf_dir)
    (ari_user,) = conf.ari.users.values()
    (ami_user,) = conf.manager.users.values()
    return Settings(
        database=DatabaseSettings(url=db_url),
        ari=AriSettings(
            url=sim.ari_base, username=ari_user.name, password=SecretStr(ari_user.password)
        ),
        ami=AmiSettings(
            port=sim.ami_port, username=ami_user.name, secret=SecretStr(ami_user.secret)
        ),
        service=ServiceSettings(node="hn", var_dir=var_dir),
        flow=FlowConfig(
            counsellors=counsellors,
            ring_timeout=ring_timeout,
            max_wait=600.0,
            callback_digit_timeout=1.0,
            announce_positions=False,
            ivr=IvrConfig(digit_timeout=1.0, attempts=1),
        ),
        routing=routing,
    )
