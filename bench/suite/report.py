"""Turns the rows of a run into docs/benchmarks.md, docs/benchmarks.png and the short table.

Kept apart from the measuring so that the report can be redrawn from the
JSON a run saves (docs/benchmarks.json) without measuring again.
"""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from .common import Row

SECTION_ORDER = ["1.", "2.", "3.", "4.", "5."]


# -- the machine ------------------------------------------------------------------

def _line(path: str, prefix: str) -> str | None:
    """The first line of `path` that starts with `prefix` (None: no such line, or no such file)."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    return next((line for line in lines if line.startswith(prefix)), None)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def _curl_version() -> str:
    try:
        return subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()[1]
    except (OSError, IndexError):
        return "not found"


def machine() -> dict[str, str]:
    cpu, ram, os_name = _line("/proc/cpuinfo", "model name"), _line("/proc/meminfo", "MemTotal"), _line(
        "/etc/os-release", "PRETTY_NAME=")
    return {"CPU": cpu.split(":", 1)[1].strip() if cpu else (platform.processor() or "?"),
            "cores": str(os.cpu_count()),
            "RAM": f"{int(ram.split()[1]) / 1024 / 1024:.1f} GiB" if ram else "?",
            "OS": (f"{os_name.split('=', 1)[1].strip(chr(34))} ({platform.system()} {platform.release()})" if os_name
                   else platform.platform()),
            "python": platform.python_version(), "marimo": _version("marimo"),
            "marimo-pair-tui": _version("marimo-pair-tui"), "curl": _curl_version(),
            "textual": _version("textual"), "mcp": _version("mcp")}


# -- figures ----------------------------------------------------------------------

def fmt(value: float | None, unit: str = "ms") -> str:
    if value is None:
        return "–"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "B":
        return f"{value:,.0f} B"
    if abs(value) >= 1:
        return f"{value:.2f} s"
    return f"{value * 1000:.1f} ms"


def kernel_of(row: Row) -> str:
    return row.name.split(":", 1)[0] if row.name.startswith(("idle:", "busy:")) else ""


def is_ours(row: Row) -> bool:
    bare = row.name.split(": ", 1)[1] if kernel_of(row) else row.name
    return bare.startswith("ours")


def ratios(row: Row, rows: list[Row]) -> str:
    """Against each peer of the same section, size and kernel state: how many times faster ours is."""
    if not is_ours(row) or not row.samples or row.section.startswith(("3.", "4.", "5.")):
        return ""
    out = []
    for peer in rows:
        if (peer.section != row.section or peer.size != row.size or kernel_of(peer) != kernel_of(row)
                or is_ours(peer) or peer.median is None):
            continue
        name = peer.name.split(": ", 1)[1] if kernel_of(peer) else peer.name
        name = name.split(" (")[0].split(",")[0]
        factor = peer.median / row.median
        if peer.status == "waits":
            out.append(f"> {factor:.0f}x faster than {name} (it waits)")
        elif factor >= 1:
            out.append(f"{factor:.1f}x faster than {name}")
        else:
            out.append(f"{1 / factor:.2f}x slower than {name}")
    return "; ".join(out)


def met_text(row: Row) -> str:
    if not row.target:
        return ""
    if row.met is None:
        return "n/a"
    return "yes" if row.met else "**no**"


def section_table(rows: list[Row]) -> list[str]:
    lines = ["| measurement | cells | n | median | p95 | vs peers | target | met | note |",
             "| --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- |"]
    for row in rows:
        n = str(len(row.samples)) if row.samples else ("1" if row.value is not None else "0")
        if row.status in ("not available", "failed"):
            median, high = row.status, "–"
        elif row.status == "waits":
            median, high = f"> {fmt(row.value)}", "–"
        else:
            median, high = fmt(row.median, row.unit), fmt(row.p95, row.unit)
        lines.append(f"| {row.name} | {row.size if row.size is not None else ''} | {n} | {median} | {high} | "
                     f"{ratios(row, rows)} | {row.target} | {met_text(row)} | {row.note} |")
    return lines


# -- the plot -----------------------------------------------------------------------

def plot(rows: list[Row], failures: dict[str, str], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sections = sorted({r.section for r in rows} | set(failures), key=lambda s: s[:2])
    heights = [4.5 if s.startswith("2.") else max(2.2, 0.5 * len(_plotted(rows, s)) + 1.2) for s in sections]
    fig, axes = plt.subplots(len(sections), 1, figsize=(13, sum(heights)), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, section in zip(axes[:, 0], sections):
        mine = _plotted(rows, section)
        ax.set_title(section, loc="left", fontsize=12, fontweight="bold")
        if not mine and not section.startswith("2."):
            why = f"failed: {failures[section][:120]}" if section in failures else "no samples (see the table)"
            ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes)
            ax.axis("off")
            continue
        if section.startswith("2."):
            _scaling(ax, [r for r in rows if r.section == section])
            continue
        labels = [f"{r.name} · {r.size} cells" if r.size and not section.startswith(("1.", "3.")) else r.name
                  for r in mine]
        data = [[s * 1000 for s in r.samples] for r in mine]
        ax.boxplot(data, orientation="horizontal", tick_labels=[_wrap(label) for label in labels], showfliers=True,
                   flierprops={"markersize": 3})
        for i, values in enumerate(data, start=1):
            ax.scatter(values, [i + 0.25] * len(values), s=4, alpha=0.4, color="tab:blue")
        positive = all(v > 0 for values in data for v in values)
        spread = max(max(abs(v) for v in values) for values in data) / max(1e-3, min(min(abs(v) for v in values) for values in data))
        if positive and spread > 30:
            ax.set_xscale("log")
        elif spread > 30:  # differences (overheads) around zero next to latencies of seconds
            ax.set_xscale("symlog", linthresh=1.0)
            ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlabel("ms per call" if not section.startswith(("3.", "4.")) else "ms")
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="x", alpha=0.3)
        singles = [r for r in rows if r.section == section and not r.samples and r.value is not None]
        if singles:
            text = "\n".join(f"{_wrap(r.name, 44)} · {r.size} cells: {fmt(r.value, r.unit)}" for r in singles)
            ax.text(1.01, 1.0, text, transform=ax.transAxes, ha="left", va="top", fontsize=8,
                    bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "grey"})
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def _plotted(rows: list[Row], section: str) -> list[Row]:
    """The rows drawn as distributions (section 4: the new-output rows and the overhead only)."""
    mine = [r for r in rows if r.section == section and r.samples]
    if section.startswith("4."):
        mine = [r for r in mine if "first" not in r.name]
    return mine


def _wrap(label: str, width: int = 60) -> str:
    words, lines, line = label.split(" "), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def _scaling(ax: Any, rows: list[Row]) -> None:
    """Median (marker) and p95 (bar) against notebook size, one line per reader and kernel state."""
    names = sorted({r.name for r in rows})
    readers = sorted({n.split(": ", 1)[-1] for n in names})
    colours = {reader: f"C{i}" for i, reader in enumerate(readers)}
    for name in names:
        points = sorted((r for r in rows if r.name == name and r.median is not None), key=lambda r: r.size or 0)
        if not points:
            continue
        sizes = [r.size for r in points]
        medians = [r.median * 1000 for r in points]
        upper = [((r.p95 or r.median) - r.median) * 1000 for r in points]
        style = "--" if name.startswith("busy") else "-"
        label = name + (" (stopped at the cap)" if any(r.status == "waits" for r in points) else "")
        ax.errorbar(sizes, medians, yerr=[[0] * len(upper), upper], fmt="o" + style, capsize=3, label=label,
                    color=colours[name.split(": ", 1)[-1]])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("cells in the notebook")
    ax.set_ylabel("ms per call (median, bar to p95)")
    ax.axhline(50, color="grey", lw=0.8, ls=":")
    ax.text(ax.get_xlim()[0], 50, " 50 ms target (1,000 cells)", fontsize=7, va="bottom", color="grey")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3, which="both")


# -- the documents ------------------------------------------------------------------------

def _find(rows: list[Row], section: str, name: str, size: int | None) -> Row | None:
    for row in rows:
        if row.section.startswith(section) and row.name == name and (size is None or row.size == size):
            return row
    return None


def _val(row: Row | None, stat: str = "median") -> str:
    if row is None:
        return "not run"
    if row.status in ("not available", "failed"):
        return row.status
    if row.status == "waits":
        return f"waits for the kernel (> {fmt(row.value)})"
    return fmt(row.p95 if stat == "p95" else row.median, row.unit)


def _ours(warm: Row | None, in_process: Row | None) -> tuple[Row | None, str]:
    """The warm service's row when it was measured, else the in-process one; and which it is."""
    return (warm, "service warm") if warm is not None and warm.samples else (in_process, "in-process")


