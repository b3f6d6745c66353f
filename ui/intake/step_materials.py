"""Step 6, 材料: one checklist for the whole one-thing. Pulled materials tick themselves, produced ones
name the department that issues them, brought ones are received (with scans: images or PDF, stored
with a checksum, viewable) or, when tolerable, accepted against the citizen's commitment (容缺受理),
which the one-time notice (一次性告知书) lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel,
    QPlainTextEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from desktop.services.dto import CaseSummary, MaterialView
from ui.intake.common import IntakeContext, IntakeStep, hint_label, print_path, tinted, toned
from ui.printing.notice_pdf import render_notice_pdf

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}


def print_notice(service: Any, user: Any, case_id: int, data_dir: Path) -> Path:
    """Worker-thread body: the one-time notice as a PDF under the data directory."""
    data = service.notice_data(user, case_id)
    return render_notice_pdf(data, print_path(data_dir, "一次性告知书", data.case_no))


def load_scan(service: Any, user: Any, case_id: int, code: str, sha256: str) -> tuple[Path, QImage | None]:
    """Worker-thread body: the checked file and, for an image, the decoded picture (QImage is thread-safe)."""
    path = service.material_file_path(user, case_id, code, sha256)
    if path.suffix.lower() in _IMAGE_SUFFIXES:
        image = QImage(str(path))
        return path, None if image.isNull() else image
    return path, None


class ToleranceDialog(QDialog):
    """The citizen's commitment to bring a missing material later (容缺受理)."""

    def __init__(self, material: MaterialView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toleranceDialog")
        self.setWindowTitle(self.tr("Accept without {name}").format(name=material.name))
        self.commitment = QPlainTextEdit()
        self.commitment.setObjectName("toleranceCommitment")
        self.commitment.setPlainText(self.tr("I undertake to hand in {name} by the date below.").format(
            name=material.name))
        self.commitment.setTabChangesFocus(True)
        self.use_due = QCheckBox(self.tr("Set the date myself (default: 10 working days)"))
        self.use_due.setObjectName("toleranceUseDue")
        self.due = QDateEdit(QDate.currentDate().addDays(14))
        self.due.setObjectName("toleranceDue")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setEnabled(False)
        self.use_due.toggled.connect(self.due.setEnabled)
        form = QFormLayout()
        form.addRow(self.tr("Commitment"), self.commitment)
        form.addRow("", self.use_due)
        form.addRow(self.tr("Hand in by"), self.due)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Accept without it"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def owed_by(self) -> date | None:
        return self.due.date().toPython() if self.use_due.isChecked() else None  # type: ignore[no-any-return]


class ScanViewer(QDialog):
    def __init__(self, title: str, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanViewer")
        self.setWindowTitle(title)
        label = QLabel()
        label.setPixmap(QPixmap.fromImage(image).scaled(900, 640, Qt.AspectRatioMode.KeepAspectRatio,
                                                        Qt.TransformationMode.SmoothTransformation))
        scroll = QScrollArea()
        scroll.setWidget(label)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        self.resize(940, 700)


class MaterialRow:
    def __init__(self, step: MaterialsStep, material: MaterialView) -> None:
        self.code = material.code
        self.frame = QFrame()
        self.frame.setObjectName(f"material_{material.code}")
        toned(self.frame, "material")
        grid = QGridLayout(self.frame)
        grid.setContentsMargins(10, 6, 10, 6)
        self.name = QLabel()
        toned(self.name, "strong")
        self.source = QLabel()
        self.status = QLabel()
        self.status.setObjectName(f"materialStatus_{material.code}")
        self.files = QLabel()
        self.files.setObjectName(f"materialFiles_{material.code}")
        self.files.setWordWrap(True)
        self.files.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.received = QPushButton(QCoreApplication.translate("MaterialsStep", "Received"))
        self.received.setObjectName(f"materialReceived_{material.code}")
        self.attach = QPushButton(QCoreApplication.translate("MaterialsStep", "Add scan..."))
        self.attach.setObjectName(f"materialAttach_{material.code}")
        self.view = QPushButton(QCoreApplication.translate("MaterialsStep", "View"))
        self.view.setObjectName(f"materialView_{material.code}")
        self.tolerate = QPushButton(QCoreApplication.translate("MaterialsStep", "Accept without..."))
        self.tolerate.setObjectName(f"materialTolerate_{material.code}")
        self.received.clicked.connect(lambda: step.mark_received(self.code))
        self.attach.clicked.connect(lambda: step.attach(self.code))
        self.view.clicked.connect(lambda: step.view(self.code))
        self.tolerate.clicked.connect(lambda: step.tolerate(self.code))
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.received, self.attach, self.view, self.tolerate):
            buttons.addWidget(button)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.source, 0, 1)
        grid.addWidget(self.status, 0, 2)
        grid.addLayout(buttons, 0, 3, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.files, 1, 0, 1, 4)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(2, 2)
        self.material = material
        self.update(material, step)

    def update(self, material: MaterialView, step: MaterialsStep) -> None:
        self.material = material
        ticked = material.status in ("pulled", "received", "tolerated", "produced")
        self.name.setText(("☑ " if ticked else "☐ ") + material.name)
        source = {"pulled": QCoreApplication.translate("MaterialsStep", "shared data"), "produced": QCoreApplication.translate("MaterialsStep", "issued by department"),
                  "brought": QCoreApplication.translate("MaterialsStep", "brought by citizen")}.get(material.source, material.source)
        if material.provider:
            source += f"（{material.provider}）"
        self.source.setText(source)
        tone = {"pending": "error", "tolerated": "warn"}.get(material.status, "ok")
        self.status.setText(tinted(material.status_zh, tone, bold=True))
        files = [f"{name}  SHA-256 {sha[:16]}…" for name, sha in material.files]
        text = "\n".join(files)
        if material.status == "tolerated" and material.commitment:
            text = (text + "\n" if text else "") + QCoreApplication.translate("MaterialsStep", "Commitment: {text}").format(text=material.commitment)
        self.files.setText(text)
        self.files.setVisible(bool(text))
        takes = material.source != "produced" and material.status != "pulled"
        self.received.setVisible(takes and material.status not in ("received",))
        self.attach.setVisible(takes)
        self.view.setVisible(bool(material.files))
        self.tolerate.setVisible(material.tolerable and material.status not in ("received", "pulled", "tolerated"))


