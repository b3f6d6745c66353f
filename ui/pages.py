"""The page registry the main window's navigation is built from.

Each later screen (intake, cases, ...) registers a Page with the roles that may use it; the main
window shows a user exactly the pages of their role, in registration order. Only register a page
when it works: an empty placeholder is never shown to a clerk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from desktop.bootstrap import App
    from desktop.security.accounts import Role, UserInfo

    from ui.tasks import TaskManager


@dataclass(frozen=True)
class PageContext:
    """What a page factory gets: the composed app, who is logged in, and the window's task manager."""

    app: App
    user: UserInfo
    tasks: TaskManager
    window: QWidget


#: runs once when a main window opens for a user of the hook's roles (e.g. opening the back-end
#: sessions after login); may return a cleanup that runs when the session ends (logout, window closed)
SessionHook = Callable[[PageContext], Callable[[], None] | None]


@dataclass(frozen=True)
class Page:
    key: str
    #: already translated (build it with QCoreApplication.translate("Pages", "...") at registration)
    title_zh: str
    roles: frozenset[Role]
    factory: Callable[[PageContext], QWidget]

    def allows(self, role: Any) -> bool:
        return role in self.roles


class PageRegistry:
    """Ordered pages by key. One instance per composition (no module-level registry)."""

    def __init__(self) -> None:
        self._pages: dict[str, Page] = {}
        self._hooks: list[tuple[frozenset[Role], SessionHook]] = []

    def register_page(self, key: str, title_zh: str, roles: Iterable[Role],
                      factory: Callable[[PageContext], QWidget]) -> Page:
        if key in self._pages:
            raise ValueError(f"page {key!r} is already registered")
        page = Page(key, title_zh, frozenset(roles), factory)
        self._pages[key] = page
        return page

    def add_session_hook(self, roles: Iterable[Role], hook: SessionHook) -> None:
        self._hooks.append((frozenset(roles), hook))

    def session_hooks_for(self, role: Role) -> list[SessionHook]:
        return [hook for roles, hook in self._hooks if role in roles]

    def pages_for(self, role: Role) -> list[Page]:
        return [p for p in self._pages.values() if p.allows(role)]

    def get(self, key: str) -> Page | None:
        return self._pages.get(key)

    def keys(self) -> list[str]:
        return list(self._pages)
