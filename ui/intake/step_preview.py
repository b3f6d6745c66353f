"""Step 8, 预览提交: a tab per department with exactly what its adapter will send (pretty XML/JSON in a
monospace font) and which canonical field each of its fields came from; what still stops the
submission; 保存草稿 and 提交 (when the submission service is installed)."""

from __future__ import annotations

import json
import xml.dom.minidom
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget,
)

from desktop.services.dto import CaseSummary, PayloadPreview
from ui.intake.common import IntakeContext, IntakeStep, hint_label, tinted, toned
from ui.widgets import ReadOnlyTable


def pretty(content_type: str, text: str) -> str:
    """Indent JSON and XML that came compact; anything else (or anything unparsable) as it is."""
    stripped = text.strip()
    try:
        if "json" in content_type or stripped.startswith(("{", "[")):
            return json.dumps(json.loads(stripped), ensure_ascii=False, indent=2)
        if "xml" in content_type or stripped.startswith("<"):
            if "\n" in stripped:
                return text  # already laid out by the adapter
            return xml.dom.minidom.parseString(stripped.encode("utf-8")).toprettyxml(indent="  ")
    except (ValueError, xml.parsers.expat.ExpatError):
        return text
    return text


def load_preview(service: Any, user: Any, case_id: int) -> tuple[list[PayloadPreview], list[str], CaseSummary]:
    """Worker-thread body: every department's payload, what still stops the submission, and the case as
    previewed (its version is what the submission expects: a change by someone else since is refused)."""
    previews = [replace(p, preview=pretty(p.content_type, p.preview)) for p in service.preview(user, case_id)]
    return previews, service.missing_for_submit(user, case_id), service.case_summary(user, case_id)


