"""The pairing service: what every door calls to do anything to a notebook session.

`PairingService` (pairing_service.py) resolves targets through the directory, keeps one live
mirror per followed session (mirror.py, mirrors.py), follows lost sessions (recovery.py), runs
restarts and answers prompts (lifecycle.py), and answers with the plain values in values.py.
"""
