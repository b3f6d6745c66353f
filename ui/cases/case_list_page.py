"""我的办件 (a clerk's own cases) and 全部办件 (a supervisor's view of every counter, with reassigning):
one row per case with each department branch's state in its own column."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.services.dto import CaseSummary
from ui.cases.dialogs import ReassignDialog
from ui.cases.labels import CASE_STATES, branch_state_zh, case_state_zh
from ui.cases.opener import case_opener
from ui.pages import PageContext
from ui.widgets import MessageLine, ReadOnlyTable, page_title

LIST_LIMIT = 500


def load_list(service: Any, user: Any, *, all_counters: bool, state: str | None, text: str) -> dict[str, Any]:
    """Background task: the rows, the department column titles, and (for a supervisor) the 最多跑一次 rate."""
    cases = service.list_cases(user, mine_only=not all_counters, state=state, text=text, limit=LIST_LIMIT)
    return {"cases": cases, "departments": service.department_names(short=True),
            "rate": service.one_visit_rate(user) if all_counters else None}


class CaseListPage(QWidget):
    def __init__(self, ctx: PageContext, *, all_counters: bool) -> None:
        super().__init__()
        self.setObjectName("allCasesPage" if all_counters else "myCasesPage")
        self.ctx, self.all_counters = ctx, all_counters
        self.opener = case_opener(ctx)
        self.service = self.opener.service
        self.cases: list[CaseSummary] = []
        self.department_ids: list[str] = []
        self.loaded = False

        self.search = QLineEdit()
        self.search.setObjectName("caseSearch")
        self.search.setPlaceholderText(self.tr("Case number, name or ID number"))
        self.state = QComboBox()
        self.state.setObjectName("caseStateFilter")
        self.state.addItem(self.tr("All states"), None)
        for state in CASE_STATES:
            self.state.addItem(case_state_zh(state), state)
        self.search_button = QPushButton(self.tr("Search"))
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.setObjectName("openCaseButton")
        self.reassign_button = QPushButton(self.tr("Reassign..."))
        self.reassign_button.setObjectName("reassignButton")
        self.reassign_button.setVisible(all_counters)
        self.rate_label = QLabel()
        self.rate_label.setObjectName("oneVisitRate")
        self.rate_label.setVisible(all_counters)
        self.message = MessageLine()
        self.table = ReadOnlyTable([])
        self.table.setObjectName("caseTable")

        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.state)
        bar.addWidget(self.search_button)
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.reassign_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(page_title(self.tr("All cases") if all_counters else self.tr("My cases")))
        layout.addLayout(bar)
        layout.addWidget(self.rate_label)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

        self.search_button.clicked.connect(self.refresh)
        self.search.returnPressed.connect(self.refresh)
        self.state.currentIndexChanged.connect(self.refresh)
        self.open_button.clicked.connect(self.open_selected)
        self.reassign_button.clicked.connect(self.reassign)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        # What an action in a detail window changed shows here too.
        self.opener.sig_case_loaded.connect(self._case_changed)
        self.refresh()

    # -- loading ----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.search_button.setEnabled(False)
        (self.ctx.tasks.run_in_background(load_list, self.service, self.ctx.user, all_counters=self.all_counters,
                                          state=self.state.currentData(), text=self.search.text())
         .on_success(self._show)
         .on_failure(self.ctx.tasks.clerk_errors(self.message.show_error))
         .on_finished(lambda: self.search_button.setEnabled(True)))

    def _show(self, result: dict[str, Any]) -> None:
        self.cases = list(result["cases"])
        names: dict[str, str] = result["departments"]
        # A column per department that any listed case was sent to, so drafts add no empty columns.
        seen = {adapter_id for case in self.cases for adapter_id, _ in case.branches}
        for adapter_id in seen - set(names):  # an adapter since uninstalled still names its old branches
            names[adapter_id] = self.service.department_name(adapter_id, short=True)
        self.department_ids = sorted(seen, key=lambda a: names.get(a, a))
        headers = [self.tr("Case number"), self.tr("Applicant"), self.tr("ID number"), self.tr("One-thing"),
                   self.tr("State"), *(names.get(a, a) for a in self.department_ids), self.tr("Due date"),
                   self.tr("Visits")]
        if self.all_counters:
            headers += [self.tr("Clerk"), self.tr("Counter")]
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.set_rows([self._row(case) for case in self.cases])
        rate = result.get("rate")
        if rate is not None:
            self.rate_label.setText(self.tr("At most one visit (最多跑一次): {one} of {done} completed cases ({pct})")
                                    .format(one=rate.done_in_one_visit, done=rate.cases_done,
                                            pct=f"{rate.rate:.0%}" if rate.cases_done else "—"))
        self.message.show_info(self.tr("{count} case(s)").format(count=len(self.cases)))
        self.loaded = True

    def _row(self, case: CaseSummary) -> list[str]:
        states: dict[str, list[str]] = {}
        for adapter_id, state in case.branches:
            states.setdefault(adapter_id, []).append(branch_state_zh(state))
        row = [case.case_no, case.citizen_name, case.citizen_id_masked, case.one_thing_name, case.state_zh,
               *("、".join(states.get(a, [])) or "—" for a in self.department_ids),
               case.due_date.isoformat() if case.due_date else "", str(case.visits)]
        if self.all_counters:
            row += [case.assignee, case.counter]
        return row

    def _case_changed(self, detail: Any) -> None:
        if any(c.id == detail.summary.id and (c.version != detail.summary.version or c.state != detail.summary.state)
               for c in self.cases):
            self.refresh()

    # -- actions ------------------------------------------------------------------------------------------
    def selected_case(self) -> CaseSummary | None:
        row = self.table.selected_row()
        return self.cases[row] if row is not None and row < len(self.cases) else None

    def select_case(self, case_no: str) -> None:
        self.table.selectRow([c.case_no for c in self.cases].index(case_no))

    def open_selected(self) -> Any:
        case = self.selected_case()
        if case is None:
            self.message.show_error(self.tr("Select a case first."))
            return None
        return self.opener.open_case(case.id)

    def reassign(self) -> ReassignDialog | None:
        case = self.selected_case()
        if case is None:
            self.message.show_error(self.tr("Select a case first."))
            return None
        dialog = ReassignDialog(self.service, self.ctx.app.accounts, self.ctx.user, case, self.ctx.tasks, self)
        dialog.sig_done.connect(self._reassigned)
        dialog.finished.connect(lambda _r: self._refresh_after_refusal(dialog))
        dialog.open()
        return dialog

    def _reassigned(self, summary: CaseSummary) -> None:
        self.message.show_info(self.tr("Case {case_no} is now with {assignee}.")
                               .format(case_no=summary.case_no, assignee=summary.assignee))
        self.refresh()

    def _refresh_after_refusal(self, dialog: ReassignDialog) -> None:
        # A stale version means the list is out of date: show the current one.
        if dialog.message.text():
            self.refresh()