def _exec_lines(rows: list[Row]) -> list[str]:
    ours, label = _ours(_find(rows, "1.", "ours, service warm", None),
                        _find(rows, "1.", "ours, in-process (MARIMO_PAIR_NO_SERVICE=1)", None))
    if ours is None:
        return []
    return [f"| `exec print(1)`, new process per call ({label}) | {_val(ours)} | curl {_val(_find(rows, '1.', 'curl POST /api/kernel/execute', None))}, "
            f"`marimo pair execute` {_val(_find(rows, '1.', 'marimo pair execute', None))} | ≤ 1.5x curl |"]


def _cells_lines(rows: list[Row]) -> list[str]:
    lines = []
    for kernel in ("idle", "busy"):
        ours, mode = _ours(_find(rows, "2.", f"{kernel}: ours, service warm", 1000),
                           _find(rows, "2.", f"{kernel}: ours, in-process", 1000))
        if ours is not None:
            lines.append(f"| `cells`, 1,000 cells, kernel {kernel} ({mode}) | {_val(ours)} | "
                         f"`marimo pair` code_mode read {_val(_find(rows, '2.', f'{kernel}: marimo pair execute, code_mode read', 1000))}, "
                         f"marimo MCP `get_cell_runtime_data` {_val(_find(rows, '2.', f'{kernel}: marimo --mcp get_cell_runtime_data (held client)', 1000))} | ≤ 50 ms |")
    return lines


