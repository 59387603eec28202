"""Softphone registration, unregistration, qualify failure and expiry (facts 30-34)."""

from __future__ import annotations

import asyncio

from pbxsim.model import happenings as h
from pbxsim.model.errors import Unprocessable
from pbxsim.model.objects import Contact, Endpoint
from pbxsim.model.pbx import Pbx

EXPIRY_CHECK = 30.0  # contact_expiration_check_interval
_timers: dict[tuple[int, str], asyncio.TimerHandle] = {}


def _contact_event(pbx: Pbx, ep: Endpoint, c: Contact, status: str, rtt: str) -> None:
    pbx.publish(
        h.ContactStatusChanged(pbx.now(), ep.name, ep.name, c.uri, status, rtt, ep.snapshot())
    )


def register(pbx: Pbx, ep: Endpoint, uri: str, expires: int) -> None:
    """REGISTER with ``Expires: expires`` (0 = unregister)."""
    if not ep.has_aor or ep.static_contact:
        raise Unprocessable(f"Endpoint '{ep.name}' has no configured AORs for registration")
    if expires <= 0:
        unregister(pbx, ep, uri)
        return
    was_online = ep.online
    existing = next((c for c in ep.contacts if c.uri == uri), None)
    if existing is not None:
        existing.expires_at = pbx.now() + expires
        _schedule_expiry(pbx, ep, existing, expires)
        return
    for old in list(ep.contacts):  # max_contacts=1 + remove_existing
        ep.contacts.remove(old)
        _contact_event(pbx, ep, old, "Removed", "0")
    contact = Contact(uri=uri, expires_at=pbx.now() + expires, status="NonQualified")
    ep.contacts.append(contact)
    _contact_event(pbx, ep, contact, "NonQualified", "0")
    if not was_online:
        pbx.publish(h.EndpointStateChanged(pbx.now(), ep.snapshot()))
        pbx.publish(h.PeerStatusChanged(pbx.now(), ep.name, "Reachable", ep.snapshot()))
    if ep.qualify_frequency > 0:
        contact.status = "Reachable"
        contact.roundtrip_usec = 765
        _contact_event(pbx, ep, contact, "Reachable", "765")
    pbx.refresh_device(f"PJSIP/{ep.name}")
    _schedule_expiry(pbx, ep, contact, expires)


def _schedule_expiry(pbx: Pbx, ep: Endpoint, contact: Contact, expires: int) -> None:
    key = (id(pbx), f"{ep.name}|{contact.uri}")
    if key in _timers:
        _timers.pop(key).cancel()

    def expire() -> None:
        _timers.pop(key, None)
        if (
            contact in ep.contacts
            and contact.expires_at is not None
            and contact.expires_at <= pbx.now() + 0.01
        ):
            _remove(pbx, ep, contact, peer_event=contact.status != "Unreachable")

    # removal happens at the periodic expiry check after the expiry time (fact 34)
    _timers[key] = pbx.clock.call_later(expires + EXPIRY_CHECK / 3, expire)


def _remove(pbx: Pbx, ep: Endpoint, contact: Contact, *, peer_event: bool) -> None:
    ep.contacts.remove(contact)
    was_offline_before = contact.status == "Unreachable"
    if not ep.online and not was_offline_before:
        pbx.publish(h.EndpointStateChanged(pbx.now(), ep.snapshot()))
        if peer_event:
            pbx.publish(h.PeerStatusChanged(pbx.now(), ep.name, "Unreachable", ep.snapshot()))
    _contact_event(pbx, ep, contact, "Removed", "0")
    pbx.refresh_device(f"PJSIP/{ep.name}")


def unregister(pbx: Pbx, ep: Endpoint, uri: str | None) -> None:
    for contact in list(ep.contacts):
        if uri is None or contact.uri == uri:
            if contact.expires_at is None:
                continue
            _remove(pbx, ep, contact, peer_event=True)


def qualify_failed(pbx: Pbx, ep: Endpoint) -> None:
    """The phone stops answering OPTIONS: after qualify_timeout the contact is Unreachable."""

    def fail() -> None:
        for contact in ep.contacts:
            if contact.status == "Unreachable":
                continue
            contact.status = "Unreachable"
            if not ep.online:
                pbx.publish(h.EndpointStateChanged(pbx.now(), ep.snapshot()))
            pbx.refresh_device(f"PJSIP/{ep.name}")
            pbx.publish(h.PeerStatusChanged(pbx.now(), ep.name, "Unreachable", ep.snapshot()))
            _contact_event(pbx, ep, contact, "Unreachable", "N/A")

    pbx.clock.call_later(ep.qualify_timeout or 3.0, fail)
