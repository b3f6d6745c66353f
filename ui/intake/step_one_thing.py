"""Step 2, 选择一件事: search the catalog (Chinese, pinyin initials such as "tx" for 退休) and see
which items of which departments the one-thing bundles before choosing it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QLabel, QLineEdit, QListWidget, QListWidgetItem, QScrollArea, QSplitter, QVBoxLayout, QWidget,
)

from desktop.services.dto import CaseSummary
from ui.intake.common import IntakeContext, IntakeStep, hint_label

_CODE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class OneThingChoice:
    code: str
    name: str
    description: str
    #: (item name, department name) of every bundled item
    items: tuple[tuple[str, str], ...]


def search_one_things(app: Any, service: Any, query: str) -> list[OneThingChoice]:
    """Worker-thread body: the matches with what each bundles."""
    found = []
    for code, name, description in service.list_one_things(query):
        items = []
        for item in app.catalog.items_of(code):
            department = app.fields.departments.get(item.department)
            items.append((item.name, department.name if department else item.department))
        found.append(OneThingChoice(code, name, description, tuple(items)))
    return found


class _SearchBox(QLineEdit):
    """Up/Down move through the results while the cursor stays in the search box."""

    def __init__(self, results: QListWidget) -> None:
        super().__init__()
        self._results = results

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self._results.count():
            row = self._results.currentRow() + (1 if event.key() == Qt.Key.Key_Down else -1)
            self._results.setCurrentRow(max(0, min(self._results.count() - 1, row)))
            return
        super().keyPressEvent(event)


class OneThingStep(IntakeStep):
    number = 2

    def __init__(self, ctx: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("intakeOneThingStep")
        self._choices: list[OneThingChoice] = []
        self._query_seq = 0
        self.results = QListWidget()
        self.results.setObjectName("oneThingResults")
        self.search = _SearchBox(self.results)
        self.search.setObjectName("oneThingSearch")
        self.search.setPlaceholderText(self.tr("Search: Chinese or pinyin initials, e.g. tx for retirement"))
        self.search.textChanged.connect(self.run_search)
        self.search.returnPressed.connect(self.advance)
        self.results.currentRowChanged.connect(self._show_detail)
        self.results.itemActivated.connect(lambda _item: self.advance())
        self.detail = QLabel()
        self.detail.setObjectName("oneThingDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.chosen = QLabel()
        self.chosen.setObjectName("oneThingChosen")

        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.search)
        left_column.addWidget(self.results, 1)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setWidget(self.detail)
        detail_scroll.setMinimumWidth(360)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(detail_scroll)
        splitter.setSizes([2000, 3000])  # proportions: the bundle's details get the larger half
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chosen)
        layout.addWidget(splitter, 1)
        layout.addWidget(hint_label(self.tr(
            "Type to search, Up/Down to pick, Enter to choose. The panel on the right lists the items "
            "and departments the one-thing bundles.")))

    def title(self) -> str:
        return self.tr("Choose one-thing")

    def first_focus(self) -> QWidget | None:
        return self.search

    def enter(self, case: CaseSummary | None) -> None:
        super().enter(case)
        self.chosen.setText(self.tr("Chosen: {name}").format(name=case.one_thing_name)
                            if case is not None and case.one_thing else "")
        if not self._choices:
            self.run_search(self.search.text())

    def run_search(self, text: str) -> None:
        self._query_seq += 1
        seq = self._query_seq
        (self.background(search_one_things, self.ctx.app, self.ctx.service, text)
         .on_success(lambda found: self._show(seq, found))
         .on_failure(self.clerk_errors()))

    def _show(self, seq: int, found: list[OneThingChoice]) -> None:
        if seq != self._query_seq:
            return  # an older query answered after a newer one
        self._choices = found
        self.results.clear()
        current = self.case.one_thing if self.case is not None else None
        for choice in found:
            item = QListWidgetItem(f"{choice.name}    {choice.code}")
            item.setData(_CODE, choice.code)
            self.results.addItem(item)
        if found:
            codes = [c.code for c in found]
            self.results.setCurrentRow(codes.index(current) if current in codes else 0)
        else:
            self.detail.setText(self.tr("Nothing matches. Try other words or pinyin initials."))

    def _show_detail(self, row: int) -> None:
        if not 0 <= row < len(self._choices):
            return
        choice = self._choices[row]
        items = "".join(f"<li>{name}<span style='color:#52606d'>（{dept}）</span></li>" for name, dept in choice.items)
        departments = "、".join(dict.fromkeys(d for _, d in choice.items))
        bundled, involved = self.tr("Bundled items:"), self.tr("Departments:")
        self.detail.setText(
            f"<h3 style='color:#1f4e8c'>{choice.name}</h3><p>{choice.description}</p>"
            f"<p><b>{bundled}</b></p><ul>{items}</ul><p><b>{involved}</b> {departments}</p>")

    def selected_code(self) -> str | None:
        item = self.results.currentItem()
        return str(item.data(_CODE)) if item is not None else None

    def advance(self) -> None:
        code = self.selected_code()
        if self.case is None:
            self.error(self.tr("Read a card first (Alt+1)."))
            return
        if code is None:
            self.error(self.tr("Choose a one-thing from the list."))
            return
        (self.background(self.ctx.service.choose_one_thing, self.ctx.user, self.case.id, code)
         .on_success(self._chosen)
         .on_failure(self.clerk_errors()))

    def _chosen(self, summary: CaseSummary) -> None:
        self.case = summary
        self.sig_case.emit(summary)
        self.info(self.tr("One-thing chosen: {name}").format(name=summary.one_thing_name))
        self.sig_done.emit()

    def reset(self) -> None:
        super().reset()
        self.search.clear()