def _overhead_lines(rows: list[Row]) -> list[str]:
    lines = []
    mcp = _find(rows, "3.", "overhead: ours - httpx (per pair)", None)
    if mcp is not None:
        lines.append(f"| MCP `execute` overhead over a bare HTTP request | {_val(mcp)} (p95 {_val(mcp, 'p95')}) | – | ≤ 5 ms |")
    live = _find(rows, "4.", "overhead: ours - raw, new output (per run)", 1000)
    if live is not None:
        lines.append(f"| live model behind a raw websocket, 1,000 cells (p95) | {_val(live, 'p95')} | – | ≤ 5 ms |")
    return lines


def _app_lines(rows: list[Row]) -> list[str]:
    lines = []
    for size in (1000, 5000):
        paint = _find(rows, "5.", "first paint (start -> tree shows every cell)", size)
        if paint is not None:
            tree = _find(rows, "5.", "peak RSS (VmHWM): tree, editor and a re-run of every cell", size)
            peak = _find(rows, "5.", "peak RSS (VmHWM) at the end: notebook view (f7) shown and stepped through", size)
            lines.append(f"| app first paint / peak RSS (with the notebook view), {size:,} cells | {_val(paint)} / "
                         f"{_val(tree)} ({_val(peak)}) | – | ≤ {1 if size == 1000 else 2} s / ≤ 150 MB |")
    return lines


def readme_table(rows: list[Row]) -> list[str]:
    return ["| one call, measured on the same server | marimo-pair-tui | peers | target |",
            "| --- | ---: | --- | --- |",
            *_exec_lines(rows), *_cells_lines(rows), *_overhead_lines(rows), *_app_lines(rows)]


