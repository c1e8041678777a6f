"""One check's finding, and what a run of them adds up to: the document and the exit code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping, Sequence

from ...core.api import EXIT_OK

Status = Literal["ok", "warning", "problem", "unknown"]
# `doctor` exits with this when a check found a problem (warnings alone leave it 0).
EXIT_PROBLEMS = 1
REDACTED = "<redacted>"
_TOKEN_IN_URL = re.compile(r"(access_token=)[^&#\s\"']+")


@dataclass(frozen=True)
class Finding:
    """What one check found: its status, in words, what to do about it, and the facts behind it."""

    check: str
    status: Status
    detail: str
    next: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status, "detail": self.detail, "next": self.next,
                "facts": dict(self.facts)}


def summary(findings: Sequence[Finding]) -> str:
    problems = sum(f.status == "problem" for f in findings)
    warnings = sum(f.status == "warning" for f in findings)
    if not problems and not warnings:
        return "all fine"
    parts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((problems, "problem"), (warnings, "warning")) if n]
    return ", ".join(parts)


def report(findings: Sequence[Finding], secrets: Iterable[str] = ()) -> tuple[dict[str, Any], int]:
    """The doctor document (secrets redacted wherever they appear) and its exit code."""
    problems = sum(f.status == "problem" for f in findings)
    document = {
        "success": True,
        "ok": problems == 0,
        "summary": summary(findings),
        "problems": problems,
        "warnings": sum(f.status == "warning" for f in findings),
        "checks": [f.to_json() for f in findings],
    }
    return redact(document, [s for s in secrets if s]), (EXIT_PROBLEMS if problems else EXIT_OK)


def redact(value: Any, secrets: Sequence[str]) -> Any:
    """`value` with every secret, and any `access_token=` in a URL, replaced by a marker."""
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return _TOKEN_IN_URL.sub(rf"\g<1>{REDACTED}", value)
    if isinstance(value, Mapping):
        return {key: redact(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(item, secrets) for item in value]
    return value
