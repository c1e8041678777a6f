"""The marimo server as this tool speaks to it: HTTP, the kiosk stream, the kernel's endpoints.

Everything that crosses the network to one marimo server lives here: finding servers
(discovery), one client per server (connection), notebooks and sessions and targets
(sessions), running code (execute), interrupting (kernel), the live stream (live), virtual
files, TLS and loopback ports. It knows nothing of the notebook model, the pairing service
or the doors, so a change in marimo's protocol is a change in this package.
"""
