"""The pairing screen (screen.py, its layout in screen.tcss) and the helpers it owns, one job a module.

- runner.py: runs operations one after the other and reports each into the results pane
- editing.py: the editor text: run it as a snippet, load a cell into it, apply it
- cells.py: create, run, move and delete cells; interrupt; re-read the notebook
- activity.py: the activity feed, keeping an entry's code, copying
- draft.py: the editor's draft, restored on open and saved as it changes
- completion.py: completion (tab, ctrl+space) and documentation (f8) for the editor text
- kernel.py: restart (f12), input() prompts, missing packages
- panes.py: the variables (f9) and graph (f10) panes
- link.py: what the helpers are given instead of the screen: the session, the operations, the selected cell
"""

from .screen import PairingScreen

__all__ = ["PairingScreen"]
