"""The main window's status bar: who is on duty, at which counter, plus slots for back-end indicators."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStatusBar, QWidget


class ShellStatusBar(QStatusBar):
    """Left: the user, role and counter. Right: permanent indicators added by later features
    (department session states, reader status) through ``add_permanent``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shellStatusBar")
        self.setSizeGripEnabled(False)
        self.user_label = QLabel()
        self.user_label.setObjectName("statusUser")
        self.counter_label = QLabel()
        self.counter_label.setObjectName("statusCounter")
        self.demo_label = QLabel(self.tr("Demo mode"))
        self.demo_label.setObjectName("statusDemo")
        self.demo_label.setVisible(False)
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(16)
        row.addWidget(self.user_label)
        row.addWidget(self.counter_label)
        row.addWidget(self.demo_label)
        self.addWidget(holder, 1)
        self._indicators: list[QWidget] = []

    def set_identity(self, display_name: str, role_zh: str, counter: str, hall: str = "") -> None:
        self.user_label.setText(self.tr("User: {name} ({role})").format(name=display_name, role=role_zh))
        where = counter or self.tr("no counter")
        self.counter_label.setText(
            self.tr("Counter: {counter}").format(counter=where) + (f"  ·  {hall}" if hall else ""))

    def set_demo(self, demo: bool) -> None:
        self.demo_label.setVisible(demo)

    def add_permanent(self, widget: QWidget) -> None:
        """Add a back-end state indicator on the right; a thin separator keeps them apart."""
        if self._indicators:
            line = QFrame()
            line.setFrameShape(QFrame.Shape.VLine)
            line.setObjectName("statusSeparator")
            self.addPermanentWidget(line)
        self.addPermanentWidget(widget)
        self._indicators.append(widget)

    @property
    def indicators(self) -> list[QWidget]:
        return list(self._indicators)
