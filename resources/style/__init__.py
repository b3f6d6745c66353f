"""Qt style sheets of the workstation (loaded by ui/style.py)."""
