"""The tool's and marimo's versions, and the optional extras: which are installed, and what each adds."""

from __future__ import annotations

import importlib.util
import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from typing import Mapping

from ...core.api import MARIMO_MINIMUM, MARIMO_NEWEST_TESTED, PairError, find_browser, marimo_standing
from .findings import Finding

TOOL = "marimo-pair-tui"


@dataclass(frozen=True)
class Extra:
    """An optional part: the module it needs, the distribution that brings it, and what it enables."""

    name: str
    module: str
    distribution: str
    enables: str
    install: str


EXTRAS = (
    Extra("mcp", "mcp", "mcp", "the MCP server (`--headless mcp`)", "pip install 'marimo-pair-tui[mcp]'"),
    Extra("charts", "vl_convert", "vl-convert-python", "charts drawn as pictures",
          "pip install 'marimo-pair-tui[charts]'"),
    Extra("screenshot", "playwright", "playwright", "pictures of outputs (`screenshot`)",
          "pip install 'marimo-pair-tui[screenshot]'"),
    Extra("completion", "jedi", "jedi", "completion in the app's editor", "pip install jedi"),
)


def version_of(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def installed(module: str) -> bool:
    """True when `module` can be imported (found without importing it: some extras are slow to import)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def tool() -> Finding:
    from ... import __version__

    version = version_of(TOOL) or __version__
    python = platform.python_version()
    return Finding("tool", "ok", f"{TOOL} {version} on Python {python} ({platform.system()} {platform.machine()})",
                   facts={"version": version, "python": python, "executable": sys.executable,
                          "platform": platform.platform()})


def marimo() -> Finding:
    """The marimo installed here: the one `open` starts, and the one the tool's own code is written against."""
    version = version_of("marimo")
    facts = {"version": version, "minimum": MARIMO_MINIMUM, "newest_tested": MARIMO_NEWEST_TESTED}
    if version is None:
        return Finding("marimo", "problem", "marimo is not installed in this environment.",
                       next=f"pip install 'marimo>={MARIMO_MINIMUM}'", facts=facts)
    standing = marimo_standing(version)
    facts["standing"] = standing
    if standing == "too_old":
        return Finding("marimo", "problem", f"marimo {version} is older than {MARIMO_MINIMUM}, the oldest this tool speaks to.",
                       next=f"pip install -U 'marimo>={MARIMO_MINIMUM}'", facts=facts)
    if standing == "newer":
        return Finding("marimo", "warning", f"marimo {version} is newer than {MARIMO_NEWEST_TESTED}, the newest tested.",
                       next=f"If something misbehaves, try marimo {MARIMO_NEWEST_TESTED} and say so in the report.",
                       facts=facts)
    return Finding("marimo", "ok", f"marimo {version} (supported: {MARIMO_MINIMUM} to {MARIMO_NEWEST_TESTED})",
                   facts=facts)


def extras(environ: Mapping[str, str]) -> list[Finding]:
    """Each optional extra: installed (with its version) or missing, and how to add it."""
    findings = [_extra(extra) for extra in EXTRAS]
    findings.append(_browser(environ))
    return findings


def _extra(extra: Extra) -> Finding:
    check = f"extra:{extra.name}"
    if not installed(extra.module):
        return Finding(check, "warning", f"Not installed: {extra.enables} is unavailable.", next=extra.install,
                       facts={"module": extra.module, "installed": False})
    version = version_of(extra.distribution)
    return Finding(check, "ok", f"{extra.distribution} {version or '(version unknown)'}: {extra.enables}",
                   facts={"module": extra.module, "installed": True, "version": version})


def _browser(environ: Mapping[str, str]) -> Finding:
    """The Chromium pictures are drawn with (needed only with the screenshot extra)."""
    try:
        path = find_browser(environ=environ)
    except PairError as error:
        return Finding("browser", "warning", f"{error.message} Pictures of outputs need one.", next=error.next)
    return Finding("browser", "ok", f"Chromium for pictures: {path}", facts={"path": str(path)})
