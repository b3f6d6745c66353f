"""The one error a document refuses its data with."""

from __future__ import annotations


class DocumentDataError(ValueError):
    """Data a document must not be printed from.

    `str(error)` is the precise English line for the log; `message_zh` is what the clerk reads.
    Neither ever contains the offending value itself (it may be a full ID number).
    """

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh
