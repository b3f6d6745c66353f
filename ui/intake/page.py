"""The intake page (受理): the case banner, the eight steps with their shortcuts, and the message line.

Keyboard first: Alt+1..Alt+8 jump to a step, Ctrl+Enter finishes the current step and goes on,
Alt+Left goes back, Ctrl+N starts over for the next citizen. Every service call runs through the
window's TaskManager; this page only reacts to results.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from desktop.devices import IdentityDocument
from desktop.services.dto import CaseSummary
from ui.intake.common import IntakeContext, IntakeStep
from ui.intake.resume import Resume, resume_point
from ui.intake.step_card import CardStep
from ui.intake.step_consent import ConsentStep
from ui.intake.step_form import FormStep
from ui.intake.step_materials import MaterialsStep
from ui.intake.step_one_thing import OneThingStep
from ui.intake.step_preview import PreviewStep
from ui.intake.step_profile import ProfileStep
from ui.intake.step_pull import PullStep
from ui.widgets import MessageLine

log = logging.getLogger("onewindow.ui.intake")

PAGE_STYLE = """
#intakeBanner { background: #ffffff; border: 1px solid #d5dce3; border-radius: 6px; }
#intakeCase { font-size: 13pt; font-weight: bold; color: #1f4e8c; }
#intakeStepBar QPushButton { padding: 4px 6px; min-height: 40px; text-align: center; background: #eef1f4;
                             border: 1px solid #cbd2d9; }
#intakeStepBar QPushButton:checked { background: #1f5fa8; color: #ffffff; border-color: #1f5fa8; font-weight: bold; }
#intakeStepBar QPushButton:disabled { color: #9aa5b1; background: #f4f6f8; }
#intakeHint { color: #52606d; font-size: 10pt; }
#intakeSection { font-weight: bold; color: #1f4e8c; font-size: 13pt; }
#intakePanel { background: #ffffff; border: 1px solid #d5dce3; border-radius: 6px; }
#cardProblems { background: #fde8e7; color: #b42318; border: 2px solid #b42318; border-radius: 6px;
                padding: 8px; font-size: 13pt; }
