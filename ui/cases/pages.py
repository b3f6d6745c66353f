"""Registers the case screens and the barcode-scan navigation on the main window's page registry."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from desktop.security.accounts import Role
from ui.pages import PageContext, PageRegistry


def _my_cases(ctx: PageContext) -> QWidget:
    from ui.cases.case_list_page import CaseListPage

    return CaseListPage(ctx, all_counters=False)


def _all_cases(ctx: PageContext) -> QWidget:
    from ui.cases.case_list_page import CaseListPage

    return CaseListPage(ctx, all_counters=True)


def register_case_pages(registry: PageRegistry) -> PageRegistry:
    registry.register_page("my_cases", QCoreApplication.translate("Pages", "My cases"), {Role.CLERK}, _my_cases)
    registry.register_page("all_cases", QCoreApplication.translate("Pages", "All cases"), {Role.SUPERVISOR},
                           _all_cases)
    return registry


def register_case_scanning(registry: PageRegistry, *, clock: Callable[[], float] | None = None) -> PageRegistry:
    """A scanned receipt barcode opens its case in every main window (admins are told it is not theirs).
    ``clock`` (seconds, monotonic) is the scanner's; tests pass their own to make key bursts exact."""

    def start(ctx: PageContext) -> Callable[[], None]:
        from ui.cases.opener import case_opener
        from ui.cases.scan_navigation import CaseScanNavigator
        from ui.scanner import BarcodeScannerFilter

        scanner = BarcodeScannerFilter(clock=clock) if clock is not None else None
        navigator = CaseScanNavigator(ctx, scanner)
        navigator.start()

        def end() -> None:
            navigator.stop()
            case_opener(ctx).close_all()

        return end

    registry.add_session_hook((Role.CLERK, Role.SUPERVISOR, Role.ADMIN), start)
    return registry
