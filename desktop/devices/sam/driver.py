"""The SAM serial reader: find -> select -> read, one read per card presentation, surviving bad
frames, timeouts, status errors and a USB cable pulled out and put back."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date

from desktop.devices.base import CardReader
from desktop.devices.document import IdentityDocument
from desktop.devices.errors import (
    CardDataError,
    PortLostError,
    ReaderConfigError,
    ReaderError,
    ReaderNotOpenError,
    ReaderTimeoutError,
)
from desktop.devices.from_card import document_from_card_text
from desktop.devices.sam.codec import FIND_CARD, READ_TEXT_PHOTO, RESET, SAM_ID, SAM_STATUS, SELECT_CARD, Command, Sw3
from desktop.devices.sam.port import SerialLink
from desktop.devices.sam.replies import Reply, decode_read, format_sam_id, status_error
from desktop.devices.sam.text import decode_text_block

log = logging.getLogger(__name__)

_OPTION_NAMES = ("poll_interval", "timeout", "reconnect_initial", "reconnect_max", "absent_polls")


class SamSerialReader(CardReader):
    """A second-generation ID card reader on a serial port (USB-serial or RS-232).

    ``timeout`` bounds each command's reply; ``poll_interval`` is the pause between "find card"
    polls; a card counts as gone after ``absent_polls`` failed finds in a row (one glitch of the
    RF field must not turn a held card into a second presentation).
    """

    def __init__(self, port: str, *, poll_interval: float = 0.2, timeout: float = 3.0,
                 reconnect_initial: float = 0.5, reconnect_max: float = 5.0, absent_polls: int = 2,
                 today: Callable[[], date] = date.today) -> None:
        if not port:
            raise ReaderConfigError("port_missing_in_spec", "未指定读卡器串口（例如 sam:/dev/ttyUSB0）",
                                    "SamSerialReader needs a port")
        self.port = port
        self._poll_interval = poll_interval
        self._timeout = timeout
        self._reconnect_initial = reconnect_initial
        self._reconnect_max = reconnect_max
        self._absent_polls = max(1, absent_polls)
        self._today = today
        self._link = SerialLink(port, read_slice=min(0.05, poll_interval, timeout))
        self._opened = False
        self._sam_id = ""
        self._card_in_field = False
        self._misses = 0
        self._backoff = reconnect_initial
        self._next_reconnect = 0.0
        self._wake = threading.Event()

    @classmethod
    def from_spec(cls, argument: str | None, options: Mapping[str, object]) -> SamSerialReader:
        if not argument:
            raise ReaderConfigError("port_missing_in_spec", "未指定读卡器串口（例如 sam:/dev/ttyUSB0）",
                                    "reader spec 'sam' needs a port: sam:/dev/ttyUSB0")
        kwargs = {k: options[k] for k in _OPTION_NAMES if k in options}
        return cls(argument, **kwargs)  # type: ignore[arg-type]

    # -- lifecycle -------------------------------------------------------------------------
    def open(self) -> None:
        self._link.open()
        try:
            self._handshake()
        except ReaderError:
            self._link.close()
            raise
        # A reconnect keeps this state: the card lying on the reader through a replug is the
        # same presentation, not a new one.
        self._card_in_field = False
        self._misses = 0
        self._opened = True
        log.info("SAM reader on %s ready, SAM id %s", self.port, self._sam_id)

    def close(self) -> None:
        self._opened = False
        self._link.close()

    def sam_id(self) -> str:
        return self._sam_id

    def interrupt(self) -> None:
        self._wake.set()

    @property
    def connected(self) -> bool:
        return self._opened and self._link.is_open

    def describe(self) -> str:
        return f"sam:{self.port}"

    # -- reading ---------------------------------------------------------------------------
    def wait_for_card(self, timeout: float) -> IdentityDocument | None:
        if not self._opened:
            raise ReaderNotOpenError("not_open", "读卡器未打开", f"{self.describe()} is not open")
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            if self._wake.is_set():
                self._wake.clear()
                return None
            if self._link.is_open or self._try_reconnect():
                doc = self._poll_once()
                if doc is not None:
                    return doc
                pause = self._poll_interval
            else:
                pause = self._next_reconnect - time.monotonic()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            # Sleeping on the event is what keeps an idle reader from spinning the CPU.
            self._wake.wait(max(0.0, min(pause, remaining)))

    def _poll_once(self) -> IdentityDocument | None:
        found = self._command(FIND_CARD)
        if found.sw3 == Sw3.FIND_FAILED:
            self._misses += 1
            if self._misses >= self._absent_polls and self._card_in_field:
                log.debug("card left the field of %s", self.port)
                self._card_in_field = False
            return None
        if found.sw3 != Sw3.CARD_FOUND:
            raise status_error(found.sw3, FIND_CARD)
        self._misses = 0
        if self._card_in_field:
            return None  # the card already read is still lying on the reader
        self._expect_success(SELECT_CARD)
        reply = self._expect_success(READ_TEXT_PHOTO)
        card = decode_read(reply.data)
        try:
            text = decode_text_block(card.text)
            doc = document_from_card_text(text, sam_id=self._sam_id, source="sam", today=self._today())
        except CardDataError:
            # Reading the same card again gives the same bytes: report once per presentation.
            self._card_in_field = True
            raise
        self._card_in_field = True
        log.info("card read on %s: %r", self.port, doc)
        return doc

    def _command(self, command: Command) -> Reply:
        try:
            return self._link.exchange(command, timeout=self._timeout)
        except PortLostError:
            self._schedule_reconnect(self._reconnect_initial)
            raise

    def _expect_success(self, command: Command) -> Reply:
        reply = self._command(command)
        if reply.sw3 != Sw3.SUCCESS:
            raise status_error(reply.sw3, command)
        return reply

    def _handshake(self) -> None:
        try:
            self._expect_success(RESET)
        except ReaderTimeoutError:
            log.warning("reader on %s did not answer reset; continuing with SAM status", self.port)
        self._expect_success(SAM_STATUS)
        self._sam_id = format_sam_id(self._expect_success(SAM_ID).data)

    # -- reconnecting ----------------------------------------------------------------------
    def _schedule_reconnect(self, delay: float) -> None:
        self._backoff = delay
        self._next_reconnect = time.monotonic() + delay

    def _try_reconnect(self) -> bool:
        if time.monotonic() < self._next_reconnect:
            return False
        try:
            self._link.open()
            self._handshake()
        except ReaderError as exc:
            self._link.close()
            self._schedule_reconnect(min(self._backoff * 2, self._reconnect_max))
            log.info("reconnecting to %s failed (%s); next attempt in %.1fs", self.port, exc, self._backoff)
            return False
        log.info("reader on %s reconnected, SAM id %s", self.port, self._sam_id)
        self._backoff = self._reconnect_initial
        return True
