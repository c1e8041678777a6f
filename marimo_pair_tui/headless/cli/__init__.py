"""The headless command line: the click group, its commands, and `main`."""
