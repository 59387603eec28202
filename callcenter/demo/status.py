"""What the demo prints (Vietnamese / English), and the counsellors' console: logins and logouts go
through the service's HTTP API, the way a person's console would send them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import httpx

from callcenter.demo.processes import ChildProcess
from callcenter.settings import Settings
from pbxsim.actors import Actors, CallerOutcome
from pbxsim.server import Simulator

if TYPE_CHECKING:
    from callcenter.demo.runner import DemoOptions


class Console:
    """``POST /api/counsellors/{id}/{action}``, retried while the service restarts."""

    def __init__(self, http: httpx.AsyncClient, out: TextIO, attempts: int = 30) -> None:
        self.http = http
        self.out = out
        self.attempts = attempts
        self.tasks: set[asyncio.Task[None]] = set()

    def tell(self, counsellor: str, action: str) -> None:
        task = asyncio.get_running_loop().create_task(self._post(counsellor, action))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _post(self, counsellor: str, action: str) -> None:
        for _ in range(self.attempts):
            with contextlib.suppress(httpx.HTTPError):
                response = await self.http.post(f"/api/counsellors/{counsellor}/{action}")
                if response.status_code < 500:
                    if response.status_code >= 400:
                        print(
                            f"{action} {counsellor}: {response.status_code} {response.text}",
                            file=self.out,
                            flush=True,
                        )
                    return
            await asyncio.sleep(1.0)

    async def drain(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class Status:
    """One line: waiting and talking from the API, answered from the counsellors' tallies,
    abandoned from the simulated callers (the service keeps that in its call records)."""

    def __init__(
        self, http: httpx.AsyncClient, actors: Actors, out: TextIO, loop_start: float
    ) -> None:
        self.http = http
        self.actors = actors
        self.out = out
        self.loop_start = loop_start
        self.answered_seen = 0  # the highest tally the API reported

    async def _get(self, path: str) -> tuple[int, Any]:
        response = await self.http.get(path)
        return response.status_code, response.json()

    async def line(self) -> str:
        elapsed = asyncio.get_running_loop().time() - self.loop_start
        abandoned = sum(1 for o in self.actors.outcomes if o.abandoned and o.ended_at is not None)
        try:
            code, health = await self._get("/health")
            _, waiting = await self._get("/api/calls/waiting")
            _, counsellors = await self._get("/api/counsellors")
        except (httpx.HTTPError, ValueError):
            text = (
                f"[{elapsed:6.0f}s] dịch vụ không trả lời / service not answering "
                f"| bỏ máy/abandoned {abandoned}"
            )
        else:
            talking = sum(1 for c in counsellors if c["state"] == "on_call")
            available = sum(1 for c in counsellors if c["state"] == "available")
            answered = sum(int(c["calls_handled"]) for c in counsellors)
            self.answered_seen = max(self.answered_seen, answered)
            # 200: taking calls ("ok", or "degraded" with the database or AMI away); 503: down
            state = str(health.get("status", "ok" if code == 200 else "down"))
            away = [k for k in ("ari_connected", "ami_connected", "database_ok")
                    if not health.get(k)]  # fmt: skip
            if away:
                state += " (" + ",".join(away) + ")"
            text = (
                f"[{elapsed:6.0f}s] chờ/waiting {len(waiting)} | đang nói/talking {talking} "
                f"| rảnh/free {available} | đã trả lời/answered {answered} "
                f"| bỏ máy/abandoned {abandoned} | health {state}"
            )
        print(text, file=self.out, flush=True)
        return text


def banner(
    opts: DemoOptions,
    url: str,
    sim: Simulator,
    service: ChildProcess,
    watchdog: ChildProcess,
    settings: Settings,
) -> str:
    until = f"{opts.duration:g} s" if opts.duration is not None else "Ctrl-C"
    db = settings.database.url.split("///", 1)[-1]
    return "\n".join(
        [
            "Demo tổng đài 111 (mô phỏng) / TIP hotline demo (simulated)",
            f"  Kịch bản / scenario: {opts.scenario.name} ({opts.scenario_path}), "
            f"seed {opts.seed}, tốc độ / speed x{opts.speed:g}, đến / until {until}",
            f"  Dịch vụ / service: {url}  (pid {service.pid}, log {service.log_path})",
            f"    {url}/health              tình trạng / health",
            f"    {url}/docs                tài liệu API / API docs",
            f"    {url}/api/counsellors     tư vấn viên / counsellors",
            f"    {url}/api/calls/waiting   cuộc gọi đang chờ / waiting calls",
            f"  Tổng đài giả lập / PBX simulator: ARI {sim.ari_url}, AMI 127.0.0.1:{sim.ami_port}",
            f"  Giám sát cuộc gọi kẹt / stranded-caller watchdog: pid {watchdog.pid}, "
            f"log {watchdog.log_path}",
            f"  Cơ sở dữ liệu / database: SQLite {db}",
            "  Dừng / stop: Ctrl-C",
        ]
    )


def summary(outcomes: Sequence[CallerOutcome], service: ChildProcess, var_dir: Path) -> str:
    placed = [o for o in outcomes if o.channel_id]
    answered = sum(1 for o in placed if o.answered_at is not None)
    abandoned = sum(1 for o in placed if o.abandoned)
    restarts = max(service.starts - 1, 0)
    return (
        f"Đã dừng / stopped. Người gọi / callers {len(placed)}, được trả lời / answered "
        f"{answered}, bỏ máy / abandoned {abandoned}, dịch vụ khởi động lại / service restarts "
        f"{restarts}. Dữ liệu / data: {var_dir}"
    )
