"""When marimo's front end has finished drawing: the scripts the page runs to tell.

A page notes the time of its last DOM change, overall and per cell (an init script, so it
sees the replay of the session too). An output is drawn when its cell is on the page, no
output under it is still loading (running), its images are decoded and the fonts loaded,
and then nothing under it changed for a short quiet spell. Something that keeps moving (an
animation, a ticking clock) is pictured once the quiet spell is given up on.
"""

from __future__ import annotations

# Installed before marimo's scripts: the last DOM change, overall and per cell (by data-cell-id), and
# what came on the session's stream: when, and the newest `timestamp` marimo stamped a cell-op with,
# overall and per cell (a message just received counts as a change: it may not be drawn yet).
WATCH_CHANGES = """
(() => {
  if (window.__pairChanges) return;
  const changes = { last: performance.now(), cells: new Map(), stamp: 0, stamps: new Map() };
  window.__pairChanges = changes;
  const touch = (cell, now) => { changes.last = now; if (cell) changes.cells.set(cell, now); };
  new MutationObserver((records) => {
    const now = performance.now();
    for (const record of records) {
      const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      const cell = node && node.closest ? node.closest("[data-cell-id]") : null;
      touch(cell ? cell.getAttribute("data-cell-id") : null, now);
    }
    changes.last = now;
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string" || !event.data.startsWith('{"op": "cell-op"')) return;
      const cell = /"cell_id":\\s*"([^"]+)"/.exec(event.data.slice(0, 200));
      const stamp = /"timestamp":\\s*([0-9.eE+-]+)\\s*}\\s*}\\s*$/.exec(event.data.slice(-120));
      const id = cell ? cell[1] : null;
      touch(id, performance.now());
      if (stamp) {
        const value = Number(stamp[1]);
        changes.stamp = Math.max(changes.stamp, value);
        if (id) changes.stamps.set(id, Math.max(changes.stamps.get(id) ?? 0, value));
      }
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
"""

# Arg: [cellId or null, timestamp]. True once the page has received a cell-op (of that cell, or of
# any) that marimo stamped at or after the timestamp.
SEEN = """
([cellId, after]) => {
  const changes = window.__pairChanges;
  if (!changes) return false;
  return (cellId === null ? changes.stamp : (changes.stamps.get(cellId) ?? 0)) >= after;
}
"""

# Arg: [cellId or null, number of cells marimo announced]. True once the part to picture is drawn
# but for the quiet spell: the notebook's cells are on the page, nothing under the part is loading,
# its images are loaded (or failed) and the fonts are ready.
DRAWN = """
([cellId, cells]) => {
  if (document.querySelectorAll("div.marimo-cell[data-cell-id]").length < cells) return false;
  if (document.fonts && document.fonts.status !== "loaded") return false;
  let root = document.body;
  if (cellId !== null) {
    root = document.getElementById("cell-" + cellId);
    if (root === null) return true;  // not a cell of this notebook: the caller says so
  }
  if (root.querySelector(".marimo-output-loading")) return false;
  for (const image of root.querySelectorAll("img")) {
    if (!image.complete) return false;
  }
  return true;
}
"""

# Arg: [cellId or null, quiet milliseconds]. True once the part has not changed for that long.
QUIET = """
([cellId, quiet]) => {
  const changes = window.__pairChanges;
  if (!changes) return true;
  const last = cellId === null ? changes.last : (changes.cells.get(cellId) ?? 0);
  return performance.now() - last >= quiet;
}
"""

# Arg: cellId. Why the part is not drawn yet, for the error: "running", "images", "fonts" or "".
PENDING = """
(cellId) => {
  const root = cellId === null ? document.body : document.getElementById("cell-" + cellId);
  if (root === null) return "";
  if (root.querySelector(".marimo-output-loading")) return "running";
  for (const image of root.querySelectorAll("img")) {
    if (!image.complete) return "images";
  }
  if (document.fonts && document.fonts.status !== "loaded") return "fonts";
  return "";
}
"""

# Arg: cellId. What the page shows of the cell: "missing" (no such cell), "empty" (nothing in its
# output area) or "output".
OUTPUT_STATE = """
(cellId) => {
  if (document.getElementById("cell-" + cellId) === null) return "missing";
  const output = document.getElementById("output-" + cellId);
  if (output === null) return "empty";
  const box = output.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && output.innerHTML.trim() !== "" ? "output" : "empty";
}
"""
