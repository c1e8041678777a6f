"""The terminal app's screens."""
