"""Every failure a card reader reports. The clerk sees ``message_zh``; the log gets ``str(err)``
(code + English detail). Neither ever contains a full ID number.

``transient`` tells the caller whether the reader keeps working after the fault (a bad frame, a
timeout, a card taken away too early: just present the card again) or needs someone to act
(a missing or busy port, a configuration mistake)."""

from __future__ import annotations


class ReaderError(Exception):
    transient = False

    def __init__(self, code: str, message_zh: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.message_zh = message_zh
        self.detail = detail


class ReaderConfigError(ReaderError):
    """An unknown reader name, a missing port, a plugin that is not a reader."""


class ReaderUnavailableError(ReaderError):
    """The reader plugin could not be loaded."""


class ReaderNotOpenError(ReaderError):
    """wait_for_card() before open() or after close()."""


class PortNotFoundError(ReaderError):
    """The serial device does not exist (not plugged in, wrong name)."""


class PortBusyError(ReaderError):
    """Another program holds the port."""


class PortPermissionError(ReaderError):
    """The user may not open the device (on Linux: not in the dialout group)."""


class PortOpenError(ReaderError):
    """Any other failure to open or configure the port."""


class PortLostError(ReaderError):
    """The port went away while open (USB unplugged); the reader reconnects by itself."""

    transient = True


class ReaderTimeoutError(ReaderError):
    """No complete reply in time (reader busy, unpowered, or a truncated frame)."""

    transient = True


class ProtocolError(ReaderError):
    """A reply that breaks the frame rules: checksum, length, or a shape that fits no command."""

    transient = True


class StatusError(ReaderError):
    """The reader answered with an error status (SW3)."""

    transient = True

    def __init__(self, code: str, message_zh: str, detail: str, *, sw3: int) -> None:
        super().__init__(code, message_zh, detail)
        self.sw3 = sw3


class CardDataError(ReaderError):
    """The card's text block could not be decoded (unknown card type, invalid text, bad date)."""

    transient = True


class ReaderInternalError(ReaderError):
    """A bug: an unexpected exception inside a reader, caught so that reading can go on."""

    transient = True
