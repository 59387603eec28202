"""``python -m pbxsim --config DIR [--scenario FILE --seed N]``: the PBX simulator."""

from __future__ import annotations

import argparse
import sys

from pbxsim.cli import add_arguments, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="pbxsim",
        description="PBX simulator (ARI + AMI on loopback) / giả lập tổng đài Asterisk",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
