"""The notebook model: cells, outputs, the activity log, the variables and the dataflow graph.

Pure: built from what the live stream and code_mode replies say, never talking to a server
itself, so views and tests can build it from recorded events.
"""
