"""The core's public surface: the one module the doors (headless/, tui/) import.

Everything a door needs is named here, from where it lives: the session
service and the plain values it takes and returns, the JSON documents, the
output parts the app draws, the errors, and the few helpers for the call's
context and the user's files. The sub-packages behind it may move and change;
a name in `__all__` is a promise to the doors. The contracts in pyproject.toml
(`[tool.importlinter]`, checked by tests/test_layers.py) keep the doors from
reaching past it.
"""

from __future__ import annotations

# The JSON documents, one builder per concept (pinned by tests/golden/), and their shapes.
from . import documents
from .documents import EXEC_FIELD_LIMIT, ImageFiles, OutputMode, error_json
from .document_types import DebugDocument
from .document_types import (
    ActivityDocument, ActivityEntryJson, CellJson, CellsDocument, CellSummaryJson, Document, Envelope,
    ErrorDocument, ErrorJson, ExecDocument, KernelJson, NoticesJson, OmittedOutputJson, OperationDocument,
    OutputDocument, OutputJson, OutputPartsJson, OutputTextJson, StatusDocument, TargetJson, VariableJson,
    VariablesDocument, WatchLineJson, WatchSummaryDocument,
)
from .document_types import ScreenshotDocument

# The session service, what it is asked and what it answers.
from .service.pairing_service import ACTIVITY_DEFAULT, PairingService
from .service.pairing_service import GREP_DEFAULT
from .service.pictures import Pictures
from .service.values import Reply, TargetSpec
from .service.mirror import Mirror
from .service.debugger import DebugSession
from .model.pdb_text import Position as PdbPosition, waits_on_pdb
from .service.directory import ServerView, open_tunnel, sibling_note
from .servers.hub import HubOptions, hub_options
from .servers.browser_session import RUN_WAIT
from .servers.processes import close_notebook
from .servers.serving import OpenResult
from .wire.discovery import ServerInfo, parse_server_url
from .wire.sessions import NotebookEntry, SessionRef, Target
from .ssh import SshHost, load_settings as load_ssh_settings

# The notebook as the mirror holds it.
from .model.activity import ActivityEntry, ActivityLog
from .model.analysis import static_defs_refs
from .model.cell import Cell
from .model.completion import Completion, warm_up as warm_completion
from .model.notebook import Changes, Notebook
from .model.op_results import OpResult
from .model.watch_outputs import OutputTicks, Picked
from .model.workspace import GraphView, Variable

# Output parts, for the doors that draw them.
from .parts import (
    ChartPart, Column, ErrorPart, ImagePart, LayoutPart, MarkdownPart, Part, ProgressPart, TablePart, TextPart,
    WidgetPart, draw_charts, parse_output, part_text, parts_text, rasterized, walk, with_values,
)
from .parts.plain import output_text
from .parts.model import DiagramPart, LazyPart, MediaPart, StructurePart
from .parts.files import media_suffix
from .parts.media import media_text
from .parts.tables import shown_rows
from .parts.values import NUMERIC_KINDS
from .parts.widgets import python_value
from .codemode.ui_values import SETTABLE as SETTABLE_KINDS, why_not_settable

# Errors: kind, message, `next`, exit code.
from .errors import (
    EXIT_CONNECTION, EXIT_FAILED, EXIT_OK, EXIT_USAGE, AmbiguousTargetError, ConflictError, InvalidRequestError,
    NoServerError, NoSessionError, PairError, UsageError,
)

# The call's context (whose directory and environment a service call runs with),
# the collector's pace, the user's settings and private files.
from .state.caller import Caller, cwd as call_cwd, environ as call_environ, path as call_path, serving as serving_call
from .state.gc_policy import INTERACTIVE as GC_INTERACTIVE, settle as settle_gc
from .state.private import append_private, state_dir, write_private
from .state.settings import APP_NAME, config_path, read_config
from .state.config_edit import ConfigEditError, set_config_value

# What `doctor` reports on: the marimo versions spoken to, the browser pictures use, the private modes.
from .wire.server_versions import MINIMUM as MARIMO_MINIMUM, NEWEST_TESTED as MARIMO_NEWEST_TESTED
from .wire.server_versions import Standing, standing as marimo_standing
from .browser.locate import find_browser
from .state.private import DIR_MODE, FILE_MODE, TOKEN_ENV

# The code history (core/model/history.py) and how its reads are asked.
from .document_types import CodeChangeJson, HistoryDocument
from .model.history import CodeChange, diff_lines, origin_of
from .service.code_history import HISTORY_DEFAULT, SINCE_HELP

__all__ = [
    # documents
    "documents", "EXEC_FIELD_LIMIT", "ImageFiles", "OutputMode", "error_json",
    # the documents' shapes (core/document_types.py)
    "ActivityDocument", "ActivityEntryJson", "CellJson", "CellsDocument", "CellSummaryJson", "Document", "Envelope",
    "ErrorDocument", "ErrorJson", "ExecDocument", "KernelJson", "NoticesJson", "OmittedOutputJson",
    "OperationDocument", "OutputDocument", "OutputJson", "OutputPartsJson", "OutputTextJson", "StatusDocument",
    "TargetJson", "VariableJson", "VariablesDocument", "WatchLineJson", "WatchSummaryDocument",
    "ScreenshotDocument",
    "DebugDocument", "DebugSession", "PdbPosition", "waits_on_pdb",
    # the service and its values
    "ACTIVITY_DEFAULT", "PairingService", "Pictures", "Mirror", "Reply", "TargetSpec", "ServerView", "open_tunnel",
    "sibling_note", "HubOptions", "hub_options", "RUN_WAIT", "close_notebook", "OpenResult", "ServerInfo",
    "parse_server_url", "NotebookEntry", "SessionRef", "Target", "SshHost", "load_ssh_settings", "GREP_DEFAULT",
    # the notebook
    "ActivityEntry", "ActivityLog", "static_defs_refs", "Cell", "Completion", "warm_completion", "Changes", "Notebook", "OpResult",
    "OutputTicks", "Picked", "GraphView", "Variable",
    # output parts
    "ChartPart", "Column", "ErrorPart", "ImagePart", "LayoutPart", "MarkdownPart", "Part", "ProgressPart",
    "TablePart", "TextPart", "WidgetPart", "draw_charts", "output_text", "parse_output", "part_text", "parts_text", "rasterized",
    "walk", "with_values", "DiagramPart", "LazyPart", "MediaPart", "StructurePart", "media_suffix", "media_text",
    "shown_rows", "NUMERIC_KINDS", "python_value", "SETTABLE_KINDS", "why_not_settable",
    # errors
    "EXIT_CONNECTION", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "AmbiguousTargetError", "ConflictError",
    "InvalidRequestError", "NoServerError", "NoSessionError", "PairError", "UsageError",
    # context and files
    "Caller", "call_cwd", "call_environ", "call_path", "serving_call", "GC_INTERACTIVE", "settle_gc",
    "append_private", "state_dir", "write_private", "APP_NAME", "config_path", "read_config",
    "ConfigEditError", "set_config_value",
    # the setup doctor reports on
    "MARIMO_MINIMUM", "MARIMO_NEWEST_TESTED", "Standing", "marimo_standing", "find_browser", "DIR_MODE", "FILE_MODE",
    "TOKEN_ENV",
    # the code history
    "CodeChange", "CodeChangeJson", "HISTORY_DEFAULT", "HistoryDocument", "SINCE_HELP", "diff_lines", "origin_of",
]
