"""``callcenter serve``: run the hotline service against Asterisk, settings from the environment."""

from __future__ import annotations

import argparse
import logging

import uvicorn

from callcenter.service.api import create_app
from callcenter.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="HTTP API address (default: settings, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="HTTP API port (default: settings, 8000)")
    parser.add_argument("--log-level", default="info")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings()
    host = args.host or settings.service.http_host
    port = args.port or settings.service.http_port
    uvicorn.run(create_app(settings), host=host, port=port, log_level=args.log_level)
    return 0