class MaterialsStep(IntakeStep):
    number = 6
    sig_loaded = Signal()
    #: a material changed (code)
    sig_material = Signal(str)

    def __init__(self, ctx: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("intakeMaterialsStep")
        self.rows: dict[str, MaterialRow] = {}
        self.last_print: Path | None = None
        self.viewer: ScanViewer | None = None
        self.tolerance_dialog: ToleranceDialog | None = None
        self.summary = QLabel()
        self.summary.setObjectName("materialsSummary")
        self.holder = QWidget()
        self.column = QVBoxLayout(self.holder)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(6)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.holder)
        self.notice_button = QPushButton(self.tr("Print one-time &notice"))
        self.notice_button.setObjectName("materialsNotice")
        self.notice_button.clicked.connect(self.print_notice)
        self.notice_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.notice_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        layout.addWidget(hint_label(self.tr(
            "Tab moves between the buttons of each material; Space presses one. Alt+N prints the one-time "
            "notice of everything still owed. Ctrl+Enter goes on.")))

    def title(self) -> str:
        return self.tr("Materials")

    def first_focus(self) -> QWidget | None:
        for row in self.rows.values():
            for button in (row.received, row.attach, row.tolerate):
                if button.isVisible():
                    return button
        return self.notice_button

    def enter(self, case: CaseSummary | None) -> None:
        super().enter(case)
        self.reload()

    def reload(self) -> None:
        self.load(self.ctx.service.materials, self._show)

    def _show(self, materials: list[MaterialView]) -> None:
        known = set(self.rows)
        for material in materials:
            row = self.rows.get(material.code)
            if row is None:
                row = MaterialRow(self, material)
                self.rows[material.code] = row
                self.column.addWidget(row.frame)
            else:
                row.update(material, self)
            known.discard(material.code)
        for code in known:
            self.rows.pop(code).frame.deleteLater()
        self._summarise()
        self.focus_first()
        self.sig_loaded.emit()

    def _summarise(self) -> None:
        materials = [r.material for r in self.rows.values()]
        pending = [m.name for m in materials if m.status == "pending"]
        tolerated = [m for m in materials if m.status == "tolerated"]
        self.notice_button.setEnabled(bool(tolerated))
        if pending:
            self.summary.setText(tinted(self.tr("Still missing: {names}").format(names="、".join(pending)), "error",
                                        bold=True))
        else:
            self.summary.setText(tinted(self.tr("Every material is in hand, shared, issued by a department or owed "
                                                "under a commitment ({count} owed).").format(count=len(tolerated)),
                                        "ok"))

    def _updated(self, material: MaterialView) -> None:
        row = self.rows.get(material.code)
        if row is not None:
            row.update(material, self)
        self._summarise()
        self.sig_material.emit(material.code)

    def mark_received(self, code: str) -> None:
        if self.case is None:
            return
        (self.background(self.ctx.service.mark_received, self.ctx.user, self.case.id, code)
         .on_success(self._updated)
         .on_failure(self.clerk_errors()))

    def attach(self, code: str) -> None:
        if self.case is None:
            return
        path = self.ctx.pick_file(self)
        if path is None:
            return
        self.info(self.tr("Storing {name}...").format(name=path.name))
        (self.background(self.ctx.service.attach_file, self.ctx.user, self.case.id, code, path)
         .on_success(self._attached)
         .on_failure(self.clerk_errors()))

    def _attached(self, material: MaterialView) -> None:
        self._updated(material)
        if material.files:
            name, sha = material.files[-1]
            self.info(self.tr("Scan stored: {name}, SHA-256 {sha}").format(name=name, sha=sha))

    def view(self, code: str) -> None:
        row = self.rows.get(code)
        if self.case is None or row is None or not row.material.files:
            return
        name, sha = row.material.files[-1]
        (self.background(load_scan, self.ctx.service, self.ctx.user, self.case.id, code, sha)
         .on_success(lambda result: self._view(row.material.name, name, *result))
         .on_failure(self.clerk_errors()))

    def _view(self, material: str, name: str, path: Path, image: QImage | None) -> None:
        if image is None:
            self.ctx.open_file(path)
            return
        self.viewer = ScanViewer(f"{material} - {name}", image, self)
        self.viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.viewer.open()

    def tolerate(self, code: str) -> None:
        row = self.rows.get(code)
        if self.case is None or row is None:
            return
        dialog = ToleranceDialog(row.material, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._tolerate(code, dialog.commitment.toPlainText(), dialog.owed_by()))
        self.tolerance_dialog = dialog
        dialog.open()

    def _tolerate(self, code: str, commitment: str, owed_by: date | None) -> None:
        if self.case is None:
            return
        (self.background(self.ctx.service.tolerate, self.ctx.user, self.case.id, code, commitment, owed_by)
         .on_success(self._updated)
         .on_failure(self.clerk_errors()))

    def print_notice(self) -> None:
        if self.case is None:
            return
        self.notice_button.setEnabled(False)
        self.info(self.tr("Preparing the one-time notice..."))
        (self.background(print_notice, self.ctx.service, self.ctx.user, self.case.id,
                         self.ctx.app.settings.data_dir)
         .on_success(self._printed)
         .on_failure(self.clerk_errors())
         .on_finished(self._summarise))

    def _printed(self, path: Path) -> None:
        self.last_print = path
        self.info(self.tr("One-time notice ready: {path}").format(path=path))
        self.ctx.open_file(path)

    def advance(self) -> None:
        self.sig_done.emit()

    def reset(self) -> None:
        super().reset()
        for row in self.rows.values():
            row.frame.deleteLater()
        self.rows.clear()
        self.summary.clear()
