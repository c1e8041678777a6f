"""marimo-pair-tui: a pairing console for live marimo notebooks."""

__version__ = "0.1.0"
