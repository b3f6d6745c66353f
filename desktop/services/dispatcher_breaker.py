"""Per-department circuit breaker and the retry delay of one branch.

The breaker stops a dispatcher from hammering a back-end that is down: after ``threshold`` consecutive
transport failures it opens (that department's branches are left waiting, without spending attempts);
after ``cooldown_s`` one probe is let through (half-open); the probe's success closes it, its failure
opens it again for another cooldown.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class _Circuit:
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False


class CircuitBreakers:
    """One circuit per adapter id. Thread-safe: workers report results while the claimer asks."""

    def __init__(self, threshold: int, cooldown_s: float, *, now: Callable[[], float] = time.monotonic) -> None:
        if threshold < 1:
            raise ValueError("breaker threshold must be at least 1")
        self._threshold = threshold
        self._cooldown_s = cooldown_s
        self._now = now
        self._lock = threading.Lock()
        self._circuits: dict[str, _Circuit] = {}

    def _circuit(self, adapter_id: str) -> _Circuit:
        return self._circuits.setdefault(adapter_id, _Circuit())

    def state(self, adapter_id: str) -> str:
        """closed | open | half_open (cooled down, a probe may go or is on its way)."""
        with self._lock:
            c = self._circuit(adapter_id)
            if c.opened_at is None:
                return "closed"
            return "half_open" if c.probing or self._now() - c.opened_at >= self._cooldown_s else "open"

    def blocked(self) -> set[str]:
        """Adapters whose branches must not be claimed now (open, or half-open with its probe out)."""
        with self._lock:
            now = self._now()
            return {a for a, c in self._circuits.items()
                    if c.opened_at is not None and (c.probing or now - c.opened_at < self._cooldown_s)}

    def probe_ready(self) -> set[str]:
        """Adapters whose cooldown is over and whose probe has not been sent: claim one branch each."""
        with self._lock:
            now = self._now()
            return {a for a, c in self._circuits.items()
                    if c.opened_at is not None and not c.probing and now - c.opened_at >= self._cooldown_s}

    def allow(self, adapter_id: str) -> bool:
        """May a call go to this adapter now? In half-open state only the first caller may (the probe)."""
        with self._lock:
            c = self._circuit(adapter_id)
            if c.opened_at is None:
                return True
            if c.probing or self._now() - c.opened_at < self._cooldown_s:
                return False
            c.probing = True
            log.info("circuit of %s half-open: sending one probe", adapter_id)
            return True

    def success(self, adapter_id: str) -> None:
        with self._lock:
            c = self._circuit(adapter_id)
            if c.opened_at is not None:
                log.info("circuit of %s closed: the back-end answers again", adapter_id)
            c.failures, c.opened_at, c.probing = 0, None, False

    def failure(self, adapter_id: str) -> None:
        with self._lock:
            c = self._circuit(adapter_id)
            c.failures += 1
            if c.probing or (c.opened_at is None and c.failures >= self._threshold):
                log.warning("circuit of %s open after %d consecutive failures; pausing for %.1fs",
                            adapter_id, c.failures, self._cooldown_s)
                c.opened_at, c.probing = self._now(), False

    def release_probe(self, adapter_id: str) -> None:
        """The probe was not sent after all (the branch was deferred): let the next one probe."""
        with self._lock:
            self._circuit(adapter_id).probing = False

    def reopen_in(self, adapter_id: str) -> float:
        """Seconds until the adapter's cooldown ends (0 when closed or cooled down)."""
        with self._lock:
            c = self._circuit(adapter_id)
            if c.opened_at is None:
                return 0.0
            return max(0.0, self._cooldown_s - (self._now() - c.opened_at))


class Backoff:
    """Exponential backoff with jitter: the n-th failed attempt waits between half and all of
    ``min(max_s, base_s * 2**(n-1))``, so branches that failed together do not come back together."""

    def __init__(self, base_s: float, max_s: float, *, rng: random.Random | None = None) -> None:
        self._base_s = base_s
        self._max_s = max_s
        self._rng = rng or random.Random()
        self._lock = threading.Lock()

    def delay(self, attempts: int) -> float:
        ceiling = min(self._max_s, self._base_s * 2 ** max(0, attempts - 1))
        with self._lock:
            return ceiling * (0.5 + 0.5 * self._rng.random())
