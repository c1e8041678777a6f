"""The doctor document as lines a person reads (and pastes into a bug report)."""

from __future__ import annotations

from typing import Any, Mapping

LABELS = {"ok": "ok", "warning": "warning", "problem": "PROBLEM", "unknown": "unknown"}


def lines(document: Mapping[str, Any]) -> list[str]:
    out = [f"marimo-pair-tui doctor: {document['summary']}", ""]
    width = max((len(check["check"]) for check in document["checks"]), default=0)
    for check in document["checks"]:
        out.append(f"{LABELS.get(check['status'], check['status']):<8} {check['check']:<{width}}  {check['detail']}")
        if check.get("next") and check["status"] != "ok":
            out.append(f"{'':<8} {'':<{width}}  -> {check['next']}")
        for warning in check["facts"].get("warnings", []):
            out.append(f"{'':<8} {'':<{width}}  - {warning}")
    out += ["", "A bug report should include this output (or `marimo-pair-tui --headless doctor`, its JSON)."]
    return out
