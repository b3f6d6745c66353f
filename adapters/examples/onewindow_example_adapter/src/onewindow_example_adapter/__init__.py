"""Example OneWindow adapter for a fictional civil affairs (民政) marriage-record service.

Deliberately empty: the workstation imports this package to read manifest.toml during discovery, and
code here would run on every workstation start. The adapter lives in ``adapter.py``.
"""
