"""The first page every role sees: who is on duty, where, and the keyboard shortcuts of the shell."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.pages import PageContext
from ui.roles import role_title


class HomePage(QWidget):
    def __init__(self, ctx: PageContext) -> None:
        super().__init__()
        self.setObjectName("homePage")
        settings = ctx.app.settings
        counter = str(getattr(settings, "counter", "") or getattr(ctx.user, "counter", "") or "")
        hall = str(getattr(settings, "hall_name", "") or "")
        title = QLabel(self.tr("Welcome, {name}").format(name=ctx.user.display_name))
        title.setObjectName("pageTitle")
        lines = [
            self.tr("Role: {role}").format(role=role_title(ctx.user.role)),
            self.tr("Counter: {counter}").format(counter=counter or self.tr("not set")),
        ]
        if hall:
            lines.append(self.tr("Service hall: {hall}").format(hall=hall))
        lines.append(self.tr("Today: {date}").format(date=date.today().isoformat()))
        info = QLabel("\n".join(lines))
        info.setObjectName("homeInfo")
        hint = QLabel(self.tr("Press Ctrl+L to lock the workstation when you leave the counter. "
                              "It also locks itself after a period without input."))
        hint.setObjectName("homeHint")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(16)
        layout.addWidget(title)
        layout.addWidget(info)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
