"""Programs that run inside the kernel, sent as source text (base.py first, the others appended).

The client reads these files' text; it never imports them for their behaviour. Only the
standard library at module level: they run in whatever kernel the notebook has.
"""