class PreviewStep(IntakeStep):
    number = 8
    sig_loaded = Signal()
    #: the submission returned (its result object)
    sig_submitted = Signal(object)

    def __init__(self, ctx: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("intakePreviewStep")
        self.previews: list[PayloadPreview] = []
        self.missing: list[str] = []
        #: the form step, whose unsaved input 保存草稿 keeps too (set by the page)
        self.form_step: Any = None
        self.missing_label = QLabel()
        self.missing_label.setObjectName("previewMissing")
        self.missing_label.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("previewTabs")
        self._built: set[int] = set()
        self.tabs.currentChanged.connect(self._build_tab)
        self.save_button = QPushButton(self.tr("Save &draft"))
        self.save_button.setObjectName("previewSaveDraft")
        self.save_button.clicked.connect(self.save_draft)
        self.submitting = False
        #: why 提交 is unavailable on this workstation ("" when it is)
        self.no_submit_reason = "" if ctx.session.submission is not None else self.tr(
            "Submitting is not installed on this workstation yet; the case stays a saved draft.")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        # 提交 is the page's own Ctrl+Enter button on this step
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.missing_label)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        layout.addWidget(hint_label(self.tr(
            "Ctrl+Tab / Ctrl+Shift+Tab switch departments. Each tab shows exactly what that department "
            "receives and which field of the one application each value came from. The draft survives a "
            "restart; Ctrl+Enter submits.")))

    def title(self) -> str:
        return self.tr("Preview and submit")

    def first_focus(self) -> QWidget | None:
        return self.tabs

    def enter(self, case: CaseSummary | None) -> None:
        super().enter(case)
        if case is None:
            return
        self.missing_label.setText(self.tr("Preparing every department's payload..."))
        (self.background(load_preview, self.ctx.service, self.ctx.user, case.id)
         .on_success(lambda result: self._show(*result))
         .on_failure(self.clerk_errors()))

    def _show(self, previews: list[PayloadPreview], missing: list[str], case: CaseSummary) -> None:
        self.previews, self.missing, self.case = previews, missing, case
        current = self.tabs.currentIndex()
        self._built: set[int] = set()
        self.tabs.blockSignals(True)
        self.tabs.clear()
        for preview in previews:
            page = QWidget()  # filled when first shown: one department's widgets at a time keeps the screen fluid
            page.setObjectName(f"preview_{preview.adapter_id}")
            QVBoxLayout(page)
            self.tabs.addTab(page, preview.department_name + (" ⚠" if preview.error_zh else ""))
        self.tabs.blockSignals(False)
        if previews:
            index = current if 0 <= current < len(previews) else 0
            self.tabs.setCurrentIndex(index)
            self._build_tab(index)
        if missing:
            self.missing_label.setText(tinted(self.tr("Before submitting: {reasons}").format(
                reasons="；".join(missing)), "error", bold=True))
        else:
            self.missing_label.setText(tinted(self.tr("Ready to submit to {count} departments.").format(
                count=len(previews)), "ok", bold=True))
        self.focus_first()
        self.sig_loaded.emit()

    def _build_tab(self, index: int) -> None:
        if index in self._built or not 0 <= index < len(self.previews):
            return
        self._built.add(index)
        preview, page = self.previews[index], self.tabs.widget(index)
        column = page.layout()
        if preview.error_zh:
            error = toned(QLabel(preview.error_zh), "error")
            error.setObjectName(f"previewError_{preview.adapter_id}")
            error.setWordWrap(True)
            column.addWidget(error)
            column.addStretch(1)
            return
        head = QLabel(self.tr("Items: {items}    Format: {type}").format(
            items="、".join(preview.item_codes), type=preview.content_type))
        payload = QPlainTextEdit(preview.preview)
        payload.setObjectName(f"previewPayload_{preview.adapter_id}")
        payload.setReadOnly(True)
        payload.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        payload.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        table = ReadOnlyTable([self.tr("Department field"), self.tr("Canonical field"), self.tr("Meaning")])
        table.setObjectName(f"previewSources_{preview.adapter_id}")
        table.set_rows([list(row) for row in preview.field_sources])
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(payload)
        splitter.addWidget(table)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        table.horizontalHeader().setStretchLastSection(True)
        column.addWidget(head)
        column.addWidget(splitter, 1)

    def build_all_tabs(self) -> None:
        """Every department's tab filled now (tests and screenshots look at all of them)."""
        for index in range(len(self.previews)):
            self._build_tab(index)

    def save_draft(self) -> None:
        if self.case is None:
            return
        if self.form_step is not None and self.form_step.case is not None:
            self.form_step.save()  # values typed but not yet saved on the form step
        self.info(self.tr("Draft saved: case {case_no}. Reading the citizen's card again brings it back here.")
                  .format(case_no=self.case.case_no))

    def advance(self) -> None:
        self.submit()

    def submit(self) -> None:
        submission = self.ctx.session.submission
        if self.case is None:
            return
        if submission is None:
            self.error(self.tr("Submitting is not installed on this workstation yet; the case is kept as a draft."))
            return
        if self.missing:
            self.error(self.tr("Cannot submit yet: {reasons}").format(reasons="；".join(self.missing)))
            return
        if self.submitting:
            return
        self.submitting = True
        self.info(self.tr("Submitting..."))
        case_id, version = self.case.id, self.case.version

        def submit() -> tuple[object, CaseSummary]:
            result = submission.submit(self.ctx.user, case_id, version)
            return result, self.ctx.service.case_summary(self.ctx.user, case_id)

        (self.background(submit)
         .on_success(lambda result: self._submitted(*result))
         .on_failure(self.clerk_errors())
         .on_finished(self._submit_finished))

    def _submit_finished(self) -> None:
        self.submitting = False

    def _submitted(self, result: object, case: CaseSummary) -> None:
        self.case = case
        self.sig_case.emit(case)
        self.info(self.tr("Submitted: case {case_no} goes to every department. Ctrl+N: next citizen.").format(
            case_no=case.case_no))
        self.sig_submitted.emit(result)

    def reset(self) -> None:
        super().reset()
        self.tabs.clear()
        self.missing_label.clear()
