"""One department's tab of the split preview (step 8): the payload its adapter sends, in a monospace
font, and the canonical field each of its fields came from.

Built once, with the step, and refilled for every preview: building an editor and a table while the
clerk watches was the slowest thing on the preview screen, and a big payload goes in a slice per
event-loop turn."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from desktop.services.dto import PayloadPreview
from ui.intake.common import toned
from ui.widgets import ReadOnlyTable


# a payload longer than this goes into its editor a slice per event-loop turn (a scanned attachment in
# base64 would otherwise freeze the screen while the whole text is laid out at once)
PAYLOAD_SLICE_CHARS = 16_000


class DepartmentTab(QWidget):
    """One department's tab: what its adapter sends and where each value came from."""

    def __init__(self, adapter_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"preview_{adapter_id}")
        self.adapter_id = adapter_id
        self.error = toned(QLabel(), "error")
        self.error.setObjectName(f"previewError_{adapter_id}")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.head = QLabel()
        self.payload = QPlainTextEdit()
        self.payload.setObjectName(f"previewPayload_{adapter_id}")
        self.payload.setReadOnly(True)
        self.payload.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.payload.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        # the monospace font and its CJK fallback load now, with the window, not on the first preview
        self.payload.fontMetrics().horizontalAdvance("<姓名>{}")
        # the texts keep the PreviewStep translation context, where they were translated
        self.table = ReadOnlyTable([QCoreApplication.translate("PreviewStep", "Department field"),
                                    QCoreApplication.translate("PreviewStep", "Canonical field"),
                                    QCoreApplication.translate("PreviewStep", "Meaning")])
        self.table.setObjectName(f"previewSources_{adapter_id}")
        self.table.horizontalHeader().setStretchLastSection(True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.payload)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        column = QVBoxLayout(self)
        column.addWidget(self.error)
        column.addWidget(self.head)
        column.addWidget(self.splitter, 1)
        self._rest: list[str] = []

    def fill(self, preview: PayloadPreview) -> None:
        failed = bool(preview.error_zh)
        # visibility changes only when the outcome does: showing a widget lays out the whole window
        if self.error.isHidden() == failed:
            self.error.setVisible(failed)
            self.head.setVisible(not failed)
            self.splitter.setVisible(not failed)
        if failed:
            self.error.setText(preview.error_zh)
            self._set_payload("")
            self.table.setRowCount(0)
            return
        self.head.setText(QCoreApplication.translate("PreviewStep", "Items: {items}    Format: {type}").format(
            items="、".join(preview.item_codes), type=preview.content_type))
        self._set_payload(preview.preview)
        self.table.set_rows([list(row) for row in preview.field_sources])

    def _set_payload(self, text: str) -> None:
        slices = line_slices(text, PAYLOAD_SLICE_CHARS)
        self.payload.setPlainText(slices[0] if slices else "")
        chain_idle = not self._rest  # a chain still running takes over the new slices
        self._rest = slices[1:]
        if self._rest and chain_idle:
            QTimer.singleShot(0, self, self._append_slice)

    def _append_slice(self) -> None:
        if not self._rest:
            return
        cursor = QTextCursor(self.payload.document())  # not the editor's own: the view stays at the top
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText("\n" + self._rest.pop(0))
        if self._rest:
            QTimer.singleShot(0, self, self._append_slice)

    @property
    def complete(self) -> bool:
        """All of the payload is in the editor."""
        return not self._rest


def line_slices(text: str, size: int) -> list[str]:
    """``text`` cut at line ends into pieces of about ``size`` characters; joined with "\\n" they give it back."""
    if len(text) <= size:
        return [text] if text else []
    slices: list[str] = []
    start = 0
    while start < len(text):
        end = text.find("\n", start + size)
        if end < 0:
            slices.append(text[start:])
            break
        slices.append(text[start:end])
        start = end + 1
    if text.endswith("\n"):
        slices.append("")
    return slices
