"""The marimo servers one process works with: the hub of connections and ssh forwards, and the
servers this tool starts, stops and asks which files they serve.

Above the wire (one server's protocol) and ssh (forwards to remote ones), below the service.
"""
