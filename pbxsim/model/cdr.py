"""Call detail records, posted when a channel goes (cdr_manager -> AMI ``Cdr``)."""

from __future__ import annotations

from pbxsim.model import happenings as h
from pbxsim.model.objects import Channel
from pbxsim.model.pbx import Pbx

DISPOSITION = {17: "BUSY", 19: "NO ANSWER", 20: "FAILED", 21: "FAILED", 34: "FAILED"}


def write_cdr(pbx: Pbx, ch: Channel, cause: int) -> None:
    if ch.tech != "PJSIP":
        return
    end = pbx.now()
    answered = ch.answered_at
    disposition = "ANSWERED" if answered is not None else DISPOSITION.get(cause, "NO ANSWER")
    peer = ch.variables.get("BRIDGEPEER", "")
    cdr = h.CdrRecord(
        accountcode=ch.accountcode,
        source=ch.caller_number,
        destination=ch.exten,
        destination_context=ch.context,
        caller_id=f'"{ch.caller_name}" <{ch.caller_number}>',
        channel=ch.name,
        destination_channel=peer,
        last_application=ch.app_name,
        last_data=ch.app_data,
        start=ch.creationtime,
        answer=answered,
        end=end,
        duration=int(end - ch.creationtime),
        billable_seconds=int(end - answered) if answered is not None else 0,
        disposition=disposition,
        amaflags="DOCUMENTATION",
        uniqueid=ch.id,
        userfield=ch.variables.get("CDR(userfield)", ""),
    )
    pbx.publish(h.CdrWritten(end, cdr))
