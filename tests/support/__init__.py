"""Helpers that run real marimo servers and browser-like clients for tests (see marimo_proc)."""
