"""Counsellor presence (logged in, available, paused) and phone state, fed to routing.

Until the counsellor console exists, presence is set through the small HTTP API
(``callcenter/service/api.py``) or the CLI; the simulator's counsellors use the same path.
Presence is kept in a small JSON file so a restarted service knows at once who was logged in
and who was paused (Asterisk knows nothing of presence; the database may be away).

A counsellor is offered calls only when logged in and available here, with the softphone
registered (AMI ``ContactStatus``) and not busy with another call (AMI ``DeviceStateChange``).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from callcenter.ami.events import (
    BUSY_DEVICE_STATES,
    ContactStatusChanged,
    DeviceState,
    DeviceStateChanged,
)
from callcenter.ami.snapshot import AmiStateSynchronized
from callcenter.flow.config import CounsellorEntry, FlowConfig
from callcenter.flow.driver import RoutingDriver
from routing import events as rev

log = logging.getLogger(__name__)


class PresenceError(ValueError):
    """An unknown counsellor, or a change that makes no sense in the current state."""


@dataclass(slots=True)
class _Presence:
    logged_in: bool = False
    paused: str | None = None


class Presence:
    def __init__(self, config: FlowConfig, driver: RoutingDriver, path: Path | None) -> None:
        self._config = config
        self._driver = driver
        self._path = path
        self._state: dict[str, _Presence] = {c.id: _Presence() for c in config.counsellors}

    def restore(self) -> None:
        """Log back in whoever was logged in before a restart (paused ones stay paused)."""
        if self._path is None or not self._path.exists():
            return
        try:
            saved = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.error(
                "presence file %s unreadable, everyone starts logged out: %s", self._path, exc
            )
            return
        for counsellor_id, item in saved.items():
            if counsellor_id in self._state and item.get("logged_in"):
                self.login(counsellor_id, save=False)
                if item.get("paused"):
                    self.pause(counsellor_id, str(item["paused"]), save=False)

    def _entry(self, counsellor_id: str) -> CounsellorEntry:
        entry = self._config.counsellor(counsellor_id)
        if entry is None:
            raise PresenceError(
                f"unknown counsellor {counsellor_id!r} / không có tư vấn viên {counsellor_id!r}"
            )
        return entry

    def login(self, counsellor_id: str, *, save: bool = True) -> None:
        entry = self._entry(counsellor_id)
        state = self._state[counsellor_id]
        if state.logged_in:
            return
        state.logged_in, state.paused = True, None
        self._driver.submit(
            rev.CounsellorLoggedIn(counsellor_id, entry.centre, entry.languages, entry.gender)
        )
        self._save(save)

    def logout(self, counsellor_id: str) -> None:
        self._entry(counsellor_id)
        state = self._state[counsellor_id]
        if not state.logged_in:
            return
        state.logged_in, state.paused = False, None
        self._driver.submit(rev.CounsellorLoggedOut(counsellor_id))
        self._save(True)

    def pause(self, counsellor_id: str, reason: str, *, save: bool = True) -> None:
        self._entry(counsellor_id)
        state = self._state[counsellor_id]
        if not state.logged_in:
            raise PresenceError("log in first / cần đăng nhập trước")
        state.paused = reason or "pause"
        self._driver.submit(rev.CounsellorPaused(counsellor_id, state.paused))
        self._save(save)

    def resume(self, counsellor_id: str) -> None:
        """Back from a pause, or from ``missed`` after a ring with no answer."""
        self._entry(counsellor_id)
        state = self._state[counsellor_id]
        if not state.logged_in:
            raise PresenceError("log in first / cần đăng nhập trước")
        state.paused = None
        self._driver.submit(rev.CounsellorResumed(counsellor_id))
        self._save(True)

    def wrap_up_done(self, counsellor_id: str) -> None:
        self._entry(counsellor_id)
        self._driver.submit(rev.WrapUpEnded(counsellor_id))

    def _save(self, save: bool) -> None:
        if not save or self._path is None:
            return
        data = {
            cid: {"logged_in": s.logged_in, "paused": s.paused}
            for cid, s in sorted(self._state.items())
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".presence-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self._path)


class PhoneTracker:
    """Turns AMI phone events into routing's phone events (registered / busy elsewhere).

    ``engaged(counsellor_id)`` tells whether the phone is busy with one of our own offers or
    calls: those device-state changes are ours and are not "busy elsewhere".
    """

    def __init__(
        self, config: FlowConfig, driver: RoutingDriver, engaged: Callable[[str], bool]
    ) -> None:
        self._config = config
        self._driver = driver
        self._engaged = engaged
        self._busy: set[str] = set()
        self._unregistered: set[str] = set()

    def _counsellor(self, endpoint: str | None) -> str | None:
        if not endpoint:
            return None
        name = endpoint if "/" in endpoint else f"PJSIP/{endpoint}"
        entry = self._config.counsellor_by_endpoint(name)
        return entry.id if entry else None

    def contact(self, event: ContactStatusChanged) -> None:
        counsellor = self._counsellor(event.endpoint_name or event.aor)
        if counsellor is not None:
            self._registered(counsellor, event.registered)

    def synchronized(self, event: AmiStateSynchronized) -> None:
        """After every AMI (re)connect: the phones' state as Asterisk lists it now."""
        for item in event.snapshot.device_states:
            self._device_state(item.device, item.device_state)

    def device(self, event: DeviceStateChanged) -> None:
        self._device_state(event.device, event.device_state)

    def _device_state(self, device: str, state: DeviceState) -> None:
        counsellor = self._counsellor(device)
        if counsellor is None:
            return
        if state in (DeviceState.UNAVAILABLE, DeviceState.INVALID):
            self._registered(counsellor, False)
            return
        if state is not DeviceState.UNKNOWN:
            self._registered(counsellor, True)
        if state in BUSY_DEVICE_STATES:
            if not self._engaged(counsellor) and counsellor not in self._busy:
                self._busy.add(counsellor)
                self._driver.submit(rev.PhoneBusy(counsellor))
        elif state is DeviceState.NOT_INUSE and counsellor in self._busy:
            self._busy.discard(counsellor)
            self._driver.submit(rev.PhoneFree(counsellor))

    def _registered(self, counsellor: str, registered: bool) -> None:
        if registered and counsellor in self._unregistered:
            self._unregistered.discard(counsellor)
            self._driver.submit(rev.PhoneRegistered(counsellor))
        elif not registered and counsellor not in self._unregistered:
            self._unregistered.add(counsellor)
            self._driver.submit(rev.PhoneUnregistered(counsellor))
