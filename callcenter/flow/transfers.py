"""Supervisors and blind transfers of a call in conversation.

Supervisors listen, whisper (ARI snoop on the counsellor's leg) or barge (join the call's
bridge); a blind transfer rings the target (a colleague of any centre, or an agency of the
directory through the outbound trunk) and swaps them into the bridge only once they answer, so
a transfer never drops a caller (:class:`callcenter.flow.supervision.CallControl` does the
Asterisk side). :meth:`TransferDesk.hand_over` is shared with the consult transfer
(:mod:`callcenter.flow.consult`): the record and routing learn that the call is the target's.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from callcenter.calls import facts
from callcenter.calls.outcomes import TransferKind
from callcenter.flow.call import HotlineCall, Offer, Phase
from callcenter.flow.supervision import Mode, Session, SupervisionError, Transfer
from routing import events as rev
from routing.model import CounsellorState

if TYPE_CHECKING:
    from callcenter.flow.app import HotlineApp

log = logging.getLogger(__name__)


class TransferDesk:
    def __init__(self, app: HotlineApp) -> None:
        self.app = app

    def connected_call(self, call_id: str) -> HotlineCall:
        call = self.app.calls.get(call_id)
        if call is None or call.phase is not Phase.CONNECTED or not call.bridged:
            raise SupervisionError(
                f"call {call_id} is not in a conversation / cuộc gọi không trong đàm thoại"
            )
        return call

    def supervise(self, call_id: str, endpoint: str, mode: Mode) -> Session:
        """A supervisor's phone (``endpoint``) listens to, whispers in or barges into a call."""
        call = self.connected_call(call_id)
        assert call.connected_offer is not None and call.bridge_id is not None
        return self.app.control.supervise(
            call_id, call.connected_offer, call.bridge_id, endpoint, mode
        )

    def transfer(
        self,
        call_id: str,
        *,
        counsellor_id: str | None = None,
        centre: str | None = None,
        agency_id: str | None = None,
    ) -> Transfer:
        """Blind transfer to a colleague (any centre), the longest-free counsellor of a centre,
        or an agency of the directory."""
        call = self.connected_call(call_id)
        if self.app.consults.active(call_id) is not None:
            raise SupervisionError(
                "a consultation is under way / cuộc gọi đang được tham khảo ý kiến"
            )  # fmt: skip
        current = call.counsellor_offer
        if centre is not None:
            counsellor_id = self.free_in(centre, but=current.counsellor_id if current else "")
        if counsellor_id is not None:
            entry = self.app.config.counsellor(counsellor_id)
            if entry is None:
                raise SupervisionError(f"unknown counsellor / không có tư vấn viên {counsellor_id}")
            return self.app.control.transfer(call_id, entry.endpoint, entry.id, entry.id)
        agency = next((a for a in self.app.config.agencies if a.id == agency_id), None)
        if agency is None:
            raise SupervisionError(f"unknown agency / không có cơ quan {agency_id}")
        endpoint = agency.dial_string(self.app.config.outbound_trunk)
        return self.app.control.transfer(call_id, endpoint, f"agency:{agency.id}", None)

    def free_in(self, centre: str, *, but: str) -> str:
        """The longest-free available counsellor of ``centre`` (not ``but``), whose phone can
        ring now; a clear error when there is none."""
        free = [
            v
            for v in self.app.driver.engine.counsellors()
            if v.centre == centre
            and v.state == CounsellorState.AVAILABLE
            and v.phone_usable
            and v.counsellor_id != but
        ]
        if not free:
            raise SupervisionError(
                f"no counsellor free in centre {centre} / "
                f"không có tư vấn viên rảnh ở trung tâm {centre}"
            )
        return min(free, key=lambda v: v.idle_since or 0.0).counsellor_id

    def answered(self, transfer: Transfer) -> None:
        call = self.app.calls.get(transfer.call_id)
        if call is None or call.phase is not Phase.CONNECTED or call.bridge_id is None:
            self.app.spawn(self.app.hangup(transfer.transfer_id))
            self.app.control.transfer_done(transfer)
            return
        agency = None if transfer.target_counsellor else transfer.target.removeprefix("agency:")
        old = self.hand_over(
            call, transfer.transfer_id, transfer.target_counsellor, agency, kind=TransferKind.BLIND
        )
        bridge_id = call.bridge_id

        async def swap() -> None:
            await self.app.ari.bridges.add_channel(bridge_id, transfer.transfer_id)
            if old is not None:
                await self.app.hangup(old.offer_id)

        self.app.op(call, swap)
        self.app.control.transfer_done(transfer)

    def hand_over(
        self,
        call: HotlineCall,
        leg: str,
        target: str | None,
        agency: str | None,
        *,
        kind: TransferKind,
    ) -> Offer | None:
        """The call is now the target's (leg ``leg``): recorded, and the first counsellor's part
        is over for routing (to wrap-up). Returns the first counsellor's offer."""
        old = call.counsellor_offer
        entry = self.app.config.counsellor(target) if target else None
        new = Offer(
            offer_id=leg,
            counsellor_id=target or f"agency:{agency}",
            centre=entry.centre if entry else "",
            ringing=True,
            answered=True,
        )
        call.offers[new.offer_id] = new
        self.app.offers_by_leg[new.offer_id] = call
        call.connected_offer = new.offer_id
        self.app.fact(
            facts.CallTransferred,
            call,
            transfer_id=leg,
            transfer_kind=kind,
            from_counsellor=old.counsellor_id if old else None,
            to_counsellor=target,
            to_centre=entry.centre if entry else None,
            to_agency=agency,
        )
        if call.in_engine:  # the first counsellor's part is over: to wrap-up
            self.app.driver.submit(rev.CallEnded(call.call_id))
            call.in_engine = False
        elif call.adopted_counsellor is not None:
            self.app.driver.submit(rev.PhoneFree(call.adopted_counsellor))
        call.adopted_counsellor = target
        if target is not None:  # routing did not offer this: the phone is simply busy
            self.app.driver.submit(rev.PhoneBusy(target))
        return old

    def failed(self, transfer: Transfer) -> None:
        log.warning("transfer of %s to %s not answered: the caller stays", transfer.call_id,
                    transfer.target)  # fmt: skip
