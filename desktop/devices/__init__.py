"""ID card readers (no Qt): the reader interface, the document they yield, and the drivers."""

from desktop.devices.base import CardReader
from desktop.devices.document import CardType, DocumentProblem, IdentityDocument
from desktop.devices.errors import ReaderError
from desktop.devices.registry import ReaderEntry, create_reader, discover_readers, open_reader

__all__ = ["CardReader", "CardType", "DocumentProblem", "IdentityDocument", "ReaderEntry", "ReaderError",
           "create_reader", "discover_readers", "open_reader"]
