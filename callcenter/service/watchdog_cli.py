"""``callcenter watchdog``: the stranded-caller watchdog as its own process (see flow/watchdog)."""

from __future__ import annotations

import argparse
import asyncio
import logging

from ari.client import AriClient
from ari.config import AriConfig
from callcenter.flow.watchdog import StrandedCallWatchdog
from callcenter.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--poll-interval", type=float, default=2.0, help="seconds between looks")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()

    async def main() -> None:
        ari = settings.ari
        config = AriConfig(url=ari.url, username=ari.username, password=ari.password, app=ari.app)
        async with AriClient(config) as client:
            watchdog = StrandedCallWatchdog(
                client,
                app=ari.app,
                stranded_after=settings.flow.stranded_after,
                poll_interval=args.poll_interval,
            )
            await watchdog.run()

    asyncio.run(main())
    return 0
