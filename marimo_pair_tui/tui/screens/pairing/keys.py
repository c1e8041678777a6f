"""The pairing screen's keys: every binding has an id, so users can remap it in config.toml.

Priority bindings work whatever has the focus (the editor would otherwise take
ctrl+s and friends); delete, e and p are left to the focused widget first.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

PAIRING_KEYS: list[BindingType] = [
    Binding("ctrl+r", "run_snippet", "run", id="run-snippet", priority=True,
            tooltip="Run the editor text in the kernel's scratchpad"),
    Binding("ctrl+s", "apply", "apply", id="apply-cell", priority=True,
            tooltip="Replace the loaded (or selected) cell's code with the editor text"),
    Binding("ctrl+l", "load", "load", id="load-cell", priority=True,
            tooltip="Load the selected cell's code into the editor"),
    Binding("ctrl+n", "new_after", "new", id="new-cell-after", priority=True,
            tooltip="New cell below the selected one, from the editor text"),
    Binding("ctrl+o", "new_before", "new above", id="new-cell-before", priority=True, show=False,
            tooltip="New cell above the selected one, from the editor text"),
    Binding("ctrl+g", "run_cell", "run cell", id="run-cell", priority=True,
            tooltip="Run the selected cell (and the cells that depend on it)"),
    Binding("alt+up", "move_up", "move up", id="move-up", priority=True, show=False,
            tooltip="Move the selected cell up"),
    Binding("alt+down", "move_down", "move down", id="move-down", priority=True, show=False,
            tooltip="Move the selected cell down"),
    Binding("delete", "delete_cell", "delete", id="delete-cell", show=False,
            tooltip="Delete the selected cell (asks first; in the cell tree)"),
    Binding("ctrl+t", "interrupt", "interrupt", id="interrupt", priority=True,
            tooltip="Interrupt the kernel"),
    Binding("f12", "restart", "restart", id="restart-kernel", priority=True, show=False,
            tooltip="Restart the kernel (asks first): its variables and outputs in memory go, the notebook file and "
                    "the editor text stay; the app follows the new session"),
    Binding("f5", "refresh", "refresh", id="refresh", show=False,
            tooltip="Re-read every cell (defs, refs, statuses) through code_mode"),
    Binding("f2", "focus('cells')", "cells", id="focus-cells", show=False, tooltip="Focus the cell tree"),
    Binding("f3", "focus('editor')", "editor", id="focus-editor", show=False, tooltip="Focus the editor"),
    Binding("f4", "focus('results')", "results", id="focus-results", show=False, tooltip="Focus the results"),
    Binding("ctrl+y", "copy", "copy", id="copy", priority=True, show=False,
            tooltip="Copy to the clipboard (OSC 52, also over SSH): the selected cell's code, the editor's "
                    "selection, the last result, or the activity entry"),
    Binding("f6", "toggle_activity", "activity", id="activity", priority=True,  # the editor's f6 selects a line
            tooltip="Show or hide the activity feed: every snippet and cell run, by anyone, live"),
    # Not in the footer, which has no room left at 80 columns: the cell tree's and the notebook view's
    # subtitles name it.
    Binding("f7", "toggle_notebook", "notebook", id="notebook-view", priority=True, show=False,
            tooltip="Show the notebook view (each cell's code and rendered output, live) in place of the cell "
                    "tree, or the tree again"),
    Binding("f8", "docs", "docs", id="docs", priority=True, show=False,
            tooltip="Show the documentation of the name at the editor's cursor (static: works while the kernel is busy)"),
    Binding("f9", "toggle_variables", "variables", id="variables", priority=True, show=False,
            tooltip="Show or hide the variables: name, type, preview, defining and reading cells, filtered as you "
                    "type; enter selects the defining cell"),
    Binding("f10", "toggle_graph", "graph", id="graph", priority=True, show=False,
            tooltip="Show or hide the selected cell's dataflow graph: the cells it reads from, the cells that read "
                    "it; enter goes to one"),
    Binding("alt+h", "toggle_history", "history", id="history", priority=True, show=False,
            tooltip="Show or hide the history: every change of the cells' code, by anyone, with the selected "
                    "change's diff; r reverts it"),
    Binding("alt+f", "toggle_follow_focus", "follow focus", id="follow-focus", priority=True, show=False,
            tooltip="Follow the browser's focus on or off: when on, the cell a browser focuses is selected here"),
    Binding("e", "activity_to_editor", "to editor", id="activity-to-editor", show=False,
            tooltip="Activity: copy the selected entry's code into the editor (its text stays one ctrl+z away)"),
    Binding("p", "activity_promote", "promote", id="activity-promote", show=False,
            tooltip="Activity: make the selected entry's code a new cell below the selected cell"),
    Binding("alt+p", "screenshot", "picture", id="screenshot", priority=True, show=False,
            tooltip="Show the selected cell's output as marimo's front end draws it (a picture taken in your "
                    "Chromium: charts, widgets, styled HTML)"),
    Binding("ctrl+f", "search", "find", id="search", priority=True, show=False,
            tooltip="Find in the cells' names, code, outputs and consoles (the search bar: enter/f3 next, "
                    "shift+f3 previous, alt+r regex, alt+c case, esc closes)"),
    Binding("alt+d", "debug_cell", "debug", id="debug-cell", priority=True, show=False,
            tooltip="Open the debugger on the selected cell: pdb on its last failure (post-mortem), or on the "
                    "breakpoint() it waits at"),
    Binding("escape", "back", "notebooks", id="back", show=False,
            tooltip="Back to the list of servers and notebooks (the draft is kept)"),
    Binding("f1", "app.help", "help", id="help", tooltip="Show every key"),
]


def binding(binding_id: str) -> Binding:
    """The pairing screen's binding with this id."""
    return next(b for b in PAIRING_KEYS if isinstance(b, Binding) and b.id == binding_id)
