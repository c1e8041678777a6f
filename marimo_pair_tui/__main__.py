"""The one command: `marimo-pair-tui` (TUI) or `marimo-pair-tui --headless …` (agents).

The headless path is chosen before anything else is imported so that agents
never pay for importing Textual.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--headless" in args:
        args.remove("--headless")
        # httpx imports its own command-line entry (and with it rich) when rich
        # is installed; a None entry makes that import fail, which httpx handles.
        # Agents pay for start-up on every call, so skip it.
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
        from .headless.cli import main as headless_main

        headless_main(args)
        return
    from .tui.launch import main as tui_main

    tui_main(args)


if __name__ == "__main__":
    main()
