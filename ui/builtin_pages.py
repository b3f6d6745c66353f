"""The pages the shell ships with. Later features register theirs on the same PageRegistry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop.security.accounts import Role
from ui.pages import PageContext, PageRegistry

if TYPE_CHECKING:
    from desktop.bootstrap import App
    from PySide6.QtWidgets import QWidget

EVERYONE = (Role.CLERK, Role.SUPERVISOR, Role.ADMIN)


def _home(ctx: PageContext) -> QWidget:
    from ui.home_page import HomePage

    return HomePage(ctx)


def _accounts(ctx: PageContext) -> QWidget:
    from ui.admin.accounts_page import AccountsPage

    return AccountsPage(ctx)


def _audit(ctx: PageContext) -> QWidget:
    from ui.admin.audit_page import AuditPage

    return AuditPage(ctx)


def _adapters(ctx: PageContext) -> QWidget:
    from ui.admin.adapters_page import AdaptersPage

    return AdaptersPage(ctx)


def register_builtin_pages(registry: PageRegistry, app: App) -> PageRegistry:
    # Spelled out (no alias) so lupdate finds each title.
    registry.register_page("home", QCoreApplication.translate("Pages", "Home"), EVERYONE, _home)
    registry.register_page("accounts", QCoreApplication.translate("Pages", "Accounts"), {Role.ADMIN}, _accounts)
    registry.register_page("audit", QCoreApplication.translate("Pages", "Audit log"), {Role.ADMIN}, _audit)
    # Only a screen that works is shown: without a plugin registry there is nothing to manage.
    if getattr(app, "registry", None) is not None:
        registry.register_page("adapters", QCoreApplication.translate("Pages", "Adapters"), {Role.ADMIN},
                               _adapters)
    from ui.intake.registration import register_intake

    register_intake(registry, app)  # the clerk's 受理 page, when the workstation can take cases
    from ui.cases.pages import register_case_pages, register_case_scanning

    register_case_pages(registry)  # 我的办件 / 全部办件
    register_case_scanning(registry)  # a scanned receipt barcode opens its case
    return registry


def default_registry(app: App) -> PageRegistry:
    return register_builtin_pages(PageRegistry(), app)
