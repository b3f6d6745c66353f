"""The SDK's version and the range check used for plugin compatibility."""

from __future__ import annotations

import re

#: Semantic version of the adapter contract. A plugin states the range it supports in its manifest.
#: 1.1: helpers (SessionAdapter, SessionReporter, gather, values_with_provenance, mask_id, China time).
API_VERSION = "1.1.0"

_VERSION_RE = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?$")
_CLAUSE_RE = re.compile(r"^(>=|<=|==|>|<|~=)?\s*(\d+(?:\.\d+){0,2})$")


def parse_version(text: str) -> tuple[int, int, int]:
    """``"1.2"`` -> ``(1, 2, 0)``. Raises ValueError on anything else."""
    m = _VERSION_RE.match(text.strip())
    if not m:
        raise ValueError(f"not a version: {text!r}")
    return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)


def version_in_range(version: str, spec: str) -> bool:
    """True when ``version`` satisfies every comma-separated clause of ``spec`` (``">=1.0,<2"``).

    Raises ValueError when ``spec`` is not understood, so a typo in a manifest is reported, not ignored.
    """
    v = parse_version(version)
    clauses = [c.strip() for c in spec.split(",") if c.strip()]
    if not clauses:
        raise ValueError("empty version range")
    for clause in clauses:
        m = _CLAUSE_RE.match(clause)
        if not m:
            raise ValueError(f"not a version clause: {clause!r}")
        op, bound_text = m.group(1) or "==", m.group(2)
        bound = parse_version(bound_text)
        if op == "~=":
            # compatible release: ~=1.2 means >=1.2,<2 ; ~=1.2.3 means >=1.2.3,<1.3
            parts = bound_text.count(".")
            upper = (bound[0] + 1, 0, 0) if parts == 1 else (bound[0], bound[1] + 1, 0)
            ok = bound <= v < upper
        else:
            ok = {
                ">=": v >= bound, "<=": v <= bound, ">": v > bound, "<": v < bound, "==": v == bound,
            }[op]
        if not ok:
            return False
    return True
