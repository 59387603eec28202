"""``callcenter demo`` end to end: the PBX simulator and its actors in this process, the hotline
service and the stranded-caller watchdog as their own processes, a status line every few seconds.

Order of start: simulator -> service (until /health says 200) -> watchdog -> actors. Order of
stop: actors -> watchdog -> service -> simulator, so the service records the last hang-ups while
the PBX still answers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

from callcenter.demo.conf import conf_with_phones, demo_settings, phones_needed, settings_env
from callcenter.demo.processes import ChildProcess
from callcenter.demo.status import Console, Status, banner, summary
from callcenter.scenario import Scenario
from pbxsim.actors import Actors
from pbxsim.model.errors import PbxError
from pbxsim.server import Simulator

MARKER = ".callcenter-demo"  # a folder with this file is the demo's own and may be cleared
HOTLINE, TRUNK = "111", "carrier-in"  # asterisk-conf: the national number, the carrier's trunk


class DemoError(Exception):
    """A clear reason the demo cannot start (Vietnamese / English)."""


@dataclass(frozen=True)
class DemoOptions:
    scenario_path: Path
    scenario: Scenario
    duration: float | None  # real seconds; None: until Ctrl-C or the scenario's end
    speed: float
    seed: int
    port: int
    var_dir: Path
    start_at: float  # seconds of the scenario's day
    status_every: float


def prepare_var_dir(var_dir: Path) -> None:
    """A fresh demo folder: the previous demo's files are cleared, anybody else's refused."""
    if var_dir.exists():
        if not var_dir.is_dir():
            raise DemoError(f"{var_dir} is not a folder / {var_dir} không phải thư mục")
        if any(var_dir.iterdir()):
            if not (var_dir / MARKER).exists():
                raise DemoError(
                    f"{var_dir} holds files the demo did not create; choose another --var-dir / "
                    f"{var_dir} chứa tệp không do demo tạo; hãy chọn --var-dir khác"
                )
            shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / MARKER).write_text("files of `callcenter demo`, cleared at its next start\n")


async def _wait_healthy(
    service: ChildProcess, http: httpx.AsyncClient, stop: asyncio.Event, within: float
) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline and not stop.is_set():
        if service.exited() is not None:
            return False
        with contextlib.suppress(httpx.HTTPError):
            if (await http.get("/health")).status_code == 200:
                return True
        await asyncio.sleep(0.2)
    return False


async def run_demo(opts: DemoOptions, out: TextIO) -> int:
    prepare_var_dir(opts.var_dir)
    conf_dir = conf_with_phones(opts.var_dir / "asterisk-conf", phones_needed(opts.scenario))
    # the simulator's own log (and anything else logged in this process) goes to a file, so the
    # terminal shows only the demo's lines
    log_handler = logging.FileHandler(opts.var_dir / "pbxsim.log", encoding="utf-8")
    log_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(log_handler)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with Simulator(conf_dir, speed=opts.speed) as sim:
            # uvicorn gave its loggers their own terminal handlers when the simulator started
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
                logging.getLogger(name).handlers = [log_handler]
            # ...and its server took SIGINT/SIGTERM for itself (uvicorn's capture_signals): a
            # Ctrl-C would stop the PBX first. Take them back, so the demo stops in order.
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            return await _run(opts, sim, conf_dir, stop, out)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        root.removeHandler(log_handler)
        log_handler.close()


async def _run(
    opts: DemoOptions, sim: Simulator, conf_dir: Path, stop: asyncio.Event, out: TextIO
) -> int:
    day = opts.scenario.days * 86400.0 - opts.start_at
    horizon = min(day, opts.duration * opts.speed) if opts.duration is not None else day
    actors = Actors(
        sim.pbx, opts.scenario, opts.seed, hotline=HOTLINE, trunk=TRUNK,
        duration=horizon, start_at=opts.start_at,
    )  # fmt: skip
    settings = demo_settings(
        conf_dir=conf_dir, ari_base=sim.ari_base, ami_port=sim.ami_port, scenario=opts.scenario,
        endpoint_of=actors.endpoint_of, var_dir=opts.var_dir, http_port=opts.port,
        speed=opts.speed,
    )  # fmt: skip
    env = settings_env(settings)
    service = ChildProcess(
        "service",
        ["serve", "--host", "127.0.0.1", "--port", str(opts.port), "--log-level", "warning"],
        env,
        opts.var_dir / "service.log",
    )
    watchdog = ChildProcess(
        "watchdog", ["watchdog", "--poll-interval", "1"], env, opts.var_dir / "watchdog.log"
    )
    url = f"http://127.0.0.1:{opts.port}"
    print("Đang khởi động... / starting...", file=out, flush=True)
    service.start()
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5) as http:
            if not await _wait_healthy(service, http, stop, within=60.0):
                if stop.is_set():
                    return 0
                print(
                    f"Dịch vụ không khởi động được / the service did not start "
                    f"(log {service.log_path}):\n{service.log_tail()}",
                    file=out,
                    flush=True,
                )
                return 1
            watchdog.start()
            print(banner(opts, url, sim, service, watchdog, settings), file=out, flush=True)
            console = Console(http, out)
            actors.on_login = lambda counsellor, _ep: console.tell(counsellor, "login")
            actors.on_logout = lambda counsellor, _ep: console.tell(counsellor, "logout")
            status = Status(http, actors, out, loop_start=asyncio.get_running_loop().time())
            await _play(opts, actors, status, stop, (service, watchdog), out)
            await _wind_down(sim, actors, http)
            await status.line()
            await console.drain()
    finally:
        await watchdog.stop()
        await service.stop()
    print(summary(actors.outcomes, service, opts.var_dir), file=out, flush=True)
    return 0


async def _play(
    opts: DemoOptions,
    actors: Actors,
    status: Status,
    stop: asyncio.Event,
    children: tuple[ChildProcess, ...],
    out: TextIO,
) -> None:
    """The actors play until Ctrl-C, --duration or the scenario's end; the status line and the
    children's health are looked at every ``status_every`` seconds meanwhile."""
    play = asyncio.create_task(actors.run())
    halt = asyncio.create_task(stop.wait())
    watch = asyncio.create_task(_watch(opts, status, children, out))
    waits: set[asyncio.Task[Any]] = {play, halt}
    try:
        if opts.duration is not None:
            await asyncio.wait(waits, timeout=opts.duration, return_when="FIRST_COMPLETED")
        else:
            await asyncio.wait(waits, return_when="FIRST_COMPLETED")
        if play.done() and not stop.is_set():
            print("Kịch bản đã chạy hết / the scenario has played out", file=out, flush=True)
    finally:
        for task in (halt, watch):
            task.cancel()
        if not play.done():
            await actors.stop()
            play.cancel()
        await asyncio.gather(play, halt, watch, return_exceptions=True)


async def _wind_down(
    sim: Simulator, actors: Actors, http: httpx.AsyncClient, within: float = 5.0
) -> None:
    """The callers still on the line hang up, as at the end of a day, and the service gets a
    moment to record it: every call record is closed before the service stops."""
    for outcome in actors.outcomes:
        if outcome.channel_id:
            with contextlib.suppress(PbxError):  # ended already
                sim.pbx.hangup(outcome.channel_id)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        with contextlib.suppress(httpx.HTTPError, ValueError):
            health = (await http.get("/health")).json()
            if health.get("calls_in_service") == 0 and health.get("outbox_backlog") == 0:
                return
        await asyncio.sleep(0.2)


async def _watch(
    opts: DemoOptions, status: Status, children: tuple[ChildProcess, ...], out: TextIO
) -> None:
    while True:
        await asyncio.sleep(opts.status_every)
        for child in children:
            code = child.exited()
            if code is not None:
                print(
                    f"{child.name} đã dừng (mã {code}), khởi động lại / "
                    f"{child.name} exited (code {code}), starting it again",
                    file=out,
                    flush=True,
                )
                child.start()
        await status.line()
