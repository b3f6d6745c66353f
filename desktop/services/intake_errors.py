"""What the intake refuses, each with a Chinese message for the clerk and an English one for the log."""

from __future__ import annotations

from desktop.errors import UserFacingError


class IntakeError(UserFacingError):
    """Base class: ``message_zh`` is shown to the clerk; ``str(exc)`` is for the log (no personal data)."""


class CaseNotFound(IntakeError):
    pass


class CaseNotEditable(IntakeError):
    """The case left the draft state (submitted, cancelled...): intake steps no longer change it."""


class OneThingRequired(IntakeError):
    """The step needs the case's one-thing, and the clerk has not chosen one yet."""


class ConsentRequired(IntakeError):
    """No recorded authorisation covers the department: the pull is refused before any request."""

    def __init__(self, message: str, message_zh: str, adapter_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message, message_zh)
        self.adapter_ids = adapter_ids


class InvalidInput(IntakeError):
    """The clerk's input cannot be accepted (unknown field, unknown material, bad consent scope...)."""


class MaterialFileError(IntakeError):
    """A file offered as a scanned material was refused (type, size, unreadable)."""
