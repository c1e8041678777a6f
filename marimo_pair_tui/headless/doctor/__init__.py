"""`doctor`: what a bug report needs to say about this setup, each problem with what to do.

The checks (software, servers, terminal, places) each return findings; `collect`
runs them all and `findings.report` adds them up. It runs in the caller's own
process, never through the pairing service: the terminal and the environment
it reports on are the caller's.
"""

from .collect import collect

__all__ = ["collect"]
