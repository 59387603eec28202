"""The service's HTTP API: health, and counsellor presence until the console exists.

Every route has an OpenAPI schema (``/docs``). Errors carry Vietnamese and English text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, model_validator

from callcenter.calls.callback_records import list_requests
from callcenter.calls.outcomes import CallbackState
from callcenter.flow.presence import PresenceError
from callcenter.flow.supervision import Mode, SupervisionError
from callcenter.service.runtime import HotlineService
from callcenter.settings import Settings


class PauseRequest(BaseModel):
    reason: str = "pause"


class SuperviseRequest(BaseModel):
    endpoint: str  # the supervisor's phone, e.g. "PJSIP/hn-sup-01"
    mode: Mode = "listen"


class TransferRequest(BaseModel):
    """Blind transfer to a colleague, the longest-free counsellor of a centre, or an agency."""

    to_counsellor: str | None = None
    to_centre: str | None = None
    to_agency: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> TransferRequest:
        given = [t for t in (self.to_counsellor, self.to_centre, self.to_agency) if t is not None]
        if len(given) != 1:
            raise ValueError("give to_counsellor, to_centre or to_agency / chọn một đích chuyển")
        return self


class ConsultRequest(TransferRequest):
    """Consult a colleague, the longest-free counsellor of a centre, or an agency (the same
    targets as a blind transfer)."""


class CounsellorOut(BaseModel):
    id: str
    centre: str
    state: str
    paused_reason: str | None = None
    calls_handled: int = 0


class WaitingCallOut(BaseModel):
    call_id: str
    position: int | None
    expected_wait: float | None
    waited: float


class CallbackAttemptOut(BaseModel):
    counsellor: str | None
    dialled_at: str | None
    outcome: str | None
    talk_s: float | None


class CallbackOut(BaseModel):
    call_id: str  # the original call's record
    state: CallbackState
    safe_window: str
    language: str | None
    home_centre: str | None
    in_danger: bool
    arrived_at: str
    requested_at: str
    attempts: int
    closed_at: str | None
    attempt_log: list[CallbackAttemptOut]


def create_app(settings: Settings, *, service: HotlineService | None = None) -> FastAPI:
    svc = service or HotlineService(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await svc.start()
        try:
            yield
        finally:
            await svc.stop()

    app = FastAPI(
        title="TIP hotline call centre / Tổng đài đường dây nóng",
        lifespan=lifespan,
    )
    app.state.service = svc

    @app.get("/health")
    async def health() -> JSONResponse:
        """ARI, AMI and database connected? Calls on the fallback? Records in the outbox?
        200 while the service takes calls ("ok", or "degraded" when the database or AMI is
        away); 503 ("down") when it does not and the dialplan's fallback queue takes them."""
        report = svc.health()
        return JSONResponse(report.as_dict(), status_code=200 if report.taking_calls else 503)

    @app.get("/api/counsellors")
    async def counsellors() -> list[CounsellorOut]:
        views = {v.counsellor_id: v for v in svc.engine.counsellors()}
        out = []
        for entry in settings.flow.counsellors:
            view = views.get(entry.id)
            out.append(
                CounsellorOut(
                    id=entry.id,
                    centre=entry.centre,
                    state=str(view.state) if view else "offline",
                    paused_reason=view.pause_reason if view else None,
                    calls_handled=view.calls_handled if view else 0,
                )
            )
        return out

    @app.get("/api/calls/waiting")
    async def waiting() -> list[WaitingCallOut]:
        now = svc.driver.now()
        return [
            WaitingCallOut(
                call_id=v.call_id,
                position=v.position,
                expected_wait=v.expected_wait,
                waited=now - v.arrived_at,
            )
            for v in svc.engine.waiting_calls(now)
        ]

    def _presence(
        action: str, counsellor_id: str, body: PauseRequest | None = None
    ) -> dict[str, Any]:
        try:
            if action == "login":
                svc.presence.login(counsellor_id)
            elif action == "logout":
                svc.presence.logout(counsellor_id)
            elif action == "pause":
                svc.presence.pause(counsellor_id, body.reason if body else "pause")
            elif action == "resume":
                svc.presence.resume(counsellor_id)
                svc.missed.pop(counsellor_id, None)
            else:
                svc.presence.wrap_up_done(counsellor_id)
                svc.app.wrap_up_over(counsellor_id)
        except PresenceError as exc:
            status = 404 if "unknown" in str(exc) else 409
            raise HTTPException(status_code=status, detail=str(exc)) from exc
        return {"counsellor": counsellor_id, "done": action}

    @app.get("/api/alerts")
    async def alerts() -> list[dict[str, Any]]:
        """Callers who said they are in danger now, newest first (the live dashboard will push
        these over its WebSocket)."""
        return [
            {
                "call_id": a.call_id,
                "at": a.at.isoformat(),
                "home_centre": a.home_centre,
                "language": a.language,
                "still_in_service": a.call_id in svc.app.calls,
            }
            for a in reversed(svc.alerts)
        ]

    @app.get("/api/callbacks")
    async def callbacks(
        state: list[CallbackState] = Query(  # noqa: B008 (FastAPI's own API)
            default=[CallbackState.PENDING, CallbackState.DIALLING, CallbackState.FAILED]
        ),
    ) -> list[CallbackOut]:
        """Callback requests for supervisors (default: still to be served, and failed),
        oldest first, each with its attempts. Never the caller's number."""
        try:
            async with svc.database.sessions() as session:
                views = await list_requests(session, [s.value for s in state])
        except Exception as exc:
            raise HTTPException(
                status_code=503,
                detail=f"call records database unavailable / không truy cập được CSDL: {exc}",
            ) from exc
        return [
            CallbackOut(
                call_id=v.call_id,
                state=CallbackState(v.state),
                safe_window=v.safe_window,
                language=v.language,
                home_centre=v.home_centre,
                in_danger=v.in_danger,
                arrived_at=v.arrived_at.isoformat(),
                requested_at=v.requested_at.isoformat(),
                attempts=v.attempts,
                closed_at=v.closed_at.isoformat() if v.closed_at else None,
                attempt_log=[
                    CallbackAttemptOut(
                        counsellor=c,
                        dialled_at=d.isoformat() if d else None,
                        outcome=o,
                        talk_s=t,
                    )
                    for c, d, o, t in v.attempt_log
                ],
            )
            for v in views
        ]

    @app.post("/api/calls/{call_id:path}/supervise")
    async def supervise(call_id: str, body: SuperviseRequest) -> dict[str, Any]:
        """A supervisor listens to, whispers to the counsellor in, or barges into a call; their
        phone (``endpoint``) rings and joins when answered."""
        try:
            session = svc.app.transfers.supervise(call_id, body.endpoint, body.mode)
        except SupervisionError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        return {"session": session.session_id, "call_id": call_id, "mode": body.mode}

    @app.post("/api/calls/{call_id:path}/transfer")
    async def transfer(call_id: str, body: TransferRequest) -> dict[str, Any]:
        """Blind transfer to a colleague or an agency; the caller stays with the counsellor
        until the target answers."""
        try:
            done = svc.app.transfers.transfer(
                call_id,
                counsellor_id=body.to_counsellor,
                centre=body.to_centre,
                agency_id=body.to_agency,
            )
        except SupervisionError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        return {"transfer": done.transfer_id, "call_id": call_id, "to": done.target}

    @app.get("/api/calls/{call_id:path}/consult")
    async def consult_state(call_id: str) -> dict[str, Any]:
        """The consultation under way on a call: its target and whether the target answered."""
        c = svc.app.consults.active(call_id)
        if c is None:
            raise HTTPException(
                status_code=404,
                detail=f"no consultation on call {call_id} / cuộc gọi không có tham khảo ý kiến",
            )
        state = "talking" if c.answered else "ringing"
        return {"consult": c.consult_id, "call_id": call_id, "to": c.target, "state": state}

    @app.post("/api/calls/{call_id:path}/consult/complete")
    async def consult_complete(call_id: str) -> dict[str, Any]:
        """Hand the caller to the target the counsellor is talking with; the counsellor leaves
        (to wrap-up)."""
        try:
            done = svc.app.consults.complete(call_id)
        except SupervisionError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        return {"consult": done.consult_id, "call_id": call_id, "outcome": "completed"}

    @app.post("/api/calls/{call_id:path}/consult/cancel")
    async def consult_cancel(call_id: str) -> dict[str, Any]:
        """The counsellor goes back to the caller; the target's phone is hung up."""
        try:
            done = svc.app.consults.cancel(call_id)
        except SupervisionError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        return {"consult": done.consult_id, "call_id": call_id, "outcome": "cancelled"}

    @app.post("/api/calls/{call_id:path}/consult")
    async def consult(call_id: str, body: ConsultRequest) -> dict[str, Any]:
        """Consult transfer: the caller holds (music), the target's phone rings and talks with
        the counsellor privately; then ``/consult/complete`` or ``/consult/cancel``."""
        try:
            started = svc.app.consults.start(
                call_id,
                counsellor_id=body.to_counsellor,
                centre=body.to_centre,
                agency_id=body.to_agency,
            )
        except SupervisionError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        return {"consult": started.consult_id, "call_id": call_id, "to": started.target}

    @app.post("/api/counsellors/{counsellor_id}/login")
    async def login(counsellor_id: str) -> dict[str, Any]:
        return _presence("login", counsellor_id)

    @app.post("/api/counsellors/{counsellor_id}/logout")
    async def logout(counsellor_id: str) -> dict[str, Any]:
        return _presence("logout", counsellor_id)

    @app.post("/api/counsellors/{counsellor_id}/pause")
    async def pause(counsellor_id: str, body: PauseRequest) -> dict[str, Any]:
        return _presence("pause", counsellor_id, body)

    @app.post("/api/counsellors/{counsellor_id}/resume")
    async def resume(counsellor_id: str) -> dict[str, Any]:
        return _presence("resume", counsellor_id)

    @app.post("/api/counsellors/{counsellor_id}/wrap-up-done")
    async def wrap_up_done(counsellor_id: str) -> dict[str, Any]:
        return _presence("wrap_up_done", counsellor_id)

    return app
