"""``/channels``: operations on channels, with ARI's names (snake_case) and parameters.

ARI parameter ``appArgs`` is ``app_args`` here, ``callerId`` -> ``caller_id``, ``channelId`` ->
``channel_id``, ``otherChannelId`` -> ``other_channel_id``, ``playbackId`` -> ``playback_id``,
``mohClass`` -> ``moh_class``, ``snoopId`` -> ``snoop_id``. Cleanup calls take ``missing_ok=True``
to treat "Channel not found" (the channel already hung up) as done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from ari.http import AriHttp, segment
from ari.models import Channel, LiveRecording, Playback, Variable

HangupReason = Literal[
    "normal",
    "busy",
    "congestion",
    "no_answer",
    "timeout",
    "rejected",
    "unallocated",
    "normal_unspecified",
    "number_incomplete",
    "codec_mismatch",
    "interworking",
    "failure",
    "answered_elsewhere",
]
Direction = Literal["none", "both", "out", "in"]
Media = str | Sequence[str]


def _media(media: Media) -> str:
    return media if isinstance(media, str) else ",".join(media)


def _variables(variables: Mapping[str, str] | None) -> dict[str, dict[str, str]] | None:
    return None if variables is None else {"variables": dict(variables)}


class Channels:
    def __init__(self, http: AriHttp) -> None:
        self._http = http

    def _path(self, channel_id: str, *rest: str) -> str:
        return "/".join(("/channels", segment(channel_id), *rest))

    async def list(self) -> list[Channel]:
        """``GET /channels``: every active channel (not only this app's)."""
        return await self._http.models(Channel, "/channels")

    async def get(self, channel_id: str, *, missing_ok: bool = False) -> Channel | None:
        """``GET /channels/{channelId}``; ``None`` if it is gone and ``missing_ok``."""
        return await self._http.maybe_model(Channel, self._path(channel_id), missing_ok=missing_ok)

    async def originate(
        self,
        endpoint: str,
        *,
        app: str | None = None,
        app_args: str | Sequence[str] | None = None,
        caller_id: str | None = None,
        timeout: int | None = None,  # noqa: ASYNC109 (ARI's dial timeout, seconds)
        variables: Mapping[str, str] | None = None,
        channel_id: str | None = None,
        other_channel_id: str | None = None,
        extension: str | None = None,
        context: str | None = None,
        priority: int | None = None,
        label: str | None = None,
        originator: str | None = None,
        formats: str | Sequence[str] | None = None,
    ) -> Channel:
        """``POST /channels``: create a channel to ``endpoint`` and dial it. ``timeout`` is in
        seconds (-1: none). The outcome comes as events (Dial, StasisStart, ChannelDestroyed)."""
        params = {
            "endpoint": endpoint,
            "extension": extension,
            "context": context,
            "priority": priority,
            "label": label,
            "app": app,
            "appArgs": app_args,
            "callerId": caller_id,
            "timeout": timeout,
            "channelId": channel_id,
            "otherChannelId": other_channel_id,
            "originator": originator,
            "formats": formats,
        }
        return await self._http.model(
            Channel, "POST", "/channels", params, body=_variables(variables)
        )

    async def create(
        self,
        endpoint: str,
        app: str,
        *,
        app_args: str | Sequence[str] | None = None,
        channel_id: str | None = None,
        other_channel_id: str | None = None,
        originator: str | None = None,
        formats: str | Sequence[str] | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> Channel:
        """``POST /channels/create``: create a channel without dialling (then :meth:`dial`)."""
        params = {
            "endpoint": endpoint,
            "app": app,
            "appArgs": app_args,
            "channelId": channel_id,
            "otherChannelId": other_channel_id,
            "originator": originator,
            "formats": formats,
        }
        return await self._http.model(
            Channel, "POST", "/channels/create", params, body=_variables(variables)
        )

    async def dial(
        self,
        channel_id: str,
        *,
        caller: str | None = None,
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> None:
        """``POST /channels/{channelId}/dial``: dial a channel made by :meth:`create`."""
        await self._http.request(
            "POST", self._path(channel_id, "dial"), {"caller": caller, "timeout": timeout}
        )

    async def hangup(
        self,
        channel_id: str,
        *,
        reason: HangupReason | None = None,
        reason_code: int | None = None,
        missing_ok: bool = False,
    ) -> None:
        """``DELETE /channels/{channelId}``. With ``missing_ok`` a channel that already hung up
        is not an error."""
        await self._http.request(
            "DELETE",
            self._path(channel_id),
            {"reason": reason, "reason_code": reason_code},
            missing_ok=missing_ok,
        )

    async def continue_in_dialplan(
        self,
        channel_id: str,
        *,
        context: str | None = None,
        extension: str | None = None,
        priority: int | None = None,
        label: str | None = None,
    ) -> None:
        """``POST /channels/{channelId}/continue``: leave Stasis; the dialplan goes on at the
        next priority (or the given place). StasisEnd follows."""
        await self._http.request(
            "POST",
            self._path(channel_id, "continue"),
            {"context": context, "extension": extension, "priority": priority, "label": label},
        )

    async def move(
        self, channel_id: str, app: str, *, app_args: str | Sequence[str] | None = None
    ) -> None:
        """``POST /channels/{channelId}/move``: hand the channel to another Stasis app."""
        await self._http.request(
            "POST", self._path(channel_id, "move"), {"app": app, "appArgs": app_args}
        )

    async def redirect(self, channel_id: str, endpoint: str) -> None:
        """``POST /channels/{channelId}/redirect``: SIP REFER (answered) or 302 (ringing)."""
        await self._http.request("POST", self._path(channel_id, "redirect"), {"endpoint": endpoint})

    async def answer(self, channel_id: str) -> None:
        await self._http.request("POST", self._path(channel_id, "answer"))

    async def ring(self, channel_id: str) -> None:
        """``POST /channels/{channelId}/ring``: 180 Ringing before answer (no ARI event)."""
        await self._http.request("POST", self._path(channel_id, "ring"))

    async def ring_stop(self, channel_id: str, *, missing_ok: bool = False) -> None:
        await self._http.request("DELETE", self._path(channel_id, "ring"), missing_ok=missing_ok)

    async def send_dtmf(
        self,
        channel_id: str,
        dtmf: str,
        *,
        before: int | None = None,
        between: int | None = None,
        duration: int | None = None,
        after: int | None = None,
    ) -> None:
        await self._http.request(
            "POST",
            self._path(channel_id, "dtmf"),
            {
                "dtmf": dtmf,
                "before": before,
                "between": between,
                "duration": duration,
                "after": after,
            },
        )

    async def mute(self, channel_id: str, *, direction: Direction | None = None) -> None:
        await self._http.request("POST", self._path(channel_id, "mute"), {"direction": direction})

    async def unmute(self, channel_id: str, *, direction: Direction | None = None) -> None:
        await self._http.request("DELETE", self._path(channel_id, "mute"), {"direction": direction})

    async def hold(self, channel_id: str) -> None:
        await self._http.request("POST", self._path(channel_id, "hold"))

    async def unhold(self, channel_id: str) -> None:
        await self._http.request("DELETE", self._path(channel_id, "hold"))

    async def start_moh(self, channel_id: str, *, moh_class: str | None = None) -> None:
        """``POST /channels/{channelId}/moh`` (no ARI event; AMI MusicOnHoldStart)."""
        await self._http.request("POST", self._path(channel_id, "moh"), {"mohClass": moh_class})

    async def stop_moh(self, channel_id: str, *, missing_ok: bool = False) -> None:
        await self._http.request("DELETE", self._path(channel_id, "moh"), missing_ok=missing_ok)

    async def start_silence(self, channel_id: str) -> None:
        await self._http.request("POST", self._path(channel_id, "silence"))

    async def stop_silence(self, channel_id: str) -> None:
        await self._http.request("DELETE", self._path(channel_id, "silence"))

    async def play(
        self,
        channel_id: str,
        media: Media,
        *,
        lang: str | None = None,
        offsetms: int | None = None,
        skipms: int | None = None,
        playback_id: str | None = None,
    ) -> Playback:
        """``POST /channels/{channelId}/play``. ``media``: ``sound:``, ``tone:``,
        ``recording:``, ``digits:``, ``number:`` URIs; a list is ONE playback (one id,
        PlaybackStarted per item, PlaybackContinuing between, one PlaybackFinished)."""
        return await self._http.model(
            Playback,
            "POST",
            self._path(channel_id, "play"),
            {
                "media": _media(media),
                "lang": lang,
                "offsetms": offsetms,
                "skipms": skipms,
                "playbackId": playback_id,
            },
        )

    async def record(
        self,
        channel_id: str,
        name: str,
        format: str,
        *,
        max_duration_seconds: int | None = None,
        max_silence_seconds: int | None = None,
        if_exists: str | None = None,
        beep: bool | None = None,
        terminate_on: str | None = None,
    ) -> LiveRecording:
        return await self._http.model(
            LiveRecording,
            "POST",
            self._path(channel_id, "record"),
            {
                "name": name,
                "format": format,
                "maxDurationSeconds": max_duration_seconds,
                "maxSilenceSeconds": max_silence_seconds,
                "ifExists": if_exists,
                "beep": beep,
                "terminateOn": terminate_on,
            },
        )

    async def get_channel_var(self, channel_id: str, variable: str) -> Variable:
        """``GET /channels/{channelId}/variable``."""
        return await self._http.model(
            Variable, "GET", self._path(channel_id, "variable"), {"variable": variable}
        )

    async def set_channel_var(
        self, channel_id: str, variable: str, value: str | None = None
    ) -> None:
        """``POST /channels/{channelId}/variable`` (also dialplan functions such as
        ``PJSIP_TRANSFER_HANDLING()``)."""
        await self._http.request(
            "POST", self._path(channel_id, "variable"), {"variable": variable, "value": value}
        )

    async def snoop_channel(
        self,
        channel_id: str,
        app: str,
        *,
        spy: Direction | None = None,
        whisper: Direction | None = None,
        app_args: str | Sequence[str] | None = None,
        snoop_id: str | None = None,
    ) -> Channel:
        """``POST /channels/{channelId}/snoop``: a ``Snoop/...`` channel that enters ``app`` with
        ``app_args``; ``spy`` = what it hears, ``whisper`` = where it speaks (supervisors)."""
        return await self._http.model(
            Channel,
            "POST",
            self._path(channel_id, "snoop"),
            {"spy": spy, "whisper": whisper, "app": app, "appArgs": app_args, "snoopId": snoop_id},
        )

    async def transfer_progress(self, channel_id: str, states: str) -> None:
        """``POST /channels/{channelId}/transfer_progress``: report a phone's REFER progress
        (channel_progress, channel_answered, channel_unavailable, channel_declined)."""
        await self._http.request(
            "POST", self._path(channel_id, "transfer_progress"), {"states": states}
        )
