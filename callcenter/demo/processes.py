"""The demo's own processes: ``callcenter serve`` and ``callcenter watchdog``, started exactly as in
production (settings in ``CALLCENTER_*`` variables), each in its own session so a Ctrl-C in the
terminal reaches only the demo, which then stops them in order. A process that dies is started
again (the service adopts the calls Asterisk kept: docs/demo.md)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


class ChildProcess:
    """One ``python -m callcenter <args>`` child, its output appended to ``log_path``."""

    def __init__(self, name: str, args: Sequence[str], env: dict[str, str], log_path: Path):
        self.name = name
        self.args = list(args)
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
        env.update(self.env)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "callcenter", *self.args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C goes to the demo, which stops us in order
            )
        self.starts += 1

    def exited(self) -> int | None:
        """The exit code if the process has ended (None while it runs)."""
        return self.proc.poll() if self.proc is not None else None

    async def stop(self, grace: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; returns the exit code. Waits in a
        thread: the PBX simulator in this process must keep answering the child meanwhile."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.proc.wait, grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                await asyncio.to_thread(self.proc.wait)
        return self.proc.returncode

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""
