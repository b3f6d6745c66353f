"""Keyboard-wedge barcode scanners: a scanned case number opens the case, wherever focus is.

A wedge scanner "types" the barcode as key presses a few milliseconds apart and ends with Enter.
Installed on the QApplication, `BarcodeScannerFilter` watches key presses as they reach a window
(once per physical key, before the focused widget sees them) and recognises a burst: every gap
shorter than `max_gap_s`, ended by Enter, and the burst's text is a case number. A person typing
is far slower than the gap, so typing into a field is never captured.

Leaked characters are removed, not held back. The burst is only known to be a scan at its Enter,
so holding keys back would mean delaying every key a clerk types in the whole workstation and
re-synthesising key events afterwards (which breaks shortcuts, input methods and auto-repeat).
Instead, when a burst starts the focused line edit's text and cursor are noted; when the Enter
proves it a scan, the line edit is put back exactly as it was and the Enter is swallowed (so no
returnPressed, no default button). The field shows the characters for the ~0.1 s of the scan.
Only line edits (and editable combo boxes) are restored; a multi-line editor with focus keeps them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QComboBox, QLineEdit

from desktop.documents.case_number import parse_case_number

log = logging.getLogger(__name__)

DEFAULT_MAX_GAP_S = 0.030
MAX_BURST_CHARS = 64  # longer than any case number: a burst this long is not ours
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_SILENT_KEYS = (Qt.Key.Key_Shift, Qt.Key.Key_CapsLock)  # scanners press Shift for capitals
_COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                      | Qt.KeyboardModifier.MetaModifier)


@dataclass
class _Snapshot:
    """The focused line edit as it was before the burst's first key reached it."""

    line_edit: QLineEdit
    text: str
    cursor: int
    modified: bool

    def restore(self) -> None:
        if not shiboken6.isValid(self.line_edit):
            return
        self.line_edit.setText(self.text)
        self.line_edit.setCursorPosition(self.cursor)
        self.line_edit.setModified(self.modified)


class BarcodeScannerFilter(QObject):
    """Application-wide event filter; emits `sig_case_scanned(case_no)` for each scanned case number.

    Install with ``app.installEventFilter(scanner)``. `clock` returns seconds (monotonic); tests
    inject their own to make bursts and slow typing deterministic.
    """

    sig_case_scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, max_gap_s: float = DEFAULT_MAX_GAP_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._max_gap_s = max_gap_s
        self._clock = clock
        self._chars: list[str] = []
        self._last_key_at = 0.0
        self._snapshot: _Snapshot | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        # Only the window sees each physical key exactly once; the focused widget and, when it
        # ignores the key, each of its parents would show us the same key again.
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWindow):
            return False
        assert isinstance(event, QKeyEvent)
        return self._key_pressed(watched, event)

    def _key_pressed(self, window: QWindow, event: QKeyEvent) -> bool:
        now = self._clock()
        in_burst = bool(self._chars) and now - self._last_key_at <= self._max_gap_s
        key = event.key()
        if key in _ENTER_KEYS:
            return self._burst_ended(in_burst)
        if key in _SILENT_KEYS:
            return False
        text = event.text()
        if len(text) != 1 or not text.isprintable() or event.modifiers() & _COMMAND_MODIFIERS:
            self._reset()
            return False
        if not in_burst:
            self._reset()
            self._snapshot = self._focused_line_edit_snapshot(window)
        if len(self._chars) < MAX_BURST_CHARS:
            self._chars.append(text)
        self._last_key_at = now
        return False

    def _burst_ended(self, in_burst: bool) -> bool:
        scanned = "".join(self._chars) if in_burst else ""
        snapshot = self._snapshot
        self._reset()
        parts = parse_case_number(scanned) if scanned else None
        if parts is None:
            return False
        if snapshot is not None:
            snapshot.restore()
        case_no = str(parts)
        log.info("barcode scanner read case number %s", case_no)
        self.sig_case_scanned.emit(case_no)
        return True  # the Enter belongs to the scanner, not to the focused widget

    def _reset(self) -> None:
        self._chars.clear()
        self._snapshot = None

    @staticmethod
    def _focused_line_edit_snapshot(window: QWindow) -> _Snapshot | None:
        # The window's focus object is where this key is about to go, active window or not.
        widget = window.focusObject()
        if isinstance(widget, QComboBox):
            widget = widget.lineEdit()
        if not isinstance(widget, QLineEdit):
            return None
        return _Snapshot(widget, widget.text(), widget.cursorPosition(), widget.isModified())
