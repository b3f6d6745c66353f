"""How a role reads on screen."""

from __future__ import annotations

from typing import Any


def role_title(role: Any) -> str:
    """The Chinese role name; the desktop Role enum owns the wording so CLI and UI agree."""
    label = getattr(role, "label_zh", None)
    return str(label) if label else str(getattr(role, "value", role))
