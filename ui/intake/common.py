"""What every intake step shares: the context it works in and the base class of a step widget."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QLayout, QWidget

from desktop.security.accounts import UserInfo
from desktop.services.dto import CaseSummary
from ui.tasks import TaskManager

if TYPE_CHECKING:
    from ui.intake.session import ClerkSession


PRINTS_DIR = "prints"


def print_path(data_dir: Path | str, title: str, case_no: str) -> Path:
    """Where a printed document of a case goes: <data dir>/prints/<title>-<case no>-<time>.pdf."""
    folder = Path(data_dir) / PRINTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{title}-{case_no}-{datetime.now():%Y%m%d-%H%M%S}.pdf"


def open_with_system(path: Path) -> bool:
    """Show a PDF or image in the desktop's viewer (the clerk prints from there)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def pick_scan_file(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(
        parent, QCoreApplication.translate("IntakeStep", "Add a scanned file"), "",
        QCoreApplication.translate("IntakeStep", "Images or PDF") + " (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.pdf)")
    return Path(name) if name else None


@dataclass
class IntakeContext:
    app: Any
    user: UserInfo
    tasks: TaskManager
    session: ClerkSession
    #: shows a finished PDF or an image outside the workstation (tests record instead)
    open_file: Callable[[Path], bool] = open_with_system
    #: asks the clerk for a scan to attach (tests hand one in)
    pick_file: Callable[[QWidget], Path | None] = pick_scan_file

    @property
    def service(self) -> Any:
        return self.session.service


class IntakeStep(QWidget):
    """One step of the intake. The page calls ``enter`` when the clerk arrives at the step and
    ``advance`` for Ctrl+Enter / 下一步; the step emits ``sig_done`` when the page may move on."""

    #: the step is complete; the page goes to the next one
    sig_done = Signal()
    #: text, is_error: a line for the page's message area
    sig_message = Signal(str, bool)
    #: the case changed (new case, one-thing chosen...): the page refreshes its banner
    sig_case = Signal(object)

    number = 0

    def __init__(self, ctx: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case: CaseSummary | None = None

    def title(self) -> str:
        raise NotImplementedError

    def enter(self, case: CaseSummary | None) -> None:
        """Arrive at this step for ``case``: load what it shows (in the background)."""
        self.case = case

    def advance(self) -> None:
        """Finish the step (save, check) and emit sig_done when the clerk may go on."""
        self.sig_done.emit()

    def first_focus(self) -> QWidget | None:
        return None

    def reset(self) -> None:
        """Forget the previous case (another citizen's case is opened)."""
        self.case = None

    # -- helpers ------------------------------------------------------------------------------------
    def focus_first(self) -> None:
        """After loading: put the cursor where the clerk starts, if this step is on screen and the
        clerk is not already typing inside it."""
        if not self.isVisible():
            return
        focused = QApplication.focusWidget()
        if focused is not None and self.isAncestorOf(focused) and focused is not self.first_focus():
            return
        widget = self.first_focus()
        if widget is not None:
            widget.setFocus()

    def info(self, text: str) -> None:
        self.sig_message.emit(text, False)

    def error(self, text: str) -> None:
        self.sig_message.emit(text, True)

    def clerk_errors(self) -> Callable[[BaseException], None]:
        return self.ctx.tasks.clerk_errors(self.error)

    def background(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.ctx.tasks.run_in_background(fn, *args, **kwargs)

    def load(self, call: Callable[[Any, int], Any], show: Callable[[Any], None]) -> None:
        """Ask the service ``call(user, case_id)`` for the current case in the background; ``show`` the answer."""
        if self.case is None:
            return
        (self.background(call, self.ctx.user, self.case.id)
         .on_success(show)
         .on_failure(self.clerk_errors()))


TONES = {"ok": "#1f6f43", "warn": "#8a5a00", "error": "#b42318", "muted": "#52606d"}


def tinted(text: str, tone: str, *, bold: bool = False) -> str:
    """Coloured rich text for a label whose colour changes with its content. Cheaper than a per-widget
    style sheet, which re-polishes the widget on every change (the screen must not stutter)."""
    weight = "font-weight:bold;" if bold else ""
    return f"<span style='color:{TONES[tone]};{weight}'>{html.escape(text)}</span>"


def toned(widget: QWidget, tone: str) -> QWidget:
    """A fixed look from the page's style sheet (``[tone=...]`` rules); set before the widget is shown."""
    widget.setProperty("tone", tone)
    return widget


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every item; widgets are hidden at once (deletion waits for the event loop)."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


def hint_label(text: str) -> QLabel:
    """A grey line telling the clerk which keys do what."""
    label = QLabel(text)
    label.setObjectName("intakeHint")
    label.setWordWrap(True)
    return label


def section_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("intakeSection")
    return label


def local_datetime(moment: Any) -> str:
    """YYYY-MM-DD HH:MM in local time; '' for None."""
    if moment is None:
        return ""
    if hasattr(moment, "astimezone") and getattr(moment, "tzinfo", None) is not None:
        moment = moment.astimezone()
    try:
        return str(moment.strftime("%Y-%m-%d %H:%M"))
    except AttributeError:
        return str(moment)


ALIGN_TOP = Qt.AlignmentFlag.AlignTop
