"""The `callcenter` command: one entry point, one module per sub-command.

Each sub-command lives in its own module and exposes ``add_arguments(parser)`` and
``run(args) -> int``; this file only wires them together, so adding a command never
touches another command's code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> (module, one-line help). Modules are imported lazily so `callcenter --help`
# stays fast and a broken optional part cannot stop the others from running.
COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": (
        "callcenter.simulation.cli",
        "run a scenario through the routing engine (no network) and print the figures",
    ),
    "serve": ("callcenter.service.cli", "run the hotline service against Asterisk"),
    "watchdog": (
        "callcenter.service.watchdog_cli",
        "send callers stranded in Stasis to the fallback queue when the service is away",
    ),
    "demo": (
        "callcenter.demo",
        "start the PBX simulator, simulated callers and the service on SQLite (API on localhost)",
    ),
    "pbxsim": ("pbxsim.cli", "run the PBX simulator (ARI + AMI on loopback)"),
    "db": ("callcenter.db.cli", "database migrations and maintenance"),
    "calls": ("callcenter.calls.cli", "call records: statistics (CSV), import of fallback calls"),
    "cases": ("callcenter.cases.cli", "case store: statistics, exports, retention"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callcenter",
        description="TIP hotline call centre / Tổng đài đường dây nóng phòng, chống mua bán người",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module_name)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module_name.startswith(exc.name):
                raise
            sub.set_defaults(_missing=True)
            continue
        module.add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if getattr(args, "_missing", False):
        print(f"callcenter {args.command}: not available in this build", file=sys.stderr)
        return 2
    module = importlib.import_module(args._module)
    result: int = module.run(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
