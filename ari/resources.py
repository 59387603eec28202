"""``/bridges``, ``/endpoints``, ``/playbacks``, ``/applications``, ``/asterisk``,
``/deviceStates`` and ``/sounds``, with ARI's names (snake_case) and parameters."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Literal

from ari.http import AriHttp, segment
from ari.models import (
    Application,
    AsteriskInfo,
    AsteriskPing,
    Bridge,
    DeviceState,
    Endpoint,
    Module,
    Playback,
    Sound,
    Variable,
)

Media = str | Sequence[str]


class Bridges:
    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def list(self) -> list[Bridge]:
        return await self._http.models(Bridge, "/bridges")

    async def get(self, bridge_id: str, *, missing_ok: bool = False) -> Bridge | None:
        return await self._http.maybe_model(
            Bridge, f"/bridges/{segment(bridge_id)}", missing_ok=missing_ok
        )

    async def create(
        self,
        *,
        type: str | Sequence[str] | None = None,
        bridge_id: str | None = None,
        name: str | None = None,
    ) -> Bridge:
        """``POST /bridges``; ``type`` e.g. ``mixing`` or ``mixing,dtmf_events``."""
        return await self._http.model(
            Bridge, "POST", "/bridges", {"type": type, "bridgeId": bridge_id, "name": name}
        )

    async def destroy(self, bridge_id: str, *, missing_ok: bool = False) -> None:
        await self._http.request("DELETE", f"/bridges/{segment(bridge_id)}", missing_ok=missing_ok)

    async def add_channel(
        self,
        bridge_id: str,
        channel: str | Sequence[str],
        *,
        role: str | None = None,
        absorb_dtmf: bool | None = None,
        mute: bool | None = None,
        inhibit_connected_line_updates: bool | None = None,
    ) -> None:
        await self._http.request(
            "POST",
            f"/bridges/{segment(bridge_id)}/addChannel",
            {
                "channel": channel,
                "role": role,
                "absorbDTMF": absorb_dtmf,
                "mute": mute,
                "inhibitConnectedLineUpdates": inhibit_connected_line_updates,
            },
        )

    async def remove_channel(
        self, bridge_id: str, channel: str | Sequence[str], *, missing_ok: bool = False
    ) -> None:
        await self._http.request(
            "POST",
            f"/bridges/{segment(bridge_id)}/removeChannel",
            {"channel": channel},
            missing_ok=missing_ok,
        )

    async def start_moh(self, bridge_id: str, *, moh_class: str | None = None) -> None:
        await self._http.request(
            "POST", f"/bridges/{segment(bridge_id)}/moh", {"mohClass": moh_class}
        )

    async def stop_moh(self, bridge_id: str, *, missing_ok: bool = False) -> None:
        await self._http.request(
            "DELETE", f"/bridges/{segment(bridge_id)}/moh", missing_ok=missing_ok
        )

    async def play(
        self,
        bridge_id: str,
        media: Media,
        *,
        lang: str | None = None,
        offsetms: int | None = None,
        skipms: int | None = None,
        playback_id: str | None = None,
    ) -> Playback:
        return await self._http.model(
            Playback,
            "POST",
            f"/bridges/{segment(bridge_id)}/play",
            {
                "media": media,
                "lang": lang,
                "offsetms": offsetms,
                "skipms": skipms,
                "playbackId": playback_id,
            },
        )


class Endpoints:
    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def list(self) -> list[Endpoint]:
        return await self._http.models(Endpoint, "/endpoints")

    async def list_by_tech(self, tech: str) -> builtins.list[Endpoint]:
        return await self._http.models(Endpoint, f"/endpoints/{segment(tech)}")

    async def get(self, tech: str, resource: str, *, missing_ok: bool = False) -> Endpoint | None:
        return await self._http.maybe_model(
            Endpoint, f"/endpoints/{segment(tech)}/{segment(resource)}", missing_ok=missing_ok
        )


PlaybackOperation = Literal["restart", "pause", "unpause", "reverse", "forward"]


class Playbacks:
    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def get(self, playback_id: str, *, missing_ok: bool = False) -> Playback | None:
        return await self._http.maybe_model(
            Playback, f"/playbacks/{segment(playback_id)}", missing_ok=missing_ok
        )

    async def stop(self, playback_id: str, *, missing_ok: bool = False) -> None:
        """``DELETE /playbacks/{playbackId}``. A ``digits:`` item plays on to its end (fact 23)."""
        await self._http.request(
            "DELETE", f"/playbacks/{segment(playback_id)}", missing_ok=missing_ok
        )

    async def control(self, playback_id: str, operation: PlaybackOperation) -> None:
        await self._http.request(
            "POST", f"/playbacks/{segment(playback_id)}/control", {"operation": operation}
        )


class Applications:
    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def list(self) -> list[Application]:
        return await self._http.models(Application, "/applications")

    async def get(self, application_name: str, *, missing_ok: bool = False) -> Application | None:
        return await self._http.maybe_model(
            Application, f"/applications/{segment(application_name)}", missing_ok=missing_ok
        )

    async def subscribe(
        self, application_name: str, event_source: str | Sequence[str]
    ) -> Application:
        """``POST /applications/{app}/subscription?eventSource=endpoint:PJSIP/hn-03,...``."""
        return await self._http.model(
            Application,
            "POST",
            f"/applications/{segment(application_name)}/subscription",
            {"eventSource": event_source},
        )

    async def unsubscribe(
        self, application_name: str, event_source: str | Sequence[str]
    ) -> Application:
        return await self._http.model(
            Application,
            "DELETE",
            f"/applications/{segment(application_name)}/subscription",
            {"eventSource": event_source},
        )


class Asterisk:
    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def get_info(self, *, only: str | Sequence[str] | None = None) -> AsteriskInfo:
        """``GET /asterisk/info`` (``only``: build, system, config, status)."""
        return await self._http.model(AsteriskInfo, "GET", "/asterisk/info", {"only": only})

    async def ping(self) -> AsteriskPing:
        return await self._http.model(AsteriskPing, "GET", "/asterisk/ping")

    async def get_module(self, module_name: str) -> Module:
        return await self._http.model(Module, "GET", f"/asterisk/modules/{segment(module_name)}")

    async def get_global_var(self, variable: str) -> Variable:
        return await self._http.model(Variable, "GET", "/asterisk/variable", {"variable": variable})

    async def set_global_var(self, variable: str, value: str | None = None) -> None:
        await self._http.request(
            "POST", "/asterisk/variable", {"variable": variable, "value": value}
        )


class DeviceStates:
    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def list(self) -> list[DeviceState]:
        """``GET /deviceStates``: only states created through ARI (``Stasis:...``), fact 39."""
        return await self._http.models(DeviceState, "/deviceStates")

    async def get(self, device_name: str) -> DeviceState:
        """``GET /deviceStates/{deviceName}``, e.g. ``PJSIP/hn-01`` (works for any device)."""
        return await self._http.model(DeviceState, "GET", f"/deviceStates/{segment(device_name)}")

    async def update(self, device_name: str, device_state: str) -> None:
        await self._http.request(
            "PUT", f"/deviceStates/{segment(device_name)}", {"deviceState": device_state}
        )

    async def delete(self, device_name: str, *, missing_ok: bool = False) -> None:
        await self._http.request(
            "DELETE", f"/deviceStates/{segment(device_name)}", missing_ok=missing_ok
        )


class Sounds:
    def __init__(self, http: AriHttp) -> None:
        self._http = http

    async def get(self, sound_id: str) -> Sound:
        return await self._http.model(Sound, "GET", f"/sounds/{segment(sound_id)}")
