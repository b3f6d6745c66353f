"""Adds the clerk's intake page (受理) to the page registry, and the back-end sessions that go with it:
opened right after the clerk's login (the one login of the shift), shown in the status bar, and closed
when the session ends (logout, window closed)."""

from __future__ import annotations

import logging
import weakref
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from desktop.security.accounts import Role
from ui.backend_status import BackendStatusWidget
from ui.pages import PageContext, PageRegistry

log = logging.getLogger("onewindow.ui.intake")

INTAKE_ROLES = (Role.CLERK, Role.SUPERVISOR)
_NEEDS = ("registry", "catalog", "fields", "calendar")


def intake_available(app: Any) -> bool:
    """Only a workstation with the catalog and the adapter registry can take cases."""
    return all(getattr(app, name, None) is not None for name in _NEEDS)


class IntakeSessions:
    """One ClerkSession per main window (kept weakly: the window owns it as its Qt child)."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._sessions: weakref.WeakKeyDictionary[QWidget, Any] = weakref.WeakKeyDictionary()

    def start(self, ctx: PageContext) -> Any:
        """The session hook: log in to every back-end and show their states in the status bar."""
        from ui.intake.session import ClerkSession

        session = self._sessions.get(ctx.window)
        if session is not None:
            return session.close
        session = ClerkSession(self._app, ctx.user, ctx.tasks, parent=ctx.window)
        self._sessions[ctx.window] = session
        status_bar = getattr(ctx.window, "status_bar", None)
        if status_bar is not None:
            widget = BackendStatusWidget(session.department_names(short=True))
            session.sig_backend_changed.connect(widget.set_state)
            session.sig_keyring_missing.connect(widget.set_keyring_missing)
            session.sig_keyring_missing.connect(
                lambda message: status_bar.showMessage(message, 0))
            status_bar.add_permanent(widget)
            session.status_widget = widget
            for adapter_id, info in session.backends.states().items():  # sessions opened before this window
                widget.set_state(adapter_id, info)
        session.open_backends()
        session.start_dispatcher()
        return session.close

    def session_for(self, ctx: PageContext) -> Any:
        if ctx.window not in self._sessions:
            self.start(ctx)
        return self._sessions[ctx.window]

    def build_page(self, ctx: PageContext) -> QWidget:
        from ui.intake.common import IntakeContext
        from ui.intake.page import IntakePage

        return IntakePage(IntakeContext(app=ctx.app, user=ctx.user, tasks=ctx.tasks,
                                        session=self.session_for(ctx)))


def register_intake(registry: PageRegistry, app: Any) -> IntakeSessions | None:
    if not intake_available(app):
        log.info("intake page not registered: the workstation has no catalog or adapter registry")
        return None
    sessions = IntakeSessions(app)
    registry.add_session_hook(INTAKE_ROLES, sessions.start)
    registry.register_page("intake", QCoreApplication.translate("Pages", "Intake"), INTAKE_ROLES,
                           sessions.build_page)
    return sessions
