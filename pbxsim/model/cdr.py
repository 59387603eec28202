"""Call detail records, posted when a channel goes (cdr_manager -> AMI ``Cdr``)."""

from __future__ import annotations

from pbxsim.model import happenings as h
from pbxsim.model.objects import Channel
from pbxsim.model.pbx import Pbx

DISPOSITION = {17: "BUSY", 19: "NO ANSWER", 20: "FAILED", 21: "FAILED", 34: "FAILED"}


def write_cdr(pbx: Pbx, ch: Channel, cause: int) -> None:
    """Asterisk's CDR engine keeps one record per party B: the caller of a queue gets one per
    member leg rung, whose legs have none of their own (ami-queue-call.raw: two Cdr, both
    Channel=PJSIP/trunk); the older channel of a bridged pair gets one per younger channel it
    was bridged with (ami-transfer-phone-refer-ari-only.raw: trunk with hn-01, then with
    dn-01); a channel that was never party A has one record. Snoop channels have theirs too
    (ami-snoop.raw: Channel=Snoop/..., Destination ``s``, LastApplication Stasis)."""
    if ch.tech not in ("PJSIP", "Snoop") or ch.cdr_merged:
        return
    if not ch.cdr_peers:
        _publish(pbx, ch, cause, ch.variables.get("BRIDGEPEER", ""), ch.answered_at)
        return
    for peer in ch.cdr_peers:
        answered = peer.answered_at if ch.answered_at is not None else None
        _publish(pbx, ch, cause, peer.name, answered)


def _publish(
    pbx: Pbx, ch: Channel, cause: int, destination_channel: str, answered: float | None
) -> None:
    end = pbx.now()
    disposition = "ANSWERED" if answered is not None else DISPOSITION.get(cause, "NO ANSWER")
    cdr = h.CdrRecord(
        accountcode=ch.accountcode,
        source=ch.caller_number,
        destination=ch.exten,
        destination_context=ch.context,
        caller_id=f'"{ch.caller_name}" <{ch.caller_number}>',
        channel=ch.name,
        destination_channel=destination_channel,
        last_application=ch.app_name,
        last_data=ch.app_data,
        start=ch.creationtime,
        answer=answered if answered is not None else ch.answered_at,
        end=end,
        duration=int(end - ch.creationtime),
        billable_seconds=int(end - answered) if answered is not None else 0,
        disposition=disposition,
        amaflags="DOCUMENTATION",
        uniqueid=ch.id,
        userfield=ch.variables.get("CDR(userfield)", ""),
    )
    pbx.publish(h.CdrWritten(end, cdr))
