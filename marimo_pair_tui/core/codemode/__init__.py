"""Cell operations through marimo's code_mode: the client (client.py), the operations built on it
(batches, UI values and elements, table pages), and the programs sent into the kernel (programs/).
"""
