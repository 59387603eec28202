"""The simulator reads real Asterisk configuration: the lab's (recordings) and the product's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pbxsim.conf import ConfError, load_config, parse_conf, split_args
from pbxsim.conf.dialplan import build_dialplan
from pbxsim.conf.objects import build_pjsip, build_queues

ROOT = Path(__file__).resolve().parents[3]
LAB = ROOT / "tests" / "fixtures" / "asterisk" / "lab-etc"
PRODUCT = ROOT / "asterisk-conf"


def test_lab_dialplan_hotline_falls_through_to_the_queue() -> None:
    plan = load_config(LAB).dialplan
    hotline = plan.find("from-trunk", "1800")
    assert hotline is not None
    steps = [(p.app, p.data) for p in hotline.ordered()]
    assert steps[:3] == [
        ("NoOp", "Hotline 1800 from ${CALLERID(all)}"),
        ("Answer", ""),
        ("Stasis", "hotline"),
    ]
    assert ("Queue", "hanoi,,,,20") in steps
    done = hotline.label("done")
    assert done is not None
    assert (done.number, done.app) == (10, "Hangup")
    assert hotline.priorities[8].args == ["hanoi", "", "", "", "20"]


def test_lab_dialplan_patterns_hints_and_h_extension() -> None:
    plan = load_config(LAB).dialplan
    assert plan.find("from-counselor", "1234") is not None
    letters = plan.find("from-counselor", "abc")
    assert letters is not None
    assert letters.name == "_[a-z]."
    assert plan.find("from-counselor", "1") is None  # `.` needs at least one more character
    assert plan.find("from-trunk", "9999") is None
    assert plan.find("from-trunk", "h") is not None
    assert plan.hints()[("lab-hints", "hn-03")] == "PJSIP/hn-03"
    assert plan.find("lab-local", "wait") is not None


def test_lab_pjsip_templates_and_same_name_sections() -> None:
    pjsip = load_config(LAB).pjsip
    hn01 = pjsip.endpoints["hn-01"]
    # context from [counselor](!,lab-endpoint), dtmf_mode from [lab-endpoint](!)
    assert hn01.context == "from-counselor"
    assert hn01.dtmf_mode == "rfc4733"
    assert (hn01.callerid_name, hn01.callerid_num) == ("HN-01", "hn-01")
    assert hn01.channel_callerid_num == "hn01"  # recordings: caller id numbers lose the dash
    assert pjsip.aors["hn-01"].contacts == ("sip:hn-01@127.0.0.1:5071",)
    assert "counselor" not in pjsip.endpoints and "lab-endpoint" not in pjsip.endpoints
    hn03 = pjsip.aors["hn-03"]
    assert hn03.contacts == ()
    assert (hn03.max_contacts, hn03.qualify_frequency, hn03.qualify_timeout) == (1, 2, 1.0)
    assert hn03.remove_existing
    assert pjsip.endpoints["trunk"].context == "from-trunk"
    assert pjsip.identifies["trunk-identify"].match == ("127.0.0.1",)
    assert sorted(pjsip.endpoints) == ["ag-01", "dn-01", "hn-01", "hn-02", "hn-03", "trunk"]


def test_lab_queues_users_and_http() -> None:
    conf = load_config(LAB)
    hanoi = conf.queues["hanoi"]
    assert (hanoi.strategy, hanoi.timeout, hanoi.ringinuse) == ("ringall", 15, False)
    assert [(m.interface, m.membername) for m in hanoi.members] == [
        ("PJSIP/hn-01", "HN-01"),
        ("PJSIP/hn-02", "HN-02"),
    ]
    assert conf.queues["q1"].strategy == "linear"
    assert conf.ari.users["lab"].password == "lab"
    manager = conf.manager.users["lab"]
    assert (manager.secret, manager.read, manager.write) == ("lab", ("all",), ("all",))
    assert (conf.manager.bindaddr, conf.manager.port) == ("127.0.0.1", 5038)
    assert (conf.http.bindaddr, conf.http.bindport) == ("127.0.0.1", 8088)
    cdr = conf.section("cdr_manager.conf", "general")
    assert cdr is not None


def test_product_configuration_is_read_by_the_simulator() -> None:
    if not (PRODUCT / "extensions.conf").is_file():
        pytest.skip("asterisk-conf/ has no extensions.conf yet")
    conf = load_config(PRODUCT)
    stasis = [
        (ctx.name, ext.name)
        for ctx in conf.dialplan.contexts.values()
        for ext in ctx.extensions.values()
        for p in ext.priorities.values()
        if p.app == "Stasis"
    ]
    assert stasis, "the product dialplan sends the hotline number to Stasis"
    queued = {
        p.args[0]
        for ctx in conf.dialplan.contexts.values()
        for ext in ctx.extensions.values()
        for p in ext.priorities.values()
        if p.app == "Queue"
    }
    assert queued, "the product dialplan has a fallback Queue()"
    assert queued <= set(conf.queues), f"Queue() names a queue missing from queues.conf: {queued}"
    for endpoint in conf.pjsip.endpoints.values():
        assert endpoint.context in conf.dialplan.contexts, endpoint.name
    assert conf.manager.users and conf.ari.users


def test_templates_arrow_semicolons_block_comments_and_additions() -> None:
    text = """
