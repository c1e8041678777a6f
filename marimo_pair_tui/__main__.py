"""The one command: `marimo-pair-tui` (TUI) or `marimo-pair-tui --headless …` (agents).

The headless path is chosen before anything else is imported so that agents
never pay for importing Textual; a headless call goes to the user's pairing
service (standard library only on that path) unless `--no-service` or
MARIMO_PAIR_NO_SERVICE=1 says to run it in this process. `marimo-pair-tui doctor`
is `--headless doctor --human`. `--version` (and `--headless version`) is
answered here, before any of that: it reads only metadata
(marimo_pair_tui/about.py).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["doctor"]:  # the readable form of `--headless doctor` (`--json` for the document)
        args = ["--headless", "--no-service", "doctor", "--human", *args[1:]]
    if "--headless" in args:
        args.remove("--headless")
        in_process = "--no-service" in args
        if in_process:
            args.remove("--no-service")
        if args in (["--version"], ["version"]):
            from .about import version_document
            from .headless.json_text import write_line

            write_line(sys.stdout, version_document())
            return
        if not in_process:
            from .headless.service.client import main as through_service

            code = through_service(args)
            if code is not None:
                _leave(code)
        # httpx imports its own command-line entry (and with it rich) when rich
        # is installed; a None entry makes that import fail, which httpx handles.
        # Agents pay for start-up on every call, so skip it.
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
        from .headless.cli.entry import main as headless_main

        headless_main(args)
        return
    if args == ["--version"]:
        from .about import version_text

        print(version_text())
        return
    from .tui.entry import main as tui_main

    tui_main(args)


def _leave(code: int) -> None:
    """End a call the service made: what it wrote is flushed, and the interpreter's own teardown (a few
    ms of every one-shot call, with nothing of ours left to clean up) is skipped."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
