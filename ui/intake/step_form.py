"""Step 7, 补充信息: only the fields nobody supplied, each asked once. Every field is checked as the
clerk leaves it (the field dictionary's own rules: phone, bank card, dates, addresses); Enter moves
to the next field, and Enter on the last one saves the form and goes on."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from desktop.services.dto import CaseSummary, FormField
from ui.intake.common import IntakeContext, IntakeStep, hint_label, toned

#: what people type into numbers without meaning anything (the service strips them the same way)
_COMPACT_TYPES = {"phone", "bank_card", "id_number"}


class ChoiceBox(QComboBox):
    """A drop-down where Enter moves on like in a line edit (the popup still opens with Alt+Down)."""

    returnPressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.returnPressed.emit()
            return
        super().keyPressEvent(event)


class FormStep(IntakeStep):
    number = 7
    sig_loaded = Signal()
    #: field -> error after a save (empty: saved cleanly)
    sig_saved = Signal(object)

    def __init__(self, ctx: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("intakeFormStep")
        self.fields: list[FormField] = []
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        self.errors: dict[str, QLabel] = {}
        self._loaded_for: int | None = None
        self._dirty = False
        self.summary = QLabel()
        self.summary.setObjectName("formSummary")
        self.summary.setWordWrap(True)
        self.holder = QWidget()
        self.form = QFormLayout(self.holder)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        layout.addWidget(hint_label(self.tr(
            "Only what no department and no card supplied. Enter goes to the next field; Enter on the last "
            "field (or Ctrl+Enter) saves and goes on. * marks a field that must be filled in.")))

    def title(self) -> str:
        return self.tr("Fill in")

    def first_focus(self) -> QWidget | None:
        for field in self.fields:
            if field.field in self.errors and self.errors[field.field].isVisible():
                return self.editors[field.field]
        return self.editors[self.fields[0].field] if self.fields else None

    def enter(self, case: CaseSummary | None) -> None:
        super().enter(case)
        self.load(self.ctx.service.form_fields, self._show)

    def _show(self, fields: list[FormField]) -> None:
        # Keep what the clerk typed but has not saved yet (coming back from another step).
        typed = self.values() if self._dirty and self._loaded_for == (self.case.id if self.case else None) else {}
        self.fields = fields
        self._loaded_for = self.case.id if self.case else None
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors.clear()
        self.errors.clear()
        for index, field in enumerate(fields):
            editor = self._editor(field, typed.get(field.field, field.value))
            editor.setObjectName(f"form_{field.field}")
            error = QLabel()
            error.setObjectName(f"formError_{field.field}")
            toned(error, "error")
            error.setVisible(False)
            hint = QLabel(field.format_hint)
            hint.setObjectName("intakeHint")
            hint.setWordWrap(True)
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(editor)
            if field.format_hint:
                column.addWidget(hint)
            column.addWidget(error)
            self.form.addRow(field.label + (" *" if field.required else ""), holder)
            self.editors[field.field] = editor
            self.errors[field.field] = error
        if fields:
            self.summary.setText(self.tr("{count} items to fill in.").format(count=len(fields)))
        else:
            self.summary.setText(self.tr("Nothing to fill in: the departments and the card supplied everything. "
                                         "Press Ctrl+Enter to go on."))
        self.focus_first()
        self.sig_loaded.emit()

    def _editor(self, field: FormField, value: str) -> QLineEdit | QComboBox:
        if field.choices:
            combo = ChoiceBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumWidth(260)
            combo.addItem(self.tr("(choose)"), "")
            for code, label in field.choices:
                combo.addItem(label, code)
            index = combo.findData(value)
            combo.setCurrentIndex(max(0, index))
            combo.currentIndexChanged.connect(lambda _i, f=field.field: self._changed(f))
            combo.returnPressed.connect(lambda f=field.field: self._enter(f))
            return combo
        edit = QLineEdit(value)
        edit.setPlaceholderText(field.format_hint)
        edit.textEdited.connect(lambda _t: self._mark_dirty())
        edit.editingFinished.connect(lambda f=field.field: self.check(f))
        edit.returnPressed.connect(lambda f=field.field: self._enter(f))
        return edit

    def _mark_dirty(self) -> None:
        self._dirty = True

    def _changed(self, field: str) -> None:
        self._dirty = True
        self.check(field)

    def _enter(self, field: str) -> None:
        names = [f.field for f in self.fields]
        index = names.index(field)
        if index + 1 < len(names):
            self.editors[names[index + 1]].setFocus()
        else:
            self.advance()

    def value_of(self, field: str) -> str:
        editor = self.editors[field]
        if isinstance(editor, QComboBox):
            return str(editor.currentData() or "")
        return editor.text().strip()

    def values(self) -> dict[str, str]:
        return {name: self.value_of(name) for name in self.editors}

    def check(self, field: str) -> str | None:
        """Inline check with the field dictionary (in memory); an empty optional field is fine."""
        definition = next((f for f in self.fields if f.field == field), None)
        if definition is None:
            return None
        text = self.value_of(field)
        if definition.type in _COMPACT_TYPES:
            text = text.replace(" ", "").replace("\u3000", "")
        problem = None
        if text:
            problem = self.ctx.app.fields.validate_value(field, text)
        elif definition.required:
            problem = self.tr("{label} is required").format(label=definition.label)
        self._show_error(field, problem)
        return problem

    def _show_error(self, field: str, problem: str | None) -> None:
        label = self.errors.get(field)
        if label is None:
            return
        label.setText(problem or "")
        label.setVisible(bool(problem))

    def advance(self) -> None:
        self.save(then_continue=True)

    def save(self, then_continue: bool = False) -> None:
        """Keep the typed values in the draft; go on only when every field is acceptable."""
        if self.case is None:
            return
        if not self.fields:
            self.sig_saved.emit({})
            if then_continue:
                self.sig_done.emit()
            return
        missing = [f.field for f in self.fields if f.required and not self.value_of(f.field)]
        (self.background(self.ctx.service.save_form, self.ctx.user, self.case.id, self.values())
         .on_success(lambda errors: self._saved(errors, missing, then_continue))
         .on_failure(self.clerk_errors()))

    def _saved(self, errors: dict[str, str], missing: list[str], then_continue: bool) -> None:
        self._dirty = False
        for field in self.editors:
            self._show_error(field, errors.get(field))
        for field in missing:
            if field not in errors:
                label = next(f.label for f in self.fields if f.field == field)
                errors = {**errors, field: self.tr("{label} is required").format(label=label)}
                self._show_error(field, errors[field])
        self.sig_saved.emit(errors)
        if errors:
            first = next(f.field for f in self.fields if f.field in errors)
            self.editors[first].setFocus()
            self.error(self.tr("Saved as draft. Please correct: {labels}").format(
                labels="、".join(f.label for f in self.fields if f.field in errors)))
            return
        self.info(self.tr("Form saved."))
        if then_continue:
            self.sig_done.emit()

    @property
    def loaded_case(self) -> int | None:
        """The case whose form is on screen (None before the first load)."""
        return self._loaded_for

    def reset(self) -> None:
        super().reset()
        self._dirty = False
        self._show([])
        self._loaded_for = None
        self.summary.clear()
