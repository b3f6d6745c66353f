"""What case tracking refuses, each with a Chinese message for the clerk and an English one for the log."""

from __future__ import annotations

from desktop.services.intake_errors import IntakeError


class TrackingError(IntakeError):
    """Base class: ``message_zh`` is shown to the clerk; ``str(exc)`` is for the log (no personal data)."""


class StaleCase(TrackingError):
    """Someone changed the case after this screen read it (optimistic ``version``): refresh and retry."""

    def __init__(self, message: str, message_zh: str = "该办件已被他人修改，请刷新后重试") -> None:
        super().__init__(message, message_zh)


class WrongCaseState(TrackingError):
    """The action does not fit the case's state now (rating before completion, supplement without a
    rejection, cancelling a finished case...)."""
