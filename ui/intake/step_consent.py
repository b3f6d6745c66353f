"""Step 3, 群众授权: per department, the fields it will be asked for and why; the citizen may strike a
department or a field. The authorisation is recorded (time, scope, clerk, method) and printable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton,
    QScrollArea, QVBoxLayout, QWidget,
)

from desktop.documents.consent import CONSENT_METHOD_ZH
from desktop.services.dto import CaseSummary, ConsentRecord, ConsentScope
from ui.intake.common import IntakeContext, IntakeStep, print_path, clear_layout, hint_label, local_datetime, toned
from ui.printing.consent_pdf import render_consent_pdf

_METHODS = ("signature", "face", "sms")


def print_consent(service: Any, user: Any, case_id: int, data_dir: Path) -> Path:
    """Worker-thread body: the consent form as a PDF under the data directory."""
    data = service.consent_data(user, case_id)
    return render_consent_pdf(data, print_path(data_dir, "授权书", data.case_no))


class ConsentStep(IntakeStep):
    number = 3

    def __init__(self, ctx: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("intakeConsentStep")
        self.scopes: list[ConsentScope] = []
        self.record: ConsentRecord | None = None
        self.department_boxes: dict[str, QCheckBox] = {}
        self.field_boxes: dict[str, dict[str, QCheckBox]] = {}
        self.last_print: Path | None = None

        self.scope_holder = QWidget()
        self.scope_layout = QVBoxLayout(self.scope_holder)
        self.scope_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.scope_holder)
        scroll.setObjectName("consentScroll")

        self.purpose = QLineEdit()
        self.purpose.setObjectName("consentPurpose")
        self.purpose.returnPressed.connect(self.advance)
        self.method_group = QButtonGroup(self)
        method_row = QHBoxLayout()
        labels = {"signature": self.tr("&Signature"), "face": self.tr("&Face check"),
                  "sms": self.tr("SMS &code")}
        self.method_buttons: dict[str, QRadioButton] = {}
        for method in _METHODS:
            button = QRadioButton(labels[method])
            button.setObjectName(f"consentMethod_{method}")
            self.method_group.addButton(button)
            self.method_buttons[method] = button
            method_row.addWidget(button)
        method_row.addStretch(1)
        self.method_buttons["signature"].setChecked(True)

        self.record_button = QPushButton(self.tr("Record consent (Ctrl+Enter)"))
        self.record_button.setObjectName("consentRecord")
        self.record_button.clicked.connect(self.record_consent)
        self.print_button = QPushButton(self.tr("&Print consent form"))
        self.print_button.setObjectName("consentPrint")
        self.print_button.clicked.connect(self.print_form)
        self.print_button.setEnabled(False)
        self.recorded = QLabel()
        self.recorded.setObjectName("consentRecorded")
        self.recorded.setWordWrap(True)
        self.recorded.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QGridLayout()
        form.addWidget(QLabel(self.tr("Purpose")), 0, 0)
        form.addWidget(self.purpose, 0, 1)
        form.addWidget(QLabel(self.tr("Method")), 1, 0)
        form.addLayout(method_row, 1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("The citizen authorises these departments to provide these data "
                                        "(untick what the citizen does not agree to):")))
        layout.addWidget(scroll, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.recorded)
        layout.addWidget(hint_label(self.tr(
            "Space ticks a box, Alt+S / Alt+F / Alt+C choose the method, Ctrl+Enter records the consent "
            "and goes on to the pull, Alt+P prints the form for the citizen to sign.")))

    def title(self) -> str:
        return self.tr("Consent")

    def first_focus(self) -> QWidget | None:
        return next(iter(self.department_boxes.values()), self.purpose)

    def enter(self, case: CaseSummary | None) -> None:
        super().enter(case)
        if case is None:
            return
        if not self.purpose.text():
            self.purpose.setText(self.tr("Handling {name} for the citizen").format(name=case.one_thing_name))

        def load() -> tuple[list[ConsentScope], ConsentRecord | None]:
            service = self.ctx.service
            return service.consent_scope(self.ctx.user, case.id), service.current_consent(self.ctx.user, case.id)

        (self.background(load)
         .on_success(lambda result: self._show(*result))
         .on_failure(self.clerk_errors()))

    def _show(self, scopes: list[ConsentScope], record: ConsentRecord | None) -> None:
        self.scopes = scopes
        clear_layout(self.scope_layout)
        self.department_boxes.clear()
        self.field_boxes.clear()
        granted = {s.adapter_id: set(s.fields) for s in record.scope} if record is not None else None
        for scope in scopes:
            box = QGroupBox()
            box.setObjectName(f"consentScope_{scope.adapter_id}")
            column = QVBoxLayout(box)
            department = QCheckBox(scope.department_name)
            department.setObjectName(f"consentDept_{scope.adapter_id}")
            toned(department, "strong")
            department.setChecked(granted is None or scope.adapter_id in granted)
            column.addWidget(department)
            grid = QGridLayout()
            grid.setContentsMargins(24, 0, 0, 0)
            fields: dict[str, QCheckBox] = {}
            for index, (name, label) in enumerate(zip(scope.fields, scope.labels)):
                check = QCheckBox(label)
                check.setObjectName(f"consentField_{scope.adapter_id}_{name}")
                check.setChecked(granted is None or name in granted.get(scope.adapter_id, set()))
                grid.addWidget(check, index // 4, index % 4)
                fields[name] = check
            column.addLayout(grid)
            department.toggled.connect(lambda on, f=fields: [c.setEnabled(on) for c in f.values()])
            for check in fields.values():
                check.setEnabled(department.isChecked())
            self.department_boxes[scope.adapter_id] = department
            self.field_boxes[scope.adapter_id] = fields
            self.scope_layout.addWidget(box)
        self.scope_layout.addStretch(1)
        if not scopes:
            self.scope_layout.addWidget(QLabel(self.tr("No enabled department can provide data for this one-thing.")))
        self._show_record(record)
        self.focus_first()

    def _show_record(self, record: ConsentRecord | None) -> None:
        self.record = record
        self.print_button.setEnabled(record is not None)
        if record is None:
            self.recorded.setText(self.tr("Not yet recorded."))
            return
        names = "、".join(s.department_name for s in record.scope)
        method = CONSENT_METHOD_ZH.get(record.method, record.method)
        self.recorded.setText(self.tr("Recorded {time} by {clerk} ({method}): {departments}. Reference {ref}.").format(
            time=local_datetime(record.granted_at), clerk=record.clerk, method=method, departments=names,
            ref=record.consent_ref[:12]))
        self.purpose.setText(record.purpose)
        if record.method in self.method_buttons:
            self.method_buttons[record.method].setChecked(True)

    def chosen_scopes(self) -> list[ConsentScope]:
        chosen = []
        for scope in self.scopes:
            if not self.department_boxes[scope.adapter_id].isChecked():
                continue
            picks = [(f, lbl) for f, lbl in zip(scope.fields, scope.labels)
                     if self.field_boxes[scope.adapter_id][f].isChecked()]
            if picks:
                chosen.append(ConsentScope(scope.department, scope.department_name, scope.adapter_id,
                                           tuple(f for f, _ in picks), tuple(lbl for _, lbl in picks)))
        return chosen

    def chosen_method(self) -> str:
        return next((m for m, b in self.method_buttons.items() if b.isChecked()), "signature")

    def _unchanged(self) -> bool:
        record = self.record
        if record is None:
            return False
        mine = {s.adapter_id: set(s.fields) for s in self.chosen_scopes()}
        theirs = {s.adapter_id: set(s.fields) for s in record.scope}
        return mine == theirs and record.purpose == self.purpose.text().strip() \
            and record.method == self.chosen_method()

    def advance(self) -> None:
        if self._unchanged():
            self.sig_done.emit()
            return
        self.record_consent(then_continue=True)

    def record_consent(self, then_continue: bool = False) -> None:
        if self.case is None:
            return
        self.record_button.setEnabled(False)
        (self.background(self.ctx.service.record_consent, self.ctx.user, self.case.id, self.chosen_scopes(),
                         self.purpose.text(), self.chosen_method())
         .on_success(lambda record: self._recorded(record, then_continue))
         .on_failure(self.clerk_errors())
         .on_finished(lambda: self.record_button.setEnabled(True)))

    def _recorded(self, record: ConsentRecord, then_continue: bool) -> None:
        self._show_record(record)
        self.info(self.tr("Consent recorded."))
        if then_continue:
            self.sig_done.emit()

    def print_form(self) -> None:
        if self.case is None or self.record is None:
            return
        self.print_button.setEnabled(False)
        self.info(self.tr("Preparing the consent form..."))
        (self.background(print_consent, self.ctx.service, self.ctx.user, self.case.id,
                         self.ctx.app.settings.data_dir)
         .on_success(self._printed)
         .on_failure(self.clerk_errors())
         .on_finished(lambda: self.print_button.setEnabled(self.record is not None)))

    def _printed(self, path: Path) -> None:
        self.last_print = path
        self.info(self.tr("Consent form ready: {path}").format(path=path))
        self.ctx.open_file(path)

    def reset(self) -> None:
        super().reset()
        self.purpose.clear()
        self.record = None
        self._show([], None)
