"""Start the terminal app."""

from __future__ import annotations

import sys


def main(args: list[str]) -> None:
    sys.stderr.write("The terminal app is not available yet; use --headless.\n")
    sys.exit(2)
