"""The status bar's back-end indicator: one entry per department back-end, saying whether the clerk's
session with it is connected, renewing, or failed (the reason in the tooltip).

Fed by BackendSessions listeners through a queued signal (see ui/intake/session.py), so every update
here runs on the GUI thread. Without a keyring there is one clear message instead of four failures.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from adapters.api import SessionInfo, SessionState

# state -> text colour. Set as rich text, not a per-label style sheet: a style sheet re-polishes the label
# on every change, and the states change while the clerk works (renewals, a pull finding a session broken).
_COLOURS = {
    SessionState.CONNECTED: "#1f6f43",
    SessionState.RENEWING: "#8a5a00",
    SessionState.CONNECTING: "#52606d",
    SessionState.DISCONNECTED: "#52606d",
    SessionState.FAILED: "#b42318",
}


class BackendStatusWidget(QWidget):
    def __init__(self, names: Mapping[str, str], parent: QWidget | None = None) -> None:
        """``names``: adapter id -> the department's short name, in display order."""
        super().__init__(parent)
        self.setObjectName("backendStatus")
        self._names = dict(names)
        self._states: dict[str, SessionInfo] = {}
        self._labels: dict[str, QLabel] = {}
        self._texts: dict[str, str] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(12)
        self.title = QLabel(self.tr("Back-ends:"))
        row.addWidget(self.title)
        for adapter_id, name in self._names.items():
            label = QLabel()
            label.setObjectName(f"backend_{adapter_id}")
            label.setTextFormat(Qt.TextFormat.RichText)
            self._labels[adapter_id] = label
            row.addWidget(label)
            self._show(adapter_id, SessionInfo(SessionState.CONNECTING))
        self.keyring_label = QLabel()
        self.keyring_label.setObjectName("backendKeyring")
        self.keyring_label.setStyleSheet("color: #b42318; font-weight: bold;")
        self.keyring_label.setVisible(False)
        row.addWidget(self.keyring_label)
        if not self._names:
            self.title.setText(self.tr("Back-ends: none enabled"))

    def state_text(self, state: SessionState) -> str:
        texts = {
            SessionState.CONNECTED: self.tr("connected"),
            SessionState.RENEWING: self.tr("renewing"),
            SessionState.CONNECTING: self.tr("connecting"),
            SessionState.DISCONNECTED: self.tr("not connected"),
            SessionState.FAILED: self.tr("failed"),
        }
        return texts[state]

    def set_state(self, adapter_id: str, info: SessionInfo) -> None:
        if adapter_id not in self._labels:
            return  # a back-end enabled after login shows from the next login on
        if self.keyring_label.isVisible():
            return  # the one keyring message already says why nothing connects
        self._show(adapter_id, info)

    def set_keyring_missing(self, message_zh: str) -> None:
        """No keyring: one message for all back-ends (they all fail for the same reason)."""
        for label in self._labels.values():
            label.setVisible(False)
        self.keyring_label.setText(self.tr("Department logins unavailable: no system keyring"))
        self.keyring_label.setToolTip(message_zh)
        self.keyring_label.setVisible(True)

    def state(self, adapter_id: str) -> SessionInfo | None:
        return self._states.get(adapter_id)

    def text_of(self, adapter_id: str) -> str:
        """What the entry says, without its colour."""
        return self._texts[adapter_id]

    def _show(self, adapter_id: str, info: SessionInfo) -> None:
        self._states[adapter_id] = info
        label = self._labels[adapter_id]
        text = ("● " if info.state is SessionState.CONNECTED else "○ ") + \
            f"{self._names[adapter_id]}：{self.state_text(info.state)}"
        self._texts[adapter_id] = text
        label.setText(f"<span style='color:{_COLOURS[info.state]}'>{html.escape(text)}</span>")
        tip = self._names[adapter_id] + "：" + self.state_text(info.state)
        if info.reason:
            tip += "\n" + info.reason
        label.setToolTip(tip)
