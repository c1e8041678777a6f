"""The `headless` click group every command module adds its commands to (cli/entry.py assembles them)."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def headless() -> None:
    """Agent mode: every command prints JSON on stdout and exits with a documented code.

    \b
    Exit codes: 0 success; 1 the code raised or a cell failed; 2 usage or target
    error; 3 connection or authentication failure; 4 outcome unknown; 5 conflict.
    """