[base](!)
allow = ulaw ; a comment
note = a\\;b
;-- a block
comment over lines --;
[child](base)
allow = alaw
member => one
[child](+)
extra = yes
"""
    sections = parse_conf(text, filename="t.conf")
    child = next(s for s in sections if s.name == "child")
    assert child.get_all("allow") == ["ulaw", "alaw"]
    assert child.get("allow") == "alaw"
    assert child.get("note") == "a;b"
    assert child.get("extra") == "yes"
    member = next(e for e in child.entries if e.key == "member")
    assert member.arrow
    assert next(s for s in sections if s.name == "base").is_template


def test_include_reads_a_file_from_the_same_directory(tmp_path: Path) -> None:
    (tmp_path / "extensions.conf").write_text(
        '[ctx]\nexten => _NXX,1,Answer\n#include "more.conf"\n', encoding="utf-8"
    )
    (tmp_path / "more.conf").write_text(
        "exten => 100,1,NoOp(x)\n same => n(end),Hangup(16)\n", encoding="utf-8"
    )
    conf = load_config(tmp_path)
    ext = conf.dialplan.find("ctx", "100")
    assert ext is not None
    assert [(p.number, p.label, p.app, p.data) for p in ext.ordered()] == [
        (1, None, "NoOp", "x"),
        (2, "end", "Hangup", "16"),
    ]
    other = conf.dialplan.find("ctx", "234")
    assert other is not None
    assert other.name == "_NXX"
    assert conf.dialplan.find("ctx", "134") is None
    assert "more.conf" not in conf.files


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key = value\n", "before any [section]"),
        ("[a](missing)\nx = 1\n", "inherits from [missing]"),
        ("[a]\njust words\n", "expected 'key = value'"),
        ("[a\n", "malformed section header"),
        ("[a]\n#include nothere.conf\n", "no configuration directory"),
        ("[a]\n;-- never closed\n", "never closed"),
    ],
)
def test_bad_files_give_a_clear_error_with_the_line(text: str, message: str) -> None:
    with pytest.raises(ConfError, match=re.escape(message)) as info:
        parse_conf(text, filename="bad.conf")
    assert str(info.value).startswith("bad.conf:")


def test_bad_dialplan_and_objects_are_rejected() -> None:
    with pytest.raises(ConfError, match="'same =>' before"):
        build_dialplan(parse_conf("[c]\nsame => n,Answer\n", filename="e.conf"))
    with pytest.raises(ConfError, match="defined twice"):
        build_dialplan(parse_conf("[c]\nexten => 1,1,A\nexten => 1,1,B\n", filename="e.conf"))
    with pytest.raises(ConfError, match="has no 'type ='"):
        build_pjsip(parse_conf("[x]\ncontext = c\n", filename="pjsip.conf"))
    with pytest.raises(ConfError, match="names AOR 'gone'"):
        build_pjsip(parse_conf("[x]\ntype = endpoint\naors = gone\n", filename="pjsip.conf"))
    with pytest.raises(ConfError, match="unknown strategy"):
        build_queues(parse_conf("[q]\nstrategy = fastest\n", filename="queues.conf"))
    with pytest.raises(ConfError, match="not a whole number"):
        build_queues(parse_conf("[q]\ntimeout = soon\n", filename="queues.conf"))


def test_application_arguments_respect_parentheses_and_quotes() -> None:
    assert split_args('$["${A}" = "1"]?yes:no') == ['$["${A}" = "1"]?yes:no']
    assert split_args("PJSIP/hn-01,15,tT") == ["PJSIP/hn-01", "15", "tT"]
    assert split_args('Set(X=${CUT(A,-,1)}),"a,b"') == ["Set(X=${CUT(A,-,1)})", '"a,b"']
    assert split_args("") == []
