"""The one interface every ID card reader implements (SAM serial, manual entry, demo, a vendor's)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from types import TracebackType

from desktop.devices.document import IdentityDocument
from desktop.devices.errors import (
    CardDataError,
    PortBusyError,
    PortLostError,
    PortNotFoundError,
    PortOpenError,
    PortPermissionError,
    ProtocolError,
    ReaderConfigError,
    ReaderError,
    ReaderInternalError,
    ReaderNotOpenError,
    ReaderTimeoutError,
    ReaderUnavailableError,
    StatusError,
)

__all__ = [
    "CardDataError", "CardReader", "PortBusyError", "PortLostError", "PortNotFoundError", "PortOpenError",
    "PortPermissionError", "ProtocolError", "ReaderConfigError", "ReaderError", "ReaderInternalError",
    "ReaderNotOpenError", "ReaderTimeoutError", "ReaderUnavailableError", "StatusError",
]


class CardReader(ABC):
    """A source of identity documents.

    ``wait_for_card`` yields each card presentation once: a card left on the reader is not read
    again until it has left the field. Readers are not thread-safe; one thread drives a reader
    (see ``desktop.devices.worker.ReaderWorker``), others may only call ``interrupt``.
    """

    @classmethod
    def from_spec(cls, argument: str | None, options: Mapping[str, object]) -> CardReader:
        """Build a reader from the text after the colon of a spec ("sam:/dev/ttyUSB0").

        ``options`` may hold settings meant for other readers (poll_interval...); take what
        applies and ignore the rest, so one options dict serves every reader.
        """
        if argument:
            raise ReaderConfigError("unexpected_argument", f"该读卡器不需要参数（收到“{argument}”）",
                                    f"{cls.__name__} takes no argument, got {argument!r}")
        return cls()

    @abstractmethod
    def open(self) -> None:
        """Acquire the device and check it answers. Raises a ReaderError saying why not."""

    @abstractmethod
    def close(self) -> None:
        """Release the device. Safe to call twice or after a failed open()."""

    @abstractmethod
    def sam_id(self) -> str:
        """The reader's security module id ("" for readers without one)."""

    @abstractmethod
    def wait_for_card(self, timeout: float) -> IdentityDocument | None:
        """The next card presented within ``timeout`` seconds, or None.

        Raises a ReaderError for a fault; after a transient fault the next call works again.
        """

    def interrupt(self) -> None:
        """Make a wait_for_card() running in another thread return None soon."""

    @property
    def connected(self) -> bool:
        """False while the device is gone (USB unplugged) and the reader is trying to reconnect."""
        return True

    def describe(self) -> str:
        """A short English description for logs and the CLI (never personal data)."""
        return type(self).__name__

    def __enter__(self) -> CardReader:
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
