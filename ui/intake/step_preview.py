"""Step 8, 预览提交: a tab per department with exactly what its adapter will send (pretty XML/JSON in a
monospace font) and which canonical field each of its fields came from; what still stops the
submission; 保存草稿 and 提交 (when the submission service is installed)."""

from __future__ import annotations

import json
import xml.dom.minidom
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desktop.services.dto import CaseSummary, PayloadPreview
from ui.intake.common import IntakeContext, IntakeStep, hint_label, tinted
from ui.intake.preview_tab import DepartmentTab


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
        # the tab of each department, built with the step (see DepartmentTab); filled when first shown
        self.department_tabs: dict[str, DepartmentTab] = {}
        for adapter_id in ctx.session.department_names():
            self._tab_for(adapter_id)
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
        self._built = set()
        self.tabs.blockSignals(True)
        wanted = [self._tab_for(p.adapter_id) for p in previews]
        if [self.tabs.widget(i) for i in range(self.tabs.count())] != wanted:
            while self.tabs.count():
                self.tabs.removeTab(0)  # the pages stay, for the next preview
            for page in wanted:
                self.tabs.addTab(page, "")
        for index, preview in enumerate(previews):
            self.tabs.setTabText(index, preview.department_name + (" ⚠" if preview.error_zh else ""))
        if previews:
            index = current if 0 <= current < len(previews) else 0
            self._build_tab(index)  # filled before it shows
            self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        if missing:
            self.missing_label.setText(tinted(self.tr("Before submitting: {reasons}").format(
                reasons="；".join(missing)), "error", bold=True))
        else:
            self.missing_label.setText(tinted(self.tr("Ready to submit to {count} departments.").format(
                count=len(previews)), "ok", bold=True))
        self.focus_first()
        self.sig_loaded.emit()

    def _tab_for(self, adapter_id: str) -> DepartmentTab:
        tab = self.department_tabs.get(adapter_id)
        if tab is None:  # built with the step; here too for a back-end enabled after the window was built
            tab = self.department_tabs[adapter_id] = DepartmentTab(adapter_id)
            # Parented inside the tab widget now, while nothing is polished: moving a styled page there
            # later re-polishes every widget in it (the slowest part of showing a preview).
            self.tabs.removeTab(self.tabs.addTab(tab, ""))
        return tab

    def _build_tab(self, index: int) -> None:
        if index in self._built or not 0 <= index < len(self.previews):
            return
        self._built.add(index)
        preview = self.previews[index]
        self._tab_for(preview.adapter_id).fill(preview)

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
        self.previews = []
        self.tabs.clear()  # removes the tabs; the department pages stay for the next case
        self.missing_label.clear()
