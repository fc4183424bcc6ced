"""The per-environment stack: config contract (config.py) and program (program.py)."""
