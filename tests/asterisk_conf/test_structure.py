"""asterisk-conf/ holds together: what one file names, another defines; the service's
settings match it; the carrier cannot dial out; the fallback path keeps centre and danger.

Parsed with pbxsim.conf, the same reader the PBX simulator uses, so the simulator and these
checks see the same configuration.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from callcenter.calls.asterisk_logs import CDR_CUSTOM_COLUMNS
from callcenter.calls.importer import _userfield
from callcenter.flow.config import FlowConfig
from callcenter.settings import Settings
from pbxsim.conf import AsteriskConfig, Section, load_config
from pbxsim.conf.dialplan import Extension, split_args

CONF = Path(__file__).resolve().parents[2] / "asterisk-conf"
CENTRES = {"HN": "fallback-hn", "DN": "fallback-dn", "AG": "fallback-ag"}
EXPECTED_FILES = {
    "pjsip.conf", "extensions.conf", "queues.conf", "ari.conf", "http.conf", "manager.conf",
    "musiconhold.conf", "modules.conf", "cdr.conf", "cdr_custom.conf", "cdr_manager.conf",
    "logger.conf", "rtp.conf",
}  # fmt: skip


@pytest.fixture(scope="module")
def conf() -> AsteriskConfig:
    return load_config(CONF)


def pjsip_sections(conf: AsteriskConfig, kind: str) -> dict[str, Section]:
    return {
        s.name: s for s in conf.files["pjsip.conf"] if not s.is_template and s.get("type") == kind
    }


def counsellors(conf: AsteriskConfig) -> dict[str, Section]:
    return {
        n: s
        for n, s in pjsip_sections(conf, "endpoint").items()
        if s.get("context") == "from-counsellor"
    }


def test_every_file_is_there_parses_and_says_what_it_is_for(conf: AsteriskConfig) -> None:
    assert set(conf.files) >= EXPECTED_FILES
    for name in EXPECTED_FILES:
        first = (CONF / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(f"; {name} - "), f"{name} starts with a comment saying its role"


def test_only_placeholder_secrets(conf: AsteriskConfig) -> None:
    secrets = [
        (name, e.key, e.value)
        for name, sections in conf.files.items()
        for s in sections
        for e in s.entries
        if e.key.lower() in {"password", "secret", "md5_cred"}
    ]
    assert len(secrets) >= 12
    for name, key, value in secrets:
        assert re.fullmatch(r"CHANGE_ME_[A-Z0-9_]+", value), f"{name} {key} = {value!r}"
    assert len({v for *_, v in secrets}) == len(secrets), "each account its own placeholder"


def test_pjsip_templates_and_references_resolve(conf: AsteriskConfig) -> None:
    sections = conf.files["pjsip.conf"]
    templates = {s.name for s in sections if s.is_template}
    for s in sections:
        assert set(s.templates) <= templates, f"[{s.name}] uses an unknown template"
    endpoints = pjsip_sections(conf, "endpoint")
    aors, auths = pjsip_sections(conf, "aor"), pjsip_sections(conf, "auth")
    transports = pjsip_sections(conf, "transport")
    for name, ep in endpoints.items():
        assert ep.get("transport") in transports, name
        for aor in (ep.get("aors") or "").split(","):
            assert aor.strip() in aors, f"{name}: aor {aor}"
        for key in ("auth", "outbound_auth"):
            if ep.get(key):
                assert ep.get(key) in auths, f"{name}: {key}"
    for name, ident in pjsip_sections(conf, "identify").items():
        assert ident.get("endpoint") in endpoints, name


def test_counsellors_are_encrypted_and_one_call_at_a_time(conf: AsteriskConfig) -> None:
    phones = counsellors(conf)
    assert {n[:2] for n in phones} == {"hn", "dn", "ag"}
    for name, ep in phones.items():
        assert ep.get("subscribe_context") in conf.dialplan.contexts, name
        assert re.fullmatch(r"(hn|dn|ag)-(web-)?\d\d", name), name
        assert ep.get("device_state_busy_at") == "1", name
        assert ep.get("auth") == name and ep.get("aors") == name
        assert ep.get("accountcode") == name[:2].upper()
        if "-web-" in name:
            assert (ep.get("webrtc"), ep.get("transport")) == ("yes", "transport-wss"), name
        else:
            assert (ep.get("media_encryption"), ep.get("transport")) == ("sdes", "transport-tls")
    transports = pjsip_sections(conf, "transport")
    assert transports["transport-tls"].get("protocol") == "tls"
    assert transports["transport-wss"].get("protocol") == "wss"


def test_every_context_and_queue_named_exists(conf: AsteriskConfig) -> None:
    plan = conf.dialplan
    for ep in pjsip_sections(conf, "endpoint").values():
        assert ep.get("context") in plan.contexts, ep.name
    for ctx in plan.contexts.values():
        assert set(ctx.includes) <= set(plan.contexts)
        for ext in ctx.extensions.values():
            for p in ext.priorities.values():
                for target in jump_targets(p.app, p.data):
                    if target[0] is not None:
                        assert target[0] in plan.contexts, (ctx.name, ext.name, p.data)
                if p.app == "Queue":
                    assert p.args[0] in conf.queues, p.data
                if p.app == "Dial":
                    assert p.args[0].endswith("@outbound"), p.data


def test_queues_hold_exactly_the_counsellors_of_their_centre(conf: AsteriskConfig) -> None:
    phones = set(counsellors(conf))
    assert set(conf.queues) == {*CENTRES.values(), "fallback-all"}
    for centre, queue in CENTRES.items():
        members = {m.interface.removeprefix("PJSIP/") for m in conf.queues[queue].members}
        assert members == {p for p in phones if p.startswith(centre.lower() + "-")}, queue
    everyone = {m.interface.removeprefix("PJSIP/") for m in conf.queues["fallback-all"].members}
    assert everyone == phones
    for q in conf.queues.values():
        assert not q.ringinuse, q.name
        for m in q.members:
            assert m.membername == m.interface.removeprefix("PJSIP/")


def reachable_contexts(conf: AsteriskConfig, start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        ctx = conf.dialplan.contexts[name]
        todo += ctx.includes
        for ext in ctx.extensions.values():
            for p in ext.priorities.values():
                todo += [c for c, _, _ in jump_targets(p.app, p.data) if c]
    return seen


def test_the_carrier_cannot_dial_out(conf: AsteriskConfig) -> None:
    carrier = pjsip_sections(conf, "endpoint")["carrier-in"]
    assert carrier.get("context") == "from-carrier"
    assert carrier.get("allow_transfer") == "no"
    reachable = reachable_contexts(conf, "from-carrier")
    assert reachable == {"from-carrier", "hotline", "hotline-fallback"}
    for name in reachable:
        for ext in conf.dialplan.contexts[name].extensions.values():
            for p in ext.priorities.values():
                assert p.app not in {"Dial", "Originate", "ChanSpy", "System", "Exec"}, p
                assert "outbound" not in p.data and "Local/" not in p.data, p


def test_hotline_numbers_enter_stasis_of_the_service_app(conf: AsteriskConfig) -> None:
    app = Settings().ari.app
    assert app == FlowConfig().app == "hotline"
    for number in (Settings().hotline_number, "18001567", "+84111"):
        ext = conf.dialplan.find("from-carrier", number)
        assert ext is not None and ext.ordered()[0].data == "hotline,${EXTEN},1", number
        assert conf.dialplan.find("hotline", number) is not None
        assert conf.dialplan.find("hotline-fallback", number) is not None
    steps = [(p.app, p.data) for p in hotline(conf).ordered()]
    assert ("Stasis", app) in steps
    assert "Answer" not in [a for a, _ in steps[: steps.index(("Stasis", app))]]
    assert steps[-1] == ("Goto", "hotline-fallback,${EXTEN},1")
    assert conf.dialplan.find("from-carrier", "1900") is not None  # _X. -> refused
    assert conf.dialplan.find("from-carrier", "1900").ordered()[0].app == "Hangup"  # type: ignore[union-attr]


def hotline(conf: AsteriskConfig) -> Extension:
    ext = conf.dialplan.find("hotline", "111")
    assert ext is not None
    return ext


def walk_fallback(conf: AsteriskConfig, variables: dict[str, str]) -> tuple[str, str]:
    """Run [hotline-fallback] (Set / GotoIf / Goto only) to its first Queue()."""
    ext = conf.dialplan.find("hotline-fallback", "111")
    assert ext is not None
    env = dict(variables)
    number = 1
    for _ in range(50):
        p = ext.priority(number)
        assert p is not None
        data = re.sub(r"\$\{([A-Z_]+)\}", lambda m: env.get(m.group(1), ""), p.data)
        number += 1
        if p.app == "Queue":
            return split_args(data)[0], env.get("QUEUE_PRIO", "")
        if p.app == "Set":
            key, _, value = data.partition("=")
            env[key] = value
        elif p.app == "Goto":
            number = label(ext, data)
        elif p.app == "GotoIf":
            cond, _, targets = data.partition("?")
            yes, _, no = targets.partition(":")
            m = re.fullmatch(r'\$\["(.*)" = "(.*)"\]', cond.strip())
            assert m, cond
            target = yes if m.group(1) == m.group(2) else no
            if target:
                number = label(ext, target)
    raise AssertionError("no Queue() reached")


def label(ext: Extension, name: str) -> int:
    p = ext.label(name)
    assert p is not None, name
    return p.number


@pytest.mark.parametrize(
    ("centre", "danger", "queue", "prio"),
    [
        ("HN", "0", "fallback-hn", "0"),
        ("DN", "", "fallback-dn", "0"),
        ("AG", "0", "fallback-ag", "0"),
        ("", "0", "fallback-all", "0"),
        (None, None, "fallback-all", "0"),  # the service never ran (STASISSTATUS=FAILED)
        ("HN", "1", "fallback-all", "10"),
        ("", "1", "fallback-all", "10"),
    ],
)
def test_fallback_keeps_centre_and_danger(
    conf: AsteriskConfig, centre: str | None, danger: str | None, queue: str, prio: str
) -> None:
    variables = {"HOTLINE_STASISSTATUS": "FAILED"}
    if centre is not None:
        variables["HOTLINE_CENTRE"] = centre
    if danger is not None:
        variables["HOTLINE_DANGER"] = danger
    assert walk_fallback(conf, variables) == (queue, prio)


def test_fallback_userfield_is_what_the_importer_reads(conf: AsteriskConfig) -> None:
    ext = conf.dialplan.find("hotline-fallback", "111")
    assert ext is not None
    hn = ext.label("hn")
    assert hn is not None and hn.data.startswith("CDR(userfield)=")
    value = re.sub(r"\$\{HOTLINE_DANGER\}", "1", hn.data.split("=", 1)[1])
    fields = _userfield(value)
    assert (fields["fallback"], fields["queue"], fields["centre"], fields["danger"]) == (
        "1", "fallback-hn", "HN", "1",
    )  # fmt: skip
    assert {"lang", "stasis"} <= set(fields)


def test_fallback_never_ends_the_call(conf: AsteriskConfig) -> None:
    ext = conf.dialplan.find("hotline-fallback", "111")
    assert ext is not None
    apps = [p.app for p in ext.ordered()]
    assert "Hangup" not in apps
    assert apps[-1] == "Goto"  # after a queue timeout: message, then back into the queue


def test_manager_user_is_least_privilege(conf: AsteriskConfig) -> None:
    settings = Settings()
    user = conf.manager.users[settings.ami.username]
    assert set(user.read) == {"system", "call", "agent", "cdr"}
    assert set(user.write) == {"reporting", "agent", "originate"}
    assert "all" not in {*user.read, *user.write}
    assert user.deny == ("0.0.0.0/0.0.0.0",) and user.permit == ("127.0.0.1/255.255.255.255",)
    assert conf.manager.bindaddr == "127.0.0.1"
    assert list(conf.manager.users) == [settings.ami.username]


def test_ari_user_and_http(conf: AsteriskConfig) -> None:
    settings = Settings()
    assert list(conf.ari.users) == [settings.ari.username]
    assert not conf.ari.users[settings.ari.username].read_only
    assert conf.http.bindaddr == "127.0.0.1" and conf.http.bindport == 8088
    assert settings.ari.url == "http://127.0.0.1:8088"
    http = conf.section("http.conf", "general")
    assert http is not None and http.get("tlsenable") == "yes"


def test_records_of_fallback_calls_are_written_by_asterisk(conf: AsteriskConfig) -> None:
    cdr = conf.section("cdr.conf", "general")
    assert cdr is not None
    assert (cdr.get("enable"), cdr.get("unanswered"), cdr.get("batch")) == ("yes", "yes", "no")
    csv = conf.section("cdr.conf", "csv")
    assert csv is not None and csv.get("loguniqueid") == csv.get("loguserfield") == "yes"
    mapping = conf.section("cdr_custom.conf", "mappings")
    assert mapping is not None
    columns = re.findall(r"CDR\((\w+)\)", mapping.get("Master.csv") or "")
    assert columns == CDR_CUSTOM_COLUMNS  # what the service's importer reads
    logger = conf.section("logger.conf", "general")
    assert logger is not None
    assert (logger.get("queue_log"), logger.get("queue_log_to_file")) == ("yes", "yes")
    manager = conf.section("cdr_manager.conf", "general")
    assert manager is not None and manager.get("enabled") == "yes"
    queues = conf.section("queues.conf", "general")
    assert queues is not None and queues.get("log_membername_as_agent") == "yes"


def test_required_and_refused_modules(conf: AsteriskConfig) -> None:
    modules = conf.section("modules.conf", "modules")
    assert modules is not None
    required = set(modules.get_all("require"))
    assert {
        "app_queue.so",
        "app_stasis.so",
        "res_ari.so",
        "res_srtp.so",
        "cdr_custom.so",
    } <= required
    assert {"app_system.so", "app_voicemail.so"} <= set(modules.get_all("noload"))
    moh = conf.section("musiconhold.conf", "default")
    assert moh is not None and FlowConfig().moh_class == "default"
    for q in ("fallback-hn", "fallback-all"):
        assert conf.section("queues.conf", "fallback") is None  # a template, not a queue
        assert q in conf.queues


def jump_targets(app: str, data: str) -> list[tuple[str | None, str, str]]:
    """(context or None, exten, priority) of Goto / GotoIf targets."""
    if app == "Goto":
        raw = [data]
    elif app == "GotoIf":
        raw = [t for t in data.partition("?")[2].split(":") if t]
    else:
        return []
    out: list[tuple[str | None, str, str]] = []
    for target in raw:
        parts = [x.strip() for x in target.split(",")]
        if len(parts) == 3:
            out.append((parts[0], parts[1], parts[2]))
        elif len(parts) == 2:
            out.append((None, parts[0], parts[1]))
        else:
            out.append((None, "", parts[0]))
    return out
