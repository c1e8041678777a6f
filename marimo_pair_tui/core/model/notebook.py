"""The notebook model: ordered cells and kernel state, kept current by two feeds.

A code_mode snapshot (authoritative, replaces the cell list) and the
websocket's live messages (`{"op": ..., "data": {...}}`). Views read it and
never keep their own copy. No I/O, no asyncio: every method is a synchronous
state transition, so it is tested by replaying recorded server traffic
(tests/fixtures/events/).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import partial
from typing import Any

from .activity import ActivityEntry, ActivityLog
from .history import CodeHistory
from .cell import BUSY, RUNTIME_FIELDS, UNNAMED, Cell, CellConfig, code_hash
from .kernel_notices import OPS as NOTICE_OPS, KernelNotices
from ..parts.model import WidgetPart
from ..parts.widgets import TYPES as UI_TYPES, python_value
from .widget_models import WidgetModels, model_id_of
from ..parts.payloads import ERROR_MIMETYPE, CellError, error_status, parse_errors
from .outputs import CELL_CONSOLE_CHARS, CELL_OUTPUT_CHARS, ConsoleEntry, Output, bounded_output, snapshot_errors

SCRATCH_ID = "__scratch__"  # the kernel's scratchpad: /api/kernel/execute snippets
ORPHAN_LIMIT = 256  # cell-ops for cells the document does not know (yet) kept aside

__all__ = [
    "CELL_CONSOLE_CHARS", "CELL_OUTPUT_CHARS", "SCRATCH_ID", "ActivityEntry", "ActivityLog", "Cell", "CellConfig", "CellError", "Changes",
    "ConsoleEntry", "Notebook", "Output", "code_hash",
]


_NO_NAMES: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
# A variable bound to an element is reported with one of these types when a client set its value (the type
# of the value the client sent); with the element's own class when its cell ran.
_FRONTEND_TYPES = {"int", "float", "str", "bool", "list", "dict", "NoneType", "None"}


@dataclass(frozen=True)
class Changes:
    """What one message changed, so views refresh only that.

    Iterating and `in` look at the changed cell ids (deleted ones included);
    `structure`: order or membership changed; `kernel`: session-level state
    (running/completed/interrupted/reload); `scratch`: the scratchpad;
    `activity`: ids of the activity log entries that started, changed or ended;
    `ui_values`: object ids of UI elements whose value changed or became known (`Notebook.ui_current`,
    `Notebook.ui_values`);
    `variables`: names whose value the kernel reported changed (`Notebook.variable_values`);
    `notices`: marimo told something (`Notebook.notices`: a toast, a banner, startup, package work);
    `models`: ids of anywidget models whose state changed (`Notebook.models`).
    """

    cell_ids: frozenset[str] = frozenset()
    structure: bool = False
    kernel: bool = False
    scratch: bool = False
    activity: frozenset[str] = frozenset()
    ui_values: frozenset[str] = frozenset()
    variables: frozenset[str] = frozenset()
    focus: bool = False  # a browser focused a cell (`Notebook.focused_cell`)
    notices: bool = False
    models: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return (bool(self.cell_ids) or self.structure or self.kernel or self.scratch or bool(self.activity)
                or bool(self.ui_values) or bool(self.variables) or self.focus or self.notices or bool(self.models))

    def __iter__(self) -> Iterator[str]:
        return iter(self.cell_ids)

    def __or__(self, other: "Changes") -> "Changes":
        """What both said: every id set united, every flag or-ed (a field added here is merged too)."""
        return Changes(**{f.name: getattr(self, f.name) | getattr(other, f.name) for f in fields(self)})

    def __contains__(self, cell_id: object) -> bool:
        return cell_id in self.cell_ids


NO_CHANGES = Changes()


class Notebook:
    """Ordered cells of one notebook session, plus kernel-level state."""

    def __init__(self) -> None:
        self._order: list[str] = []
        self._cells: dict[str, Cell] = {}
        # A cell-op can precede the create-cell of its cell, and a replay
        # carries cell-ops of deleted cells: keep them aside, bounded.
        self._orphans: OrderedDict[str, Cell] = OrderedDict()
        self._graph: dict[str, tuple[set[str], set[str]]] = {}  # from the last `variables`
        self._last_variables: Any = None  # that message's list, to skip it when it comes again unchanged
        self.scratch = Cell(id=SCRATCH_ID, name=SCRATCH_ID)  # code: the latest snippet
        self.scratch_runs = 0  # snippets seen starting
        self.version = 0  # +1 for every applied message or snapshot that changed something
        self.last_run_completed = True
        self.last_run_outcome: str | None = None  # completed-run: succeeded|failed|interrupted
        self.interrupted = False  # the latest run was interrupted
        self.interrupt_count = 0
        self.needs_snapshot = False  # a `reload` came: read the notebook again
        self.stable_session_id: str | None = None
        self.activity = ActivityLog()  # every execution seen, by anyone (core/model/activity.py)
        self.history = CodeHistory()  # every change of a cell's code, by anyone (core/model/history.py)
        # UI values as the stream tells them (frontend form, by object id): what the session held at
        # connect, then each value code_mode set. A browser's own changes reach other clients only
        # as `variable-values` (name, type, preview), kept in `variable_values`.
        self.ui_values: dict[str, Any] = {}
        # UI values as the kernel holds them (as Python sees them, as JSON, by object id): its last read
        # (`apply_ui_read`). `ui_stale` says they may be old: nothing read since this connection began, or a
        # client set a value since; `ui_marks` counts those signs, so a read that began before one does not
        # count as fresh. An element whose cell re-runs is dropped (its new output holds its new value).
        self.ui_current: dict[str, Any] = {}
        self.ui_stale = True
        self.ui_marks = 0
        self.variable_values: dict[str, dict[str, Any]] = {}
        self.declarations: dict[str, tuple[list[str], list[str]]] = {}  # name -> (declared_by, used_by)
        self._ui_names: set[str] = set()  # names last reported holding a UI element
        self.missing_packages: list[str] = []  # the latest `missing-package-alert` (live only, never replayed)
        self.focused_cell: str | None = None  # the cell a browser last focused (`focus-cell`)
        self.datasets: dict[str, dict[str, Any]] = {}  # in-memory tables by variable name (`datasets`)
        # Cells whose replayed cell-op has not arrived since kernel-ready: every cell that ran (it has a
        # `last_execution_time`) has one in marimo's replay, which has no end marker (a large output takes
        # a while to arrive). `last_executed_code` is no guide: it also names cells created and never run.
        self.replay_pending: set[str] = set()
        self.notices = KernelNotices()  # toasts, banners, startup, package operations (core/model/kernel_notices.py)
        self.models = WidgetModels()  # anywidget models' state (core/model/widget_models.py)
        self._models_read = 0  # `models.seq` when the kernel's UI values were last read

    # -- queries --------------------------------------------------------

    @property
    def cells(self) -> list[Cell]:
        return [self._cells[cid] for cid in self._order]

    @property
    def cell_ids(self) -> list[str]:
        return list(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[Cell]:
        return iter(self.cells)

    def get(self, key: str) -> Cell | None:
        """A cell by id, else by name when exactly one cell has it."""
        if key in self._cells:
            return self._cells[key]
        named = [c for c in self.cells if c.name == key and key != UNNAMED]
        return named[0] if len(named) == 1 else None

    def cell(self, key: str) -> Cell:
        """A cell by id or name; KeyError when there is none or the name is ambiguous."""
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def index_of(self, cell_id: str) -> int:
        return self._order.index(cell_id)

    def running_cell_ids(self) -> list[str]:
        return [cid for cid in self._order if self._cells[cid].runtime == "running"]

    def queued_cell_ids(self) -> list[str]:
        return [cid for cid in self._order if self._cells[cid].runtime == "queued"]

    @property
    def running_cell_id(self) -> str | None:
        return next(iter(self.running_cell_ids()), None)

    def ui_element_names(self, names: Iterable[str]) -> set[str]:
        """Those of `names` bound to a marimo UI element: a browser's move of an element reaches other
        clients only as such a variable's new value (typed as the value, so the element's type is
        remembered from when its cell ran)."""
        return set(names) & self._ui_names

    def widget_value(self, part: WidgetPart) -> Any:
        """The kernel's value of the element `part` draws, as far as the model knows: its last read of the
        kernel, else the value the stream told (a value code_mode set), else the value it was drawn with.
        An anywidget's is its model's state, unless the kernel was read since the model last changed."""
        model = self.models.get(model_id_of(part.domain) or model_id_of(part.value))
        if model is not None and (part.object_id not in self.ui_current or model.seq > self._models_read):
            return model.state
        if part.object_id in self.ui_current:
            return self.ui_current[part.object_id]
        if part.object_id in self.ui_values:
            return python_value(part.kind, self.ui_values[part.object_id], part.domain)
        return part.value

    def waiting_for_input(self) -> list[tuple[Cell, str]]:
        """Cells (the scratchpad included) whose `input()` waits for an answer, with its prompt."""
        return [(cell, cell.prompt) for cell in (*self.cells, self.scratch) if cell.prompt is not None]

    def is_idle(self) -> bool:
        """Nothing queued or running, scratchpad included."""
        return self.scratch.runtime not in BUSY and all(c.runtime not in BUSY for c in self._cells.values())

    def descendants(self, cell_id: str) -> list[Cell]:
        """Cells that read, directly or not, what `cell_id` defines (notebook order): the ones a
        delete of `cell_id` leaves stale."""
        start = self.get(cell_id)
        if start is None:
            return []
        defined = set(start.defs)
        found: set[str] = set()
        changed = True
        while changed:
            changed = False
            for cell in self.cells:
                if cell.id == start.id or cell.id in found:
                    continue
                if cell.refs & defined:
                    found.add(cell.id)
                    defined |= cell.defs
                    changed = True
        return [c for c in self.cells if c.id in found]

    # -- feeds ----------------------------------------------------------

    def apply_snapshot(self, snapshot: Mapping[str, Any]) -> Changes:
        """Replace every cell, and their order, with a code_mode snapshot."""
        old = set(self._order)
        self._order, self._cells = [], {}
        self._last_variables = None  # the next `variables` applies again over the snapshot's graph
        for raw in snapshot.get("cells", ()):
            cell = Cell(id=str(raw["id"]), name=raw.get("name") or UNNAMED, code=raw.get("code", ""),
                        config=CellConfig.from_wire(raw.get("config")))
            _set_snapshot_status(cell, raw.get("status"))
            cell.errors = snapshot_errors(raw)
            for entry in raw.get("console") or ():
                cell.append_console(entry)
            cell.output = None if raw.get("output") is None else bounded_output(raw["output"])
            cell.graph_defs, cell.graph_refs = set(raw.get("defs") or ()), set(raw.get("refs") or ())
            self._insert(cell, len(self._order))
        self.needs_snapshot = False
        self.last_run_completed = self.is_idle()
        return self._bump(Changes(frozenset(old | set(self._order)), structure=True, kernel=True))

    def apply_event(self, message: Mapping[str, Any]) -> Changes:
        """Apply one websocket message; ops the model does not use change nothing."""
        op, data = str(message.get("op")), message.get("data") or {}
        handler = _HANDLERS.get(op)
        if handler is None or not isinstance(data, Mapping):
            return NO_CHANGES
        activity = self.activity.apply(op, data, self._label_of, self._code_of)  # before: labels as planned
        self.history.observe(op, data, self)  # before: the code a change replaces
        changes = handler(self, data)
        return self._bump(replace(changes, activity=activity) if activity else changes)

    def _bump(self, changes: Changes) -> Changes:
        if changes:
            self.version += 1
        return changes

    # -- handlers, one per op ---------------------------------------------

    def _kernel_ready(self, data: Mapping[str, Any]) -> Changes:
        """A (re)connection: the cell list; the replay that follows brings the rest."""
        old = set(self._order)
        self._order, self._cells, self._graph = [], {}, {}
        self._last_variables = None
        self._orphans.clear()
        ran = data.get("last_executed_code") or {}
        ids, names, codes = data.get("cell_ids") or (), data.get("names") or (), data.get("codes") or ()
        configs = data.get("configs") or ()
        for i, cid in enumerate(ids):
            self._insert(Cell(id=cid, name=names[i] if i < len(names) else UNNAMED,
                              code=codes[i] if i < len(codes) else "",
                              config=CellConfig.from_wire(configs[i] if i < len(configs) else None),
                              run_code=ran.get(cid)), len(self._order))
        self.stable_session_id = data.get("stable_session_id") or self.stable_session_id
        values = data.get("ui_values")
        self.ui_values = dict(values) if isinstance(values, Mapping) else {}
        self.ui_current, self.ui_stale, self.ui_marks = {}, True, self.ui_marks + 1
        timed = data.get("last_execution_time")
        self.replay_pending = set(timed) & set(self._order) if isinstance(timed, Mapping) else set()
        self.scratch = Cell(id=SCRATCH_ID, name=SCRATCH_ID)
        self.needs_snapshot, self.last_run_completed, self.interrupted = False, True, False
        notices = self.notices.reset()
        self.models.clear()  # the replay that follows opens the live ones again
        return Changes(frozenset(old | set(self._order)), structure=True, kernel=True, notices=notices)

    def _transaction(self, data: Mapping[str, Any]) -> Changes:
        """Document changes from any client (code_mode, a browser, file watch)."""
        changed: set[str] = set()
        structure = relabel = False
        transaction = data.get("transaction") or {}
        source = transaction.get("source")
        for change in transaction.get("changes") or ():
            kind, cid = change.get("type"), change.get("cellId", change.get("cell_id"))
            if kind == "reorder-cells":  # like marimo: unknown ids ignored, missing ones appended
                wanted = [c for c in dict.fromkeys(change.get("cellIds", change.get("cell_ids")) or ())
                          if c in self._cells]
                order = wanted + [c for c in self._order if c not in set(wanted)]
                structure, self._order = structure or order != self._order, order
                continue
            if kind == "create-cell" and isinstance(cid, str):
                self._create(change, cid)
            elif cid not in self._cells:
                continue
            elif kind == "delete-cell":
                self._order.remove(cid)
                del self._cells[cid]
            elif kind == "move-cell":
                self._order.remove(cid)
                self._order.insert(self._anchor_index(change), cid)
            else:
                self._set_property(self._cells[cid], kind, change, source)
            structure = structure or kind in ("create-cell", "delete-cell", "move-cell")
            relabel = relabel or kind in ("create-cell", "delete-cell", "set-name")
            changed.add(cid)
        if relabel:
            changed |= self._relabel_errors()
        return Changes(frozenset(changed), structure=structure)

    def _relabel_errors(self) -> set[str]:
        """Errors name other cells by label: say them again after cells came, went or were renamed.

        A snapshot names them as the notebook is when it is read; so does the model.
        """
        changed = set()
        for cid, cell in self._cells.items():
            out = cell.output
            if cell.errors and out is not None and out.mimetype == ERROR_MIMETYPE and not out.truncated:
                errors = parse_errors(out.data, self._label_of)
                if errors != cell.errors:
                    cell.errors = errors
                    changed.add(cid)
        return changed

    def _create(self, change: Mapping[str, Any], cid: str) -> None:
        cell = Cell(id=cid, name=change.get("name") or UNNAMED, code=change.get("code", ""),
                    config=CellConfig.from_wire(change.get("config")))
        known = self._orphans.pop(cid, None) or self._cells.get(cid)
        if known is not None:  # kernel state that came first
            for name in RUNTIME_FIELDS:
                setattr(cell, name, getattr(known, name))
        if cid in self._cells:
            self._order.remove(cid)
        cell.graph_defs, cell.graph_refs = (set(names) for names in self._graph.get(cid, ((), ())))
        self._insert(cell, self._anchor_index(change))

    def _set_property(self, cell: Cell, kind: str | None, change: Mapping[str, Any],
                      source: str | None = None) -> None:
        if kind == "set-code":
            code = change.get("code", "")
            if cell.run_code is None and cell.result is not None:
                cell.run_code = cell.code  # it ran, and what it ran is the code we had
            if source == "code-mode" and code != cell.code:
                # code_mode registers the new code in the kernel's graph without
                # running it: stale until a run, even when the code goes back
                # to what last ran.
                cell.marked_stale = True
            cell.code = code
        elif kind == "set-name":
            cell.name = change.get("name") or UNNAMED
        elif kind == "set-config":
            cell.config = CellConfig.from_wire(change)

    def _anchor_index(self, change: Mapping[str, Any]) -> int:
        """Where a created or moved cell goes: after/before its anchor, else last."""
        after, before = change.get("after"), change.get("before")
        if after in self._cells:
            return self._order.index(after) + 1
        if before in self._cells:
            return self._order.index(before)
        return len(self._order)

    def _insert(self, cell: Cell, index: int) -> None:
        self._cells[cell.id] = cell
        self._order.insert(index, cell.id)

    def _cell_op(self, data: Mapping[str, Any]) -> Changes:
        cid = str(data.get("cell_id"))
        self.replay_pending.discard(cid)
        if cid == SCRATCH_ID:
            self._merge_cell_op(self.scratch, data)
            return Changes(scratch=True, kernel=self._note_run_start(data))
        cell = self._cells.get(cid)
        if cell is None:
            orphan = self._orphans.pop(cid, None) or Cell(id=cid)
            self._orphans[cid] = orphan
            while len(self._orphans) > ORPHAN_LIMIT:
                self._orphans.popitem(last=False)
            self._merge_cell_op(orphan, data)
            return NO_CHANGES
        self._merge_cell_op(cell, data)
        return Changes(frozenset({cid}), kernel=self._note_run_start(data))

    def _note_run_start(self, data: Mapping[str, Any]) -> bool:
        if data.get("status") in BUSY and (self.last_run_completed or self.interrupted):
            self.last_run_completed = self.interrupted = False
            return True
        return False

    def _merge_cell_op(self, cell: Cell, data: Mapping[str, Any]) -> None:
        """marimo's merge of a partial cell update (SessionView.merge_cell_notification).

        None means unchanged. Console `[]`, or queued -> running, clears the
        console; any other console (one entry or a list) appends.
        """
        status, console, output = data.get("status"), data.get("console"), data.get("output")
        _note_stamp(cell, status, data.get("timestamp"))
        if (isinstance(console, list) and not console) or (status == "running" and cell.runtime == "queued"):
            cell.clear_console()
        for entry in [console] if isinstance(console, Mapping) else console or ():
            cell.append_console(entry)
        if status == "running" and cell.runtime != "running":  # a new run: old errors go
            cell.marked_stale, cell.errors = False, []
            if cell.output is not None and cell.output.mimetype == ERROR_MIMETYPE:
                cell.output = None
        if status is not None:
            cell.runtime = status
        if data.get("stale_inputs") is not None:
            cell.stale_inputs = bool(data["stale_inputs"])
        if output is not None:
            cell.output = bounded_output(output)
            is_error = output.get("mimetype") == ERROR_MIMETYPE
            cell.errors = parse_errors(output.get("data"), self._label_of) if is_error else []
            if is_error:
                cell.result = error_status(output.get("data"))
        if status == "idle" and not cell.errors:
            cell.result = "idle"

    def _label_of(self, cell_id: str) -> str:
        cell = self._cells.get(cell_id)
        return cell.label if cell is not None else cell_id

    def _code_of(self, cell_id: str) -> str | None:
        """The code a cell last ran (kernel-ready's `last_executed_code`), else its code; None if unknown."""
        cell = self._cells.get(cell_id)
        if cell is None:
            return None
        return cell.run_code if cell.run_code is not None else cell.code

    def _execution(self, data: Mapping[str, Any]) -> Changes:
        """`planned` carries the code the kernel is about to run."""
        code = data.get("code")
        if data.get("phase") != "planned" or code is None:
            return NO_CHANGES
        cid = str(data.get("cell_id"))
        if cid == SCRATCH_ID:
            self.scratch.code = self.scratch.run_code = code
            self.scratch_runs += 1
            return Changes(scratch=True)
        cell = self._cells.get(cid) or self._orphans.get(cid)
        if cell is None or (cell.run_code == code and not cell.marked_stale):
            return NO_CHANGES
        cell.run_code, cell.marked_stale = code, False
        return Changes(frozenset({cid} & self._cells.keys()))

    def _variables(self, data: Mapping[str, Any]) -> Changes:
        """The kernel's whole dataflow graph: every cell's defs and refs."""
        variables = data.get("variables")
        if variables is not None and variables == self._last_variables:
            return NO_CHANGES  # sent after every run, mostly unchanged: compared in C, not rebuilt
        self._last_variables = variables
        graph: dict[str, tuple[set[str], set[str]]] = {}
        self.declarations = {
            str(var["name"]): (list(var.get("declared_by") or ()), list(var.get("used_by") or ()))
            for var in data.get("variables") or () if isinstance(var, Mapping) and var.get("name")
        }
        for name in set(self.variable_values) - set(self.declarations):
            del self.variable_values[name]  # a name no cell defines any more
        self._ui_names &= set(self.declarations)
        # Sent whole after every run: a notebook of thousands of cells makes this a hot path,
        # so sets are made only for cells that have names and copied only when they changed.
        for name, (declared_by, used_by) in self.declarations.items():
            for cid in declared_by:
                entry = graph.get(cid)
                if entry is None:
                    entry = graph[cid] = (set(), set())
                entry[0].add(name)
            for cid in used_by:
                entry = graph.get(cid)
                if entry is None:
                    entry = graph[cid] = (set(), set())
                entry[1].add(name)
        self._graph = graph
        changed = set()
        for cid, cell in self._cells.items():
            defs, refs = graph.get(cid, _NO_NAMES)
            if defs != cell.graph_defs or refs != cell.graph_refs:
                cell.graph_defs, cell.graph_refs = set(defs), set(refs)
                changed.add(cid)
        return Changes(frozenset(changed))

    def _ui_message(self, data: Mapping[str, Any]) -> Changes:
        """A value pushed to a UI element's frontend (code_mode's set_ui_value does this)."""
        message, oid = data.get("message"), data.get("ui_element")
        if not (isinstance(message, Mapping) and message.get("type") == "marimo-ui-value-update" and oid):
            return NO_CHANGES
        self.ui_values[str(oid)] = message.get("value")
        self.ui_current.pop(str(oid), None)  # the frontend form just told is newer than the last read
        self._ui_moved()
        return Changes(ui_values=frozenset({str(oid)}))

    def _ui_moved(self) -> None:
        self.ui_stale, self.ui_marks = True, self.ui_marks + 1

    def _remove_ui_elements(self, data: Mapping[str, Any]) -> Changes:
        """A cell is about to run again: its elements go (the run makes new ones, drawn with their values)."""
        prefix = f"{data.get('cell_id')}-"
        gone = {oid for oid in (*self.ui_current, *self.ui_values) if oid.startswith(prefix)}
        for oid in gone:
            self.ui_current.pop(oid, None)
            self.ui_values.pop(oid, None)
        return Changes(ui_values=frozenset(gone))

    def apply_ui_read(self, read: Mapping[str, tuple[Any, Any, Sequence[str]]], mark: int) -> Changes:
        """The kernel's elements, read whole (object id -> value, frontend value, bound names), as they were
        when the read began at `mark` (`ui_marks` then): fresh, unless a client set a value since."""
        changed = {oid for oid, (value, _front, _names) in read.items() if self.ui_current.get(oid, self) != value}
        changed |= set(self.ui_current) - set(read)
        self.ui_current = {oid: value for oid, (value, _front, _names) in read.items()}
        for oid, (_value, front, names) in read.items():
            self.ui_values[oid] = front
            self._ui_names.update(names)
        self.ui_stale = mark != self.ui_marks
        self._models_read = self.models.seq
        return self._bump(Changes(ui_values=frozenset(changed)))

    def _variable_values(self, data: Mapping[str, Any]) -> Changes:
        names = set()
        for item in data.get("variables") or ():
            if isinstance(item, Mapping) and item.get("name"):
                name = str(item["name"])
                self.variable_values[name] = {"datatype": item.get("datatype"), "value": item.get("value")}
                if str(item.get("datatype")) in UI_TYPES:
                    self._ui_names.add(name)
                elif name in self._ui_names and str(item.get("datatype")) in _FRONTEND_TYPES:
                    self._ui_moved()  # a client set the element: its new value, in the frontend's form
                names.add(name)
        return Changes(variables=frozenset(names))

    def _datasets(self, data: Mapping[str, Any]) -> Changes:
        """In-memory tables (dataframes) with their columns; `clear_channel` first drops that source's."""
        channel = data.get("clear_channel")
        if channel:
            self.datasets = {k: v for k, v in self.datasets.items() if v.get("source_type") != channel}
        names = set()
        for table in data.get("tables") or ():
            if isinstance(table, Mapping):
                name = str(table.get("variable_name") or table.get("name") or "")
                if name:
                    self.datasets[name] = dict(table)
                    names.add(name)
        return Changes(variables=frozenset(names))

    def _missing_packages(self, data: Mapping[str, Any]) -> Changes:
        self.missing_packages = [str(p) for p in data.get("packages") or ()]
        return Changes(kernel=True)

    def _focus(self, data: Mapping[str, Any]) -> Changes:
        cid = data.get("cell_id")
        if not isinstance(cid, str) or cid not in self._cells:
            return NO_CHANGES  # marimo forwards any id unchecked
        self.focused_cell = cid
        return Changes(focus=True)

    def _completed_run(self, data: Mapping[str, Any]) -> Changes:
        self.last_run_completed, self.last_run_outcome = True, data.get("outcome")
        self.interrupted = self.interrupted or data.get("outcome") == "interrupted"
        return Changes(kernel=True)

    def _interrupted(self, data: Mapping[str, Any]) -> Changes:
        self.interrupted = True
        self.interrupt_count += 1
        return Changes(kernel=True)

    def _notice(self, data: Mapping[str, Any], *, op: str) -> Changes:
        return Changes(notices=self.notices.apply(op, data))

    def _model(self, data: Mapping[str, Any]) -> Changes:
        changed = self.models.apply(data)
        return Changes(models=frozenset({changed} if changed else ()))

    def _reload(self, data: Mapping[str, Any]) -> Changes:
        self.needs_snapshot = True
        return Changes(kernel=True)


_HANDLERS: dict[str, Callable[[Notebook, Mapping[str, Any]], Changes]] = {
    "kernel-ready": Notebook._kernel_ready,
    "notebook-document-transaction": Notebook._transaction,
    "cell-op": Notebook._cell_op,
    "execution": Notebook._execution,
    "variables": Notebook._variables,
    "variable-values": Notebook._variable_values,
    "datasets": Notebook._datasets,
    "missing-package-alert": Notebook._missing_packages,
    "focus-cell": Notebook._focus,
    "send-ui-element-message": Notebook._ui_message,
    "remove-ui-elements": Notebook._remove_ui_elements,
    "completed-run": Notebook._completed_run,
    "interrupted": Notebook._interrupted,
    "reload": Notebook._reload,
    "model-lifecycle": Notebook._model,
    **{op: partial(Notebook._notice, op=op) for op in NOTICE_OPS},
}


def _note_stamp(cell: Cell, status: str | None, stamp: Any) -> None:
    """The cell-op's timestamp, as marimo's session view merges it: running after running keeps the run's."""
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
        if not ((status or cell.runtime) == "running" and cell.runtime == "running" and cell.op_stamp is not None):
            cell.op_stamp = float(stamp)


def newest_stamp(notebook: Notebook) -> float | None:
    """The newest cell-op timestamp of the notebook's cells (None before any)."""
    stamps = [cell.op_stamp for cell in notebook.cells if cell.op_stamp is not None]
    return max(stamps) if stamps else None


def _set_snapshot_status(cell: Cell, status: str | None) -> None:
    """Set the runtime fields so that `cell.status` reads back the snapshot's word."""
    if status in BUSY:
        cell.runtime = status
    elif status == "disabled":
        cell.runtime = "disabled-transitively"
    elif status == "stale":
        cell.marked_stale = True
    else:
        cell.result = status