#stepTitle { font-size: 15pt; font-weight: bold; color: #1f2933; }
QLabel[tone="error"] { color: #b42318; }
QLabel[tone="head"] { color: #52606d; font-weight: bold; }
QLabel[tone="strong"], QCheckBox[tone="strong"] { font-weight: bold; }
QFrame[tone="material"] { background: #ffffff; border: 1px solid #d5dce3; border-radius: 4px; }
QFrame[tone="conflict"] { background: #fff4e5; border: 1px solid #f0b429; border-radius: 4px; }
QFrame[tone="material"] QLabel, QFrame[tone="conflict"] QLabel { border: none; background: transparent; }
QCheckBox::indicator, QRadioButton::indicator { width: 14px; height: 14px; background: #ffffff;
                                                border: 1px solid #52606d; }
QCheckBox::indicator { border-radius: 3px; }
QCheckBox::indicator:checked { background: #1f5fa8; border-color: #1f5fa8; }
QCheckBox::indicator:disabled { background: #e4e7eb; border-color: #cbd2d9; }
QRadioButton::indicator { border-radius: 8px; }
QRadioButton::indicator:checked { border: 1px solid #1f5fa8; background: qradialgradient(cx:0.5, cy:0.5,
    radius:0.5, fx:0.5, fy:0.5, stop:0 #1f5fa8, stop:0.5 #1f5fa8, stop:0.6 #ffffff, stop:1 #ffffff); }
QCheckBox:focus, QRadioButton:focus { background: #dbe7f6; border-radius: 3px; }
"""


class IntakePage(QWidget):
    #: the step on screen changed (1..8)
    sig_step_changed = Signal(int)
    #: a case was opened or brought back (CaseSummary)
    sig_case_opened = Signal(object)

    def __init__(self, ctx: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakePage")
        self.setStyleSheet(PAGE_STYLE)
        self.ctx = ctx
        self.case: CaseSummary | None = None
        self.current = 1
        self._resume_after_card: int | None = None
        self._pending_doc: IdentityDocument | None = None

        self.card = CardStep(ctx)
        self.one_thing = OneThingStep(ctx)
        self.consent = ConsentStep(ctx)
        self.pull = PullStep(ctx)
        self.profile = ProfileStep(ctx)
        self.materials = MaterialsStep(ctx)
        self.form = FormStep(ctx)
        self.preview = PreviewStep(ctx)
        self.preview.form_step = self.form
        self.steps: list[IntakeStep] = [self.card, self.one_thing, self.consent, self.pull, self.profile,
                                        self.materials, self.form, self.preview]

        # -- banner ------------------------------------------------------------------------------------
        self.banner = QWidget()
        self.banner.setObjectName("intakeBanner")
        self.case_label = QLabel()
        self.case_label.setObjectName("intakeCase")
        self.case_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_citizen = QPushButton(self.tr("Next citizen (Ctrl+N)"))
        self.next_citizen.setObjectName("intakeNextCitizen")
        self.next_citizen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.next_citizen.clicked.connect(self.start_over)
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(12, 6, 12, 6)
        banner_row.addWidget(self.case_label, 1)
        banner_row.addWidget(self.next_citizen)

        # -- step bar ----------------------------------------------------------------------------------
        self.step_bar = QWidget()
        self.step_bar.setObjectName("intakeStepBar")
        bar = QHBoxLayout(self.step_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(4)
        self.step_buttons: list[QPushButton] = []
        for number, step in enumerate(self.steps, start=1):
            button = QPushButton(f"{number} {step.title()}\nAlt+{number}")
            button.setObjectName(f"stepButton_{number}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab stays inside the step; Alt+N jumps
            button.clicked.connect(lambda _checked, n=number: self.go(n))
            bar.addWidget(button, 1)
            self.step_buttons.append(button)

        # -- steps -------------------------------------------------------------------------------------
        self.step_title = QLabel()
        self.step_title.setObjectName("stepTitle")
        self.stack = QStackedWidget()
        self.stack.setObjectName("intakeSteps")
        for step in self.steps:
            self.stack.addWidget(step)
            step.sig_done.connect(self._step_done)
            step.sig_message.connect(self._message)
            step.sig_case.connect(self._case_changed)
        self.card.sig_document.connect(self._on_document)
        self.card.sig_case.disconnect(self._case_changed)
        self.card.sig_case.connect(lambda summary: self._case_opened(summary, problems=False))

        # -- bottom ------------------------------------------------------------------------------------
        self.message = MessageLine()
        self.back_button = QPushButton(self.tr("Back (Alt+Left)"))
        self.back_button.setObjectName("intakeBack")
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton(self.tr("Next (Ctrl+Enter)"))
        self.next_button.setObjectName("intakeNext")
        self.next_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.next_button.clicked.connect(self.advance)
        bottom = QHBoxLayout()
        bottom.addWidget(self.back_button)
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 10)
        layout.setSpacing(8)
        layout.addWidget(self.banner)
        layout.addWidget(self.step_bar)
        layout.addWidget(self.step_title)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bottom)

        self._shortcuts()
        self._show_case()
        self._show_step(1)
        self.card.start_reader()
        self._unprepared = [step for step in self.steps if step is not self.card]
        QTimer.singleShot(0, self, self._prepare_next_step)

    def _prepare_next_step(self) -> None:
        """While the clerk is at the card: resolve the style of the other steps (a style sheet is applied
        to each widget when first shown), one step per event-loop turn, so switching to a step later does
        not spend that time while the clerk waits (the pull starts exactly then)."""
        if self._unprepared:
            self._unprepared.pop(0).ensurePolished()
            QTimer.singleShot(0, self, self._prepare_next_step)

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for number in range(1, len(self.steps) + 1):
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self, context=context)
            shortcut.activated.connect(lambda n=number: self.go(n))
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, context=context).activated.connect(self.advance)
        QShortcut(QKeySequence("Alt+Left"), self, context=context).activated.connect(self.back)
        QShortcut(QKeySequence("Ctrl+N"), self, context=context).activated.connect(self.start_over)

    # -- navigation --------------------------------------------------------------------------------------
    def step(self, number: int) -> IntakeStep:
        return self.steps[number - 1]

    def allowed(self, number: int) -> str | None:
        """Why the clerk cannot open step ``number`` now (Chinese), or None."""
        if number > 1 and self.case is None:
            return self.tr("Read the citizen's ID card first (Alt+1).")
        if number > 2 and self.case is not None and not self.case.one_thing:
            return self.tr("Choose the one-thing first (Alt+2).")
        return None

    def go(self, number: int) -> bool:
        problem = self.allowed(number)
        if problem:
            self._message(problem, True)
            self.step_buttons[self.current - 1].setChecked(True)
            self.step_buttons[number - 1].setChecked(number == self.current)
            return False
        self.message.clear()
        self._show_step(number)
        self.step(number).enter(self.case)
        focus = self.step(number).first_focus()
        if focus is not None:
            focus.setFocus()
        return True

    def _show_step(self, number: int) -> None:
        self.current = number
        step = self.step(number)
        self.stack.setCurrentWidget(step)
        self.step_title.setText(self.tr("Step {number}: {title}").format(number=number, title=step.title()))
        for index, button in enumerate(self.step_buttons, start=1):
            button.setChecked(index == number)
            button.setEnabled(self.allowed(index) is None)
        self.back_button.setEnabled(number > 1)
        last = number == len(self.steps)
        self.next_button.setText(self.tr("Submit (Ctrl+Enter)") if last else self.tr("Next (Ctrl+Enter)"))
        no_submit = last and bool(self.preview.no_submit_reason)
        self.next_button.setEnabled(not no_submit)
        self.next_button.setToolTip(self.preview.no_submit_reason if no_submit else "")
        self.sig_step_changed.emit(number)

    def advance(self) -> None:
        if self.current == 1 and self._pending_doc is not None:
            self.open_document(self._pending_doc)
            return
        self.step(self.current).advance()

    def back(self) -> None:
        if self.current > 1:
            self.go(self.current - 1)

    def _step_done(self) -> None:
        sender = self.sender()
        if sender is not self.step(self.current):
            return  # a step finished work in the background after the clerk moved on
        if sender is self.card and self._resume_after_card is not None:
            target, self._resume_after_card = self._resume_after_card, None
            self.go(target)
        elif self.current < len(self.steps):
            self.go(self.current + 1)

    def _message(self, text: str, error: bool) -> None:
        if error:
            self.message.show_error(text)
        else:
            self.message.show_info(text)

    # -- the case ----------------------------------------------------------------------------------------
    def _show_case(self) -> None:
        case = self.case
        if case is None:
            self.case_label.setText(self.tr("No case open: lay the citizen's ID card on the reader."))
        else:
            parts = [case.case_no, f"{case.citizen_name} {case.citizen_id_masked}",
                     case.one_thing_name or self.tr("one-thing not chosen"), case.state_zh]
            self.case_label.setText("  ·  ".join(p for p in parts if p))
        for index, button in enumerate(self.step_buttons, start=1):
            button.setEnabled(self.allowed(index) is None)

    def _case_changed(self, summary: CaseSummary) -> None:
        self.case = summary
        for step in self.steps:
            if step.case is not None and step.case.id == summary.id:
                step.case = summary
        self._show_case()

    def _on_document(self, doc: IdentityDocument) -> None:
        if self.current != 1 and self.case is not None:
            # The clerk is in the middle of a case: never switch citizens under their hands.
            self._pending_doc = doc
            self._message(self.tr("A card was read ({name}). Press Alt+1, then Ctrl+Enter to open that "
                                  "citizen's case.").format(name=doc.name), True)
            return
        self.open_document(doc)

    def open_document(self, doc: IdentityDocument) -> None:
        self._pending_doc = None
        self._message(self.tr("Opening the citizen's case..."), False)
        (self.ctx.tasks.run_in_background(self.ctx.service.open_case_for_document, self.ctx.user, doc)
         .on_success(lambda summary: self._case_opened(summary, problems=bool(doc.problems)))
         .on_failure(self.ctx.tasks.clerk_errors(lambda text: self._message(text, True))))

    def _case_opened(self, summary: CaseSummary, *, problems: bool) -> None:
        if self.case is None or self.case.id != summary.id:
            for step in self.steps[1:]:
                step.reset()
        self.case = summary
        self.card.case = summary
        self._show_case()
        self.sig_case_opened.emit(summary)
        (self.ctx.tasks.run_in_background(resume_point, self.ctx.service, self.ctx.user, summary)
         .on_success(lambda point: self._resume(summary, point, problems))
         .on_failure(self.ctx.tasks.clerk_errors(lambda text: self._message(text, True))))

    def _resume(self, summary: CaseSummary, point: Resume, problems: bool) -> None:
        if self.case is None or self.case.id != summary.id:
            return
        if point.pulled:
            self.pull.mark_pulled_before(summary)
        if summary.state != "draft":
            self._message(self.tr("This case is already {state}; it can be viewed, not changed here.").format(
                state=summary.state_zh), True)
        if problems:
            # The card has something wrong with it: the clerk reads the warning and decides.
            self._resume_after_card = point.step
            self.go(1)
            self.card.show_problems_pending(True)
            self._message(self.tr("Check the card warning above, then press Ctrl+Enter to continue."), True)
            return
        self.go(point.step)
        if point.step > 2:
            self._message(self.tr("Draft {case_no} brought back at step {step}.").format(
                case_no=summary.case_no, step=point.step), False)

    def start_over(self) -> None:
        """Ready for the next citizen: forget the case on screen (the draft stays in the database)."""
        self.case = None
        self._resume_after_card = None
        for step in self.steps:
            step.reset()
        self._show_case()
        self.go(1)
        if self._pending_doc is not None:
            self.open_document(self._pending_doc)
