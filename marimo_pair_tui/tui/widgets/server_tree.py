"""The picker's tree: servers, their notebooks, and each notebook's sessions.

Rebuilt from a fresh inventory every refresh, but in place and by key (server
URL, notebook path, session id), so the cursor and the expansion survive the
periodic refresh and servers coming and going.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...core.api import ServerView
from ...core.api import NotebookEntry, ServerInfo, SessionRef
from ..display import Display
from ..terminal_text import escape_controls
from .tree_order import in_place

Kind = Literal["server", "notebook", "session", "message"]


@dataclass(frozen=True)
class PickerItem:
    kind: Kind
    key: str
    server: ServerInfo | None = None
    entry: NotebookEntry | None = None
    session: SessionRef | None = None


class ServerTree(Tree[PickerItem]):
    """Servers > notebooks > sessions; choosing a session opens it."""

    DEFAULT_CSS = """
    ServerTree {
        border: round $primary 50%;
        border-title-color: $text-muted;
        height: 1fr;
    }
    ServerTree:focus {
        border: round $primary;
    }
    """

    def __init__(self, display_format: Display, *, id: str | None = None) -> None:
        super().__init__("servers", id=id)
        self.fmt = display_format
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = False
        self.border_title = "Servers"
        self._seen: set[str] = set()  # keys shown before: only new nodes are expanded

    # -- labels -----------------------------------------------------------

    def _server_label(self, state: ServerView) -> Text:
        server = state.server
        dot = self.fmt.dot
        label = Text()
        if state.error:
            label.append_text(self.fmt.glyph("exception"))
        else:
            label.append_text(self.fmt.glyph("idle"))
        label.append(" ")
        label.append(escape_controls(self.fmt.server(server.url)), style="bold")
        label.append(escape_controls(f" {dot} marimo {server.version or '?'}"), style="dim")
        origin = {"registry": "local", "url": "named", "ssh": f"ssh {server.ssh_host or ''}".strip()}.get(server.source, server.source)
        label.append(escape_controls(f" {dot} {origin}"), style="dim")
        if server.pid is not None and not self.fmt.redact:
            label.append(f" {dot} {self.fmt.pid(server.pid)}", style="dim")
        if state.error:
            label.append(escape_controls(f" {dot} {state.error}"), style="red")
        else:
            sessions = sum(len(e.sessions) for e in state.notebooks)
            label.append(f" {dot} {sessions} session{'s' if sessions != 1 else ''}", style="dim")
        return label

    def _notebook_label(self, entry: NotebookEntry) -> Text:
        label = Text()
        label.append(escape_controls(entry.name), style="bold")
        where = self.fmt.path(entry.path)
        if where != entry.name:
            label.append(escape_controls(f"  {where}"), style="dim")
        if len(entry.sessions) > 1:
            label.append(f"  {len(entry.sessions)} sessions: they do not see each other's edits", style="yellow")
        return label

    def _session_label(self, ref: SessionRef) -> Text:
        label = Text()
        label.append("session ", style="dim")
        label.append(escape_controls(self.fmt.session(ref.session_id or ref.routing_id)), style="cyan")
        if ref.session_id and not self.fmt.redact:
            label.append(escape_controls(f"  (tab {ref.routing_id})"), style="dim")
        return label

    # -- syncing ----------------------------------------------------------

    def show_servers(self, states: list[ServerView], empty_message: str) -> None:
        """Make the tree show `states`, keeping nodes (and so cursor/expansion) by key."""
        if not states:
            items = [(PickerItem("message", "none"), Text(escape_controls(empty_message), style="yellow"), False)]
            self._sync(self.root, items)
            return
        wanted = [
            (PickerItem("server", s.server.url, server=s.server), self._server_label(s), True) for s in states
        ]
        nodes = self._sync(self.root, wanted)
        for state, node in zip(states, nodes):
            self._expand_once(node)
            items = [
                (PickerItem("notebook", f"{state.server.url}|{e.path}", server=state.server, entry=e), self._notebook_label(e), True)
                for e in state.notebooks
            ]
            if not items and not state.error:
                items = [(PickerItem("message", f"{state.server.url}|empty"), Text("no notebook sessions yet", style="dim"), False)]
            children = self._sync(node, items)
            for entry, child in zip(state.notebooks, children):
                self._expand_once(child)
                sessions = [
                    (PickerItem("session", f"{state.server.url}|{entry.path}|{s.routing_id}", server=state.server, entry=entry, session=s),
                     self._session_label(s), False)
                    for s in entry.sessions
                ]
                self._sync(child, sessions)
        if self.cursor_node is None:
            first = self._first_session()
            if first is not None:
                self.get_node_at_line(0)
                self.move_cursor(first)

    def _expand_once(self, node: TreeNode[PickerItem]) -> None:
        if node.data is not None and node.data.key not in self._seen:
            self._seen.add(node.data.key)
            node.expand()

    def _first_session(self) -> TreeNode[PickerItem] | None:
        stack = list(self.root.children)
        while stack:
            node = stack.pop(0)
            if node.data is not None and node.data.kind == "session":
                return node
            stack[0:0] = list(node.children)
        return None

    def _sync(self, parent: TreeNode[PickerItem], items: list[tuple[PickerItem, Text, bool]]) -> list[TreeNode[PickerItem]]:
        """Make `parent`'s children show `items`, by key; nodes out of order are added again at
        their place (tree_order.py), keeping their expansion; their children are synced next."""
        existing = {node.data.key: node for node in parent.children if node.data is not None}
        wanted_keys = [item.key for item, _, _ in items]
        stay = in_place([n.data.key for n in parent.children if n.data is not None], wanted_keys)
        cursor = self.cursor_node
        cursor_lost = False
        follow: str | None = None  # a moved node the cursor was on
        expanded: dict[str, bool] = {}
        for key, node in list(existing.items()):
            if key not in stay:
                if cursor is not None and _is_within(cursor, node):
                    if key in wanted_keys:
                        follow = key
                    else:
                        cursor_lost = True
                expanded[key] = node.is_expanded
                node.remove()
                del existing[key]
        result: list[TreeNode[PickerItem]] = []
        for index, (item, label, expandable) in enumerate(items):
            found = existing.get(item.key)
            if found is not None:
                node = found
                node.data = item
                node.set_label(label)
            else:
                node = parent.add(label, data=item, before=index, allow_expand=expandable,
                                  expand=expanded.get(item.key, False))
                existing[item.key] = node
            result.append(node)
        if follow is not None:
            self.get_node_at_line(0)
            self.move_cursor(existing[follow])
        elif cursor_lost:
            self.get_node_at_line(0)
            self.move_cursor(result[0] if result else (parent if parent is not self.root else None))
        return result


def _is_within(node: TreeNode[PickerItem], ancestor: TreeNode[PickerItem]) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent  # type: ignore[assignment]
    return False
