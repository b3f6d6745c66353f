"""The base of every failure the workstation explains to a person: an English message for the
log (str(exc)) and `message_zh` for the clerk or administrator. main.py and the UI show
`message_zh` for anything that has one, so no traceback reaches a clerk."""

from __future__ import annotations


class UserFacingError(Exception):
    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh
