"""Step 5, 信息核对: the citizen's one profile. Each field shows its value, the department it came
from, when, and whether it is verified or typed at the counter. Where departments disagree, their
values stand side by side with a choice per source; the pick is recorded by the service, and the
clerk cannot go on while any disagreement is open."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QFrame, QGridLayout, QLabel, QRadioButton, QScrollArea, QVBoxLayout, QWidget,
)

from desktop.services.dto import CaseSummary, ProfileField
from ui.intake.common import IntakeContext, IntakeStep, clear_layout, hint_label, local_datetime, tinted, toned


class ProfileStep(IntakeStep):
    number = 5
    #: the profile is on screen (after loading or reloading)
    sig_loaded = Signal()
    #: a pick was recorded: field
    sig_chosen = Signal(str)

    def __init__(self, ctx: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("intakeProfileStep")
        self.fields: list[ProfileField] = []
        self.choices: dict[str, dict[str, QRadioButton]] = {}
        self._groups: list[QButtonGroup] = []
        self.summary = QLabel()
        self.summary.setObjectName("profileSummary")
        self.summary.setWordWrap(True)
        self.holder = QWidget()
        self.holder.setObjectName("profileHolder")
        self.grid = QGridLayout(self.holder)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(6)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(hint_label(self.tr(
            "Where departments disagree (orange), Tab to the values and press Space or an arrow key to take "
            "one; the choice is recorded. Ctrl+Enter goes on once nothing is left open.")))

    def title(self) -> str:
        return self.tr("Check profile")

    def first_focus(self) -> QWidget | None:
        for field in self.fields:
            if field.conflict and field.field in self.choices:
                return next(iter(self.choices[field.field].values()))
        return self.scroll

    def enter(self, case: CaseSummary | None) -> None:
        super().enter(case)
        self.reload()

    def reload(self) -> None:
        self.load(self.ctx.service.profile, self._show)

    def open_conflicts(self) -> list[ProfileField]:
        return [f for f in self.fields if f.conflict and f.chosen_source is None]

    def _show(self, fields: list[ProfileField]) -> None:
        self.fields = fields
        clear_layout(self.grid)
        self.choices.clear()
        self._groups = []
        headers = (self.tr("Item"), self.tr("Value"), self.tr("Source"), self.tr("Time"), self.tr("Check"))
        for column, text in enumerate(headers):
            label = QLabel(text)
            toned(label, "head")
            self.grid.addWidget(label, 0, column)
        row = 1
        for field in fields:
            row = self._add_conflict(field, row) if field.conflict else self._add_plain(field, row)
        self.grid.setColumnStretch(1, 1)
        self.grid.setRowStretch(row, 1)
        self._summarise()
        self.focus_first()
        self.sig_loaded.emit()

    def _add_plain(self, field: ProfileField, row: int) -> int:
        chosen = next((v for v in field.values if v.source == field.chosen_source), field.values[0])
        short = self._short_names()
        sources = "、".join(dict.fromkeys(short.get(v.source, v.source_name) for v in field.values))
        verified = any(v.verified for v in field.values)
        check = self.tr("verified") if verified else self.tr("typed at counter")
        cells = (field.label, chosen.display, sources, local_datetime(chosen.fetched_at), check)
        for column, text in enumerate(cells):
            label = QLabel(text)
            label.setWordWrap(column == 1)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if column == 4:
                label.setText(tinted(text, "ok" if verified else "warn"))
            self.grid.addWidget(label, row, column)
        return row + 1

    def _short_names(self) -> dict[str, str]:
        """Short source names for the agreed rows, where every department may be listed."""
        names = self.ctx.session.department_names(short=True)
        names.update({"id_card": self.tr("ID card"), "clerk": self.tr("counter")})
        return names

    def _add_conflict(self, field: ProfileField, row: int) -> int:
        frame = QFrame()
        frame.setObjectName(f"conflict_{field.field}")
        toned(frame, "conflict")
        inner = QGridLayout(frame)
        inner.setContentsMargins(8, 6, 8, 6)
        state = QLabel()
        state.setObjectName(f"conflictState_{field.field}")
        title = QLabel(field.label)
        toned(title, "strong")
        inner.addWidget(title, 0, 0)
        inner.addWidget(state, 0, 1, 1, 3)
        group = QButtonGroup(frame)
        buttons: dict[str, QRadioButton] = {}
        for index, value in enumerate(field.values, start=1):
            button = QRadioButton(f"{value.display}")
            button.setObjectName(f"choice_{field.field}_{value.source}")
            button.setChecked(value.source == field.chosen_source)
            group.addButton(button)
            buttons[value.source] = button
            source = QLabel(value.source_name)
            when = QLabel(local_datetime(value.fetched_at))
            check = QLabel(self.tr("verified") if value.verified else self.tr("typed at counter"))
            inner.addWidget(button, index, 0, 1, 2)
            inner.addWidget(source, index, 2)
            inner.addWidget(when, index, 3)
            inner.addWidget(check, index, 4)
            button.toggled.connect(lambda on, f=field.field, s=value.source: on and self.choose(f, s))
        inner.setColumnStretch(1, 1)
        self._groups.append(group)
        self.choices[field.field] = buttons
        self._state_text(field, state)
        self.grid.addWidget(frame, row, 0, 1, 5)
        return row + 1

    def _state_text(self, field: ProfileField, state: QLabel) -> None:
        if field.chosen_source is None:
            state.setText(tinted(self.tr("Departments disagree: choose one"), "error", bold=True))
        else:
            name = next(v.source_name for v in field.values if v.source == field.chosen_source)
            state.setText(tinted(self.tr("Taken from {source}").format(source=name), "ok", bold=True))

    def choose(self, field: str, source: str) -> None:
        current = next((f for f in self.fields if f.field == field), None)
        if self.case is None or current is None or current.chosen_source == source:
            return
        (self.background(self.ctx.service.choose_value, self.ctx.user, self.case.id, field, source)
         .on_success(self._chosen)
         .on_failure(self.clerk_errors()))

    def _chosen(self, updated: ProfileField) -> None:
        self.fields = [updated if f.field == updated.field else f for f in self.fields]
        state = self.holder.findChild(QLabel, f"conflictState_{updated.field}")
        if state is not None:
            self._state_text(updated, state)
        self._summarise()
        self.sig_chosen.emit(updated.field)

    def _summarise(self) -> None:
        open_ = self.open_conflicts()
        conflicts = sum(1 for f in self.fields if f.conflict)
        if open_:
            self.summary.setText(tinted(self.tr("{count} items, {open} disagreements still to decide: {labels}").format(
                count=len(self.fields), open=len(open_), labels="、".join(f.label for f in open_)), "error", bold=True))
        else:
            self.summary.setText(tinted(self.tr("{count} items; {conflicts} disagreements, all decided.").format(
                count=len(self.fields), conflicts=conflicts), "ok"))

    def advance(self) -> None:
        open_ = self.open_conflicts()
        if open_:
            self.error(self.tr("Decide first which value to take for: {labels}").format(
                labels="、".join(f.label for f in open_)))
            buttons = self.choices.get(open_[0].field)
            if buttons:
                next(iter(buttons.values())).setFocus()
            return
        self.sig_done.emit()

    def reset(self) -> None:
        super().reset()
        self._show([])
