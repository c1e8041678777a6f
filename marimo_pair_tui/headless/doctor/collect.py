"""Every check, in the order a report reads best; a check that breaks becomes a finding, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

from ...core.api import TOKEN_ENV, HubOptions, state_dir
from ..service.wire import runtime_dir
from . import clipboard, places, servers, service, software, terminal
from .findings import Finding, report


def broken(check: str, exc: Exception) -> Finding:
    return Finding(check, "problem", f"The check itself failed: {exc.__class__.__name__}: {exc}",
                   next="Include this report in a bug report.")


def guarded(check: str, run: Callable[[], list[Finding]]) -> list[Finding]:
    try:
        return run()
    except Exception as exc:  # (the report must still come out: it is what a bug report is made of)
        return [broken(check, exc)]


def local_checks(env: Mapping[str, str], asked: str | None, tty: bool) -> list[Finding]:
    """Everything but the servers: software, terminal, ssh and the private directories."""
    findings = [software.tool(), software.marimo()]
    findings += guarded("terminal", lambda: [terminal.facts(env, tty=tty), terminal.graphics(env, asked),
                                             terminal.colours(env), clipboard.clipboard(env)])
    findings += guarded("extras", lambda: software.extras(env))
    findings += guarded("ssh", lambda: [places.ssh_client()])
    findings += guarded("config", lambda: [places.config_file()])
    findings += guarded("service", lambda: [service.pairing_service(env)])
    findings += guarded("state", lambda: [
        places.private_directory("state", state_dir(), "drafts, logs, history"),
        places.private_directory("runtime", Path(runtime_dir(env)), "the pairing service's sockets"),
    ])
    return findings


async def collect(options: HubOptions, env: Mapping[str, str]) -> tuple[dict[str, Any], int]:
    """The doctor document and its exit code (0 all fine, 1 a problem found)."""
    tty = terminal.is_tty()
    findings = local_checks(env, terminal.asked_renderer(), tty)
    try:
        findings += await servers.servers(options)
    except Exception as exc:  # (as in `guarded`)
        findings.append(broken("servers", exc))
    return report(findings, secrets=[options.token or "", env.get(TOKEN_ENV, "")])
