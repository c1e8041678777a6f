"""jedi kept warm on the notebook's other cells while only the editor's text changes.

jedi infers afresh for each Script: a frame another cell builds (a pandas
DataFrame, a column of it, a groupby) was inferred again at every completion,
hundreds of milliseconds each time. Here the other cells' code is a module of
its own, registered in one kept InferenceState, and the editor's text is a
small script that star-imports it. jedi memoizes per InferenceState, so the
cells' names are inferred once and a later completion infers only the editor's
text. (jedi's star import brings every name, `_private` ones too, as the one
program of before did.)

The state starts afresh when the other cells' code changes (no inference of an
edited cell survives), after jedi raised (its memo may keep a half-done
inference's placeholder) and once it holds KEPT_ENTRIES memoized results (each
editor text adds a few, never removed).

Imported only when a completion runs: it imports jedi.
"""

from __future__ import annotations

import sys
from typing import Any, Iterable

import jedi
import parso
from jedi.api.completion import Completion as JediCompletion
from jedi.api.helpers import recursion_limit, validate_line_column
from jedi.inference import InferenceState
from jedi.inference.base_value import ValueSet
from jedi.inference.value import ModuleValue, TreeInstance

CONTEXT_MODULE = "_marimo_other_cells"
PRELUDE = f"from {CONTEXT_MODULE} import *\n"
PRELUDE_LINES = 1  # the editor's line n is the script's line n + PRELUDE_LINES
KEPT_ENTRIES = 50_000  # about 1 kB each: a state grows by at most some 50 MB (some 2,000 completions)


class ContextScripts:
    """Scripts on the editor's text over one kept context (the other cells' code); not thread-safe."""

    def __init__(self, kept_entries: int = KEPT_ENTRIES) -> None:
        self.kept_entries = kept_entries
        self._state: InferenceState | None = None
        self._context: str | None = None
        self._listed: dict[object, list[Any]] = {}  # names after a dot, kept with the state (see _ListedOnce)
        self.started = 0  # inference states started (tests look at it)

    def script(self, context: str, text: str) -> jedi.Script:
        """A Script on `text` (its lines PRELUDE_LINES down) that sees `context`'s names."""
        state = self._state_for(context)
        # jedi stops inferring a node after 300 inferences of it in one state; jedi's own Scripts each have a
        # new state, so the count starts again for each Script here too.
        state.inferred_element_counts = {}
        return _KeptScript(PRELUDE + text, state, self._listed)

    def discard(self) -> None:
        """Start afresh at the next script (after jedi raised)."""
        self._state = None
        self._context = None
        self._listed = {}

    def _state_for(self, context: str) -> InferenceState:
        state = self._state
        if state is None or context != self._context or _entries(state) > self.kept_entries:
            state = self._state = _new_state(context)
            self._context = context
            self._listed = {}
            self.started += 1
        return state


def _new_state(context: str) -> InferenceState:
    state = InferenceState(jedi.get_default_project())
    module = ModuleValue(state, state.grammar.parse(context), file_io=None, string_names=(CONTEXT_MODULE,),
                         code_lines=parso.split_lines(context, keepends=True), is_package=False)
    state.module_cache.add((CONTEXT_MODULE,), ValueSet([module]))
    return state


def _entries(state: InferenceState) -> int:
    return sum(len(memo) for memo in state.memoize_cache.values())


class _KeptScript(jedi.Script):
    """A jedi Script that infers in a given (kept) state instead of a new one."""

    def __init__(self, code: str, state: InferenceState, listed: dict[object, list[Any]]) -> None:
        super().__init__(code, project=state.project)
        self._inference_state = state
        self._listed = listed

    @recursion_limit
    @validate_line_column
    def complete(self, line: int | None = None, column: int | None = None, *, fuzzy: bool = False) -> list[Any]:
        """jedi's own `complete`, with the names after a dot listed once (see `_ListedOnce`)."""
        self._inference_state.reset_recursion_limitations()
        completion = _ListedOnce(self._inference_state, self._get_module_context(), self._code_lines,
                                 (line, column), self.get_signatures, fuzzy=fuzzy, listed=self._listed)
        return list(completion.complete())


class _ListedOnce(JediCompletion):
    """Lists the names after a dot once per class of instance, and keeps the lists while the state lives.

    A pandas column (`frame['a'].`) is eleven Series and NDFrame instances to
    jedi, one per return path of `__getitem__`: listing each one's attributes
    took 300 ms. Instances of one class have the same names, and jedi keeps the
    first of each name anyway, so the first instance of each class is enough.
    Listing a frame's attributes walks pandas' classes (30 ms, again at every
    completion): a list is kept for a value of the other cells (the state
    ends when they change), and for an instance of an installed class by the
    class, as the completion module keeps an installed name's signature.
    """

    def __init__(self, *args: Any, listed: dict[object, list[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listed = listed

    def _complete_trailer_for_values(self, values: Any) -> list[Any]:
        names: list[Any] = []
        for value in first_of_each_class(values):
            key = _listing_key(value)
            listed = self._listed.get(key) if key is not None else None
            if listed is None:
                listed = super()._complete_trailer_for_values(ValueSet([value]))
                if key is not None:
                    self._listed[key] = listed
            names += listed
        return names


def first_of_each_class(values: Iterable[Any]) -> list[Any]:
    """`values` without the instances of a class already seen (other values all kept), in their order."""
    seen: set[object] = set()
    kept = []
    for value in values:
        key = (type(value), value.class_value.tree_node) if isinstance(value, TreeInstance) else value
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def _listing_key(value: Any) -> object | None:
    """What a value's list of names is kept by; None: not kept (the editor's own code, or unknown)."""
    if isinstance(value, TreeInstance):
        return ("instance", value.class_value.tree_node) if _origin(value.class_value) == "installed" else None
    return value if _origin(value) is not None else None


def _origin(value: Any) -> str | None:
    """"context" for a value of the other cells' module, "installed" for an installed module's, else None."""
    try:
        module = value.get_root_context().get_value()
        if module.string_names == (CONTEXT_MODULE,):
            return "context"
        path = module.py__file__()
    except Exception:  # noqa: BLE001 - a value jedi cannot place is only not kept
        return None
    return "installed" if path is not None and installed(str(path)) else None


def installed(path: str) -> bool:
    """Whether a module's file is an installed one (the standard library's, site-packages', a stub)."""
    return "site-packages" in path or path.startswith((sys.base_prefix, sys.prefix)) or path.endswith(".pyi")
