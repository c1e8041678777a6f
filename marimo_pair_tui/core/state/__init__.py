"""Per-process and private state: whose call it is (caller), the user's config (settings), files
only we can read (private), warnings gathered during one call (call_warnings), and the garbage
collection policy of long-lived processes (gc_policy).

A leaf: it imports nothing of the core but the errors, so every layer may use it.
"""
