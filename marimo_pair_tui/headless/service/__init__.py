"""The pairing service: the thin client, the host that serves one-shot calls, and what they share."""
