"""The one error dialog: a Chinese summary for the clerk and copyable details (traceback) for IT staff.

Several failures arriving together go into the same open dialog rather than a stack of windows.
"""

from __future__ import annotations

import traceback

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget,
)


def details_for(exc: BaseException) -> str:
    """The full traceback, for the copyable details pane and the log."""
    return "".join(traceback.format_exception(exc))


def expected_message(exc: BaseException) -> str | None:
    """The clerk-facing ``message_zh`` of an expected (business) error; None for a bug."""
    message = getattr(exc, "message_zh", None)
    return message if isinstance(message, str) and message else None


def summary_for(exc: BaseException) -> str:
    """The clerk-facing sentence for an exception: its own ``message_zh`` when it has one."""
    message = expected_message(exc)
    if message:
        return message
    return QCoreApplication.translate(
        "ErrorDialog", "The operation failed because of an unexpected error. "
                       "Please tell your administrator and include the details below.")


class ErrorDialog(QDialog):
    sig_closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(self.tr("Error"))
        self.setMinimumWidth(560)
        self._count = 0
        self.summary_label = QLabel()
        self.summary_label.setObjectName("errorSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setObjectName("errorDetails")
        self.details.setVisible(False)
        self.toggle_button = QPushButton(self.tr("Show details"))
        self.toggle_button.setCheckable(True)
        self.toggle_button.toggled.connect(self._toggle_details)
        self.copy_button = QPushButton(self.tr("Copy details"))
        self.copy_button.clicked.connect(self.copy_details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        for button in (self.toggle_button, self.copy_button):
            button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.toggle_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.details, 1)
        layout.addLayout(row)

    @property
    def error_count(self) -> int:
        return self._count

    def add_error(self, summary: str, details: str) -> None:
        self._count += 1
        if self._count == 1:
            self.summary_label.setText(summary)
        else:
            self.summary_label.setText(
                self.tr("{count} operations failed. The latest: {summary}").format(
                    count=self._count, summary=summary))
        separator = "\n" + "-" * 60 + "\n" if self.details.toPlainText() else ""
        self.details.setPlainText(self.details.toPlainText() + separator + summary + "\n\n" + details)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.toggle_button.setText(self.tr("Hide details") if shown else self.tr("Show details"))
        self.adjustSize()

    def done(self, result: int) -> None:
        super().done(result)
        self.sig_closed.emit()


class ErrorReporter:
    """Shows failures in one ErrorDialog, reusing it while it is open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self._parent = parent
        self._dialog: ErrorDialog | None = None

    def set_parent(self, parent: QWidget | None) -> None:
        self._parent = parent

    @property
    def dialog(self) -> ErrorDialog | None:
        return self._dialog

    def report(self, summary: str, details: str) -> ErrorDialog:
        if self._dialog is None:
            self._dialog = ErrorDialog(self._parent)
            self._dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self._dialog.sig_closed.connect(self._forget)
        self._dialog.add_error(summary, details)
        # open(), never exec(): a nested event loop would let the idle lock and queued results re-enter.
        self._dialog.open()
        self._dialog.raise_()
        return self._dialog

    def close(self) -> None:
        if self._dialog is not None:
            self._dialog.close()
            self._dialog = None

    def _forget(self) -> None:
        self._dialog = None
