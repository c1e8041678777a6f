"""Each discovered marimo server's version against the range this tool speaks to."""

from __future__ import annotations

from ...core.api import MARIMO_MINIMUM, MARIMO_NEWEST_TESTED, HubOptions, PairError, PairingService, ServerInfo
from ...core.api import marimo_standing
from .findings import Finding

START_HINT = "Start one with `marimo edit NOTEBOOK.py`, or name one with --url (or MARIMO_PAIR_URLS)."


async def servers(options: HubOptions) -> list[Finding]:
    """One finding per server discovery found (and one for what discovery warned about)."""
    try:
        async with PairingService(options) as service:
            reply = await service.servers()
    except PairError as error:
        return [Finding("servers", "problem", error.message, next=error.next)]
    findings = [server_finding(server) for server in reply.value]
    if not findings:
        findings.append(Finding("servers", "ok", "No running marimo server found.", next=START_HINT))
    if reply.warnings:
        findings.append(Finding("discovery", "warning", "Discovery passed over some entries.",
                                next="Each warning says why; a dead server's entry goes away when marimo is next started.",
                                facts={"warnings": list(reply.warnings)}))
    return findings


def server_finding(server: ServerInfo) -> Finding:
    """Where one server's version falls: too old is a problem, newer than tested a warning."""
    standing = marimo_standing(server.version)
    facts = {**server.to_json(), "standing": standing}
    where = server.url if server.ssh_host is None else f"{server.url} on {server.ssh_host}"
    check = f"server:{where}"
    if standing == "too_old":
        return Finding(check, "problem", f"marimo {server.version} is older than {MARIMO_MINIMUM}; the tool refuses it.",
                       next=f"Upgrade marimo where this server runs (pip install -U 'marimo>={MARIMO_MINIMUM}') and restart it.",
                       facts=facts)
    if standing == "newer":
        return Finding(check, "warning", f"marimo {server.version} is newer than {MARIMO_NEWEST_TESTED}, the newest tested.",
                       next="It is used; if something misbehaves, say which marimo version in the report.", facts=facts)
    if standing == "unknown":
        return Finding(check, "unknown", "The server did not say its version.",
                       next="Pass its token (MARIMO_TOKEN or --token-file) so its status can be read.", facts=facts)
    return Finding(check, "ok", f"marimo {server.version}, supported", facts=facts)
