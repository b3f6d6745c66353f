"""Compiled (.qm) and source (.ts) Qt translations; regenerate with installer/update_translations.py."""
