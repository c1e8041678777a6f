"""The sections of bench/run.py: one module a measurement, each returning rows for the report."""