def write(rows: list[Row], failures: dict[str, str], info: dict[str, Any], docs: Path) -> tuple[Path, Path, Path]:
    docs.mkdir(parents=True, exist_ok=True)
    png = docs / "benchmarks.png"
    plot(rows, failures, png)
    m = info["machine"]
    lines = [
        "# Benchmarks: marimo-pair-tui against its peers",
        "",
        f"Measured {info['date']} with `{info['command']}` ({info['mode']} mode, {info['elapsed']:.0f} s).",
        "",
        "## Machine",
        "",
        f"- CPU: {m['CPU']}, {m['cores']} cores; RAM {m['RAM']}; OS {m['OS']}",
        f"- python {m['python']}, marimo {m['marimo']}, marimo-pair-tui {m['marimo-pair-tui']}, curl {m['curl']}, "
        f"textual {m['textual']}, mcp {m['mcp']}",
        "",
        "## How it was run",
        "",
        "One `marimo edit --headless --no-token --mcp tools` server on a loopback port serves a private",
        "directory of generated notebooks (cells `x_i = i` showing their value, plus one cell that a",
        "browser-like run turns into a sleep to keep the kernel busy). Each size is opened once by a",
        "browser-like websocket session that runs every cell, and every section and every peer measure",
        "those same sessions. Every process runs with a private `XDG_STATE_HOME` and a private 0700",
        "`XDG_RUNTIME_DIR`; the background service, when the build has one, is stopped after each",
        "section that uses it (1 and 2), so that its mirrors do not compete with later sections, and at the end.",
        "One-shot rows time a whole process (`subprocess.run`, wall clock); the fast one-shot rows of",
        "section 1 are interleaved call by call. p95 is the nearest-rank 95th percentile and is only",
        "given for 20 samples or more; slow peers get fewer calls, and the table says so. Targets are",
        "reported, never asserted. Ratios: how many times faster ours is than the peer (median over",
        "median, same notebook and kernel state).",
        "",
        f"Sections run: {', '.join(info['sections'])}. Sizes: {', '.join(str(s) for s in info['sizes'])} cells"
        f" (the app: {', '.join(str(s) for s in info['app_sizes'])}).",
        "",
        "![latency distributions](benchmarks.png)",
        "",
    ]
    descriptions = info.get("descriptions", {})
    for section in sorted({r.section for r in rows} | set(failures), key=lambda s: s[:2]):
        lines += [f"## {section}", ""]
        if section in descriptions:
            lines += [descriptions[section], ""]
        if section in failures:
            lines += ["**Failed:**", "", "```", failures[section].strip()[-3000:], "```", ""]
        mine = [r for r in rows if r.section == section]
        if mine:
            lines += section_table(mine) + [""]
    lines += ["## For the README", "", *readme_table(rows), ""]
    md = docs / "benchmarks.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    readme = docs / "benchmarks-readme.md"
    readme.write_text("\n".join(readme_table(rows) + [
        "", f"{m['CPU']}, {m['cores']} cores, marimo {m['marimo']}; details and how to run it: "
            "[docs/benchmarks.md](docs/benchmarks.md) (`.venv/bin/python bench/run.py`).", ""]), encoding="utf-8")
    return md, png, readme


def console_table(rows: list[Row]) -> str:
    out = []
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            out.append(f"\n{section}")
        if row.status in ("not available", "failed"):
            figures = row.status
        elif row.status == "waits":
            figures = f"> {fmt(row.value)} (waits)"
        else:
            figures = f"{fmt(row.median, row.unit):>10} p95 {fmt(row.p95, row.unit):>10}"
        size = f"{row.size:>5}" if row.size is not None else "     "
        extra = "  ".join(x for x in (ratios(row, rows), f"target {row.target}: {met_text(row)}" if row.target else "") if x)
        out.append(f"  {size} {row.name[:62]:62} {figures}  {extra}")
    return "\n".join(out)
