"""The demo reader: the synthetic citizens of resources/demo/citizens.toml, one after another.

Each wait presents the next citizen, but not more often than every ``interval`` seconds, so a
polling worker does not flip through the citizens faster than a clerk can look.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import date

from desktop.devices.base import CardReader
from desktop.devices.demo_cards import load_demo_cards
from desktop.devices.document import IdentityDocument
from desktop.devices.errors import ReaderConfigError, ReaderNotOpenError
from desktop.devices.from_card import document_from_card_text
from desktop.devices.sam.text import CardText

DEMO_SAM_ID = "00.00-00000000-000000000-000000000"


class DemoReader(CardReader):
    def __init__(self, *, start: str | None = None, interval: float = 5.0,
                 cards: Mapping[str, CardText] | None = None, today: Callable[[], date] = date.today) -> None:
        self._cards = dict(cards) if cards is not None else None
        self._start = start
        self._interval = interval
        self._today = today
        self._keys: list[str] = []
        self._index = 0
        self._next_due = 0.0
        self._opened = False
        self._wake = threading.Event()

    @classmethod
    def from_spec(cls, argument: str | None, options: Mapping[str, object]) -> DemoReader:
        """"demo" or "demo:<citizen key>" to start with that citizen."""
        interval = options.get("demo_interval")
        if isinstance(interval, (int, float)):
            return cls(start=argument, interval=float(interval))
        return cls(start=argument)

    def open(self) -> None:
        if self._cards is None:
            self._cards = load_demo_cards()
        self._keys = list(self._cards)
        if self._start is not None:
            if self._start not in self._cards:
                raise ReaderConfigError("unknown_demo_citizen", f"演示数据中没有市民“{self._start}”",
                                        f"no demo citizen {self._start!r}; known: {self._keys}")
            self._index = self._keys.index(self._start)
        self._opened = True

    def close(self) -> None:
        self._opened = False

    def sam_id(self) -> str:
        return DEMO_SAM_ID

    def interrupt(self) -> None:
        self._wake.set()

    def describe(self) -> str:
        return "demo"

    def present(self, key: str) -> None:
        """Make ``key`` the next card, available at once (a demo button "放卡")."""
        if self._cards is None or key not in self._cards:
            raise ReaderConfigError("unknown_demo_citizen", f"演示数据中没有市民“{key}”", f"no demo citizen {key!r}")
        self._index = self._keys.index(key)
        self._next_due = 0.0
        self._wake.set()

    def wait_for_card(self, timeout: float) -> IdentityDocument | None:
        if not self._opened or self._cards is None:
            raise ReaderNotOpenError("not_open", "读卡器未打开", "demo reader is not open")
        wait = self._next_due - time.monotonic()
        if wait > 0:
            woken = self._wake.wait(min(wait, max(0.0, timeout)))
            if woken:
                self._wake.clear()
            if self._next_due > time.monotonic():
                return None
        key = self._keys[self._index % len(self._keys)]
        self._index += 1
        self._next_due = time.monotonic() + self._interval
        return document_from_card_text(self._cards[key], sam_id=DEMO_SAM_ID, source="demo", today=self._today())
