"""The service as its own process (``callcenter serve``), configured through the environment
exactly as in production, so a test can SIGKILL it and start another."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from callcenter.demo.conf import settings_env
from callcenter.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServiceProcess:
    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.last_health: dict[str, Any] | None = None

    async def start(self, *, within: float = 30.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
        env.update(settings_env(self.settings))
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: ASYNC220 (spawning does not block)
                [sys.executable, "-m", "callcenter", "serve", "--port", str(self.port),
                 "--log-level", "warning"],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = asyncio.get_running_loop().time() + within
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                if self.proc.poll() is not None:
                    raise AssertionError(f"service exited: {self.log_path.read_text()[-3000:]}")
                try:
                    response = await client.get(f"{self.url}/health")
                    if response.status_code == 200 and response.json()["status"] == "ok":
                        return
                except httpx.HTTPError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(
                        f"service not healthy: {self.log_path.read_text()[-3000:]}"
                    )
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a crash."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    async def presence(self, counsellor: str, action: str) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.post(f"{self.url}/api/counsellors/{counsellor}/{action}")
            response.raise_for_status()

    async def health(self) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=5) as client:
            data: dict[str, Any] = (await client.get(f"{self.url}/health")).json()
            return data

    async def refresh_health(self) -> None:
        try:
            self.last_health = await self.health()
        except httpx.HTTPError:
            self.last_health = None
