"""Step 4, 数据调取: every consented department is asked at once (by the service, in its own workers);
each department's row changes as its answer arrives. A slow or failed department holds up nobody:
its row says why and has its own retry.

The service calls ``on_status`` from its worker threads; a queued signal brings each status here.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.services.dto import CaseSummary, PullStatus
from ui.intake.common import IntakeContext, IntakeStep, hint_label, tinted, toned


class _StatusRelay(QObject):
    """Carries PullStatus objects from the service's worker threads to the GUI thread. Statuses that
    arrive together are shown together: one queued call, and only each department's latest state."""

    sig_ready = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._waiting: dict[str, PullStatus] = {}

    def __call__(self, status: PullStatus) -> None:
        with self._lock:
            first = not self._waiting
            self._waiting[status.adapter_id] = status
        if first:
            self.sig_ready.emit()

    def drain(self) -> list[PullStatus]:
        with self._lock:
            statuses = list(self._waiting.values())
            self._waiting.clear()
        return statuses


_SPINNER = "◐◓◑◒"
_SPIN_MS = 150


class PullRow:
    """One department's line. Nothing in it is shown or hidden while the pull runs: showing a widget in a
    visible window lays out the whole window at once (every step page, every wrapped label), which is
    what made the screen stutter as the answers arrived. The spinner is a fixed-size label that is
    empty when idle, so turning it never even asks for a new layout."""

    def __init__(self, step: PullStep, adapter_id: str, name: str) -> None:
        self.adapter_id = adapter_id
        self.name = QLabel(name)
        self.name.setObjectName(f"pullName_{adapter_id}")
        self.state = QLabel()
        self.state.setObjectName(f"pullState_{adapter_id}")
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.RichText)  # always coloured: its text document exists once
        self.busy = QLabel()
        self.busy.setObjectName(f"pullBusy_{adapter_id}")
        self.busy.ensurePolished()
        self.busy.setFixedSize(28, self.busy.fontMetrics().height())
        self.retry = QPushButton(QCoreApplication.translate("PullStep", "Retry"))
        self.retry.setObjectName(f"pullRetry_{adapter_id}")
        self.retry.clicked.connect(lambda: step.retry(adapter_id))
        self.retry.setEnabled(False)
        self.status: PullStatus | None = None
        self.clear()

    @property
    def working(self) -> bool:
        """The department is being asked (its spinner turns)."""
        return self.status is not None and self.status.state in ("pending", "running")

    def clear(self) -> None:
        """Back to "not asked" (another citizen's case)."""
        self.status = None
        self.state.setText(tinted(QCoreApplication.translate("PullStep", "Not asked yet"), "muted"))
        self.state.setToolTip("")
        self.busy.clear()
        self.retry.setEnabled(False)


class PullStep(IntakeStep):
    number = 4
    #: one department's status reached the screen (tests and the benchmark wait on it)
    sig_status_shown = Signal(object)
    #: the whole pull (or a retry) returned
    sig_pull_finished = Signal()

    def __init__(self, ctx: IntakeContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("intakePullStep")
        self.rows: dict[str, PullRow] = {}
        self.running = 0
        self._pulled_case: int | None = None
        self._relay = _StatusRelay(self)
        self._relay.sig_ready.connect(lambda: [self.show_status(s) for s in self._relay.drain()])
        self._spin = 0
        self._spinner = QTimer(self)
        self._spinner.setInterval(_SPIN_MS)
        self._spinner.timeout.connect(self._turn)
        self.grid_holder = QWidget()
        self.grid = QGridLayout(self.grid_holder)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(18)
        self.grid.setVerticalSpacing(10)
        for column, text in enumerate((self.tr("Department"), self.tr("State"), "", "")):
            header = QLabel(text)
            toned(header, "head")
            self.grid.addWidget(header, 0, column)
        self.grid.setColumnStretch(1, 1)
        self.summary = QLabel()
        self.summary.setObjectName("pullSummary")
        self.summary.setWordWrap(True)
        self.pull_all = QPushButton(self.tr("&Re-pull all"))
        self.pull_all.setObjectName("pullAll")
        self.pull_all.clicked.connect(self.start_pull)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pull_all)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.grid_holder)
        layout.addLayout(buttons)
        layout.addStretch(1)
        # One row per department from the start: building widgets while the answers pour in would
        # make the screen stutter exactly when the clerk watches it.
        lookups = {r.id for r in ctx.app.registry.enabled() if r.manifest and "lookup" in r.manifest.capabilities}
        for adapter_id, name in ctx.session.department_names().items():
            if adapter_id in lookups:
                self._row(adapter_id, name)
        layout.addWidget(hint_label(self.tr(
            "All departments are asked at once; each row shows its own result as it arrives. You may go on "
            "(Ctrl+Enter) while a slow department is still answering; Tab reaches each Retry button.")))

    def title(self) -> str:
        return self.tr("Pull data")

    def first_focus(self) -> QWidget | None:
        failed = [r.retry for r in self.rows.values() if r.retry.isEnabled()]
        return failed[0] if failed else self.pull_all

    def enter(self, case: CaseSummary | None) -> None:
        super().enter(case)
        if case is not None and self._pulled_case != case.id:
            self.start_pull()

    def _row(self, adapter_id: str, name: str) -> PullRow:
        row = self.rows.get(adapter_id)
        if row is None:
            row = PullRow(self, adapter_id, name)
            index = len(self.rows) + 1
            self.grid.addWidget(row.name, index, 0)
            self.grid.addWidget(row.state, index, 1)
            self.grid.addWidget(row.busy, index, 2)
            self.grid.addWidget(row.retry, index, 3)
            self.rows[adapter_id] = row
        return row

    def show_status(self, status: PullStatus) -> None:
        row = self._row(status.adapter_id, status.department_name)
        row.status = status
        texts = {
            "pending": self.tr("Waiting"),
            "running": self.tr("Asking the department..."),
            "done": self.tr("Done: {count} items").format(count=status.field_count),
            "failed": self.tr("Failed: {reason}").format(reason=status.message_zh or status.detail),
            "refused": self.tr("Not asked: {reason}").format(reason=status.message_zh),
        }
        text = texts.get(status.state, status.state)
        if status.state == "done" and status.message_zh:
            text += f"（{status.message_zh}）"
        if status.state in ("done", "failed") and status.elapsed_ms:
            text += self.tr(" in {seconds} s").format(seconds=f"{status.elapsed_ms / 1000:.1f}")
        tone = {"done": "ok", "failed": "error", "refused": "error"}.get(status.state, "muted")
        row.state.setText(tinted(text, tone))
        if row.state.toolTip() != status.detail:
            row.state.setToolTip(status.detail)
        row.busy.setText(_SPINNER[self._spin] if row.working else "")
        busy = any(r.working for r in self.rows.values())
        if busy and not self._spinner.isActive():
            self._spinner.start()
        elif not busy:
            self._spinner.stop()
        row.retry.setEnabled(status.state in ("failed", "refused"))
        self._summarise()
        self.sig_status_shown.emit(status)

    def _turn(self) -> None:
        self._spin = (self._spin + 1) % len(_SPINNER)
        for row in self.rows.values():
            if row.working:
                row.busy.setText(_SPINNER[self._spin])

    def _summarise(self) -> None:
        states = [r.status.state for r in self.rows.values() if r.status is not None]
        if not states:
            self.summary.clear()
            return
        done, failed = states.count("done"), states.count("failed") + states.count("refused")
        waiting = len(states) - done - failed
        self.summary.setText(self.tr("{done} done, {waiting} still answering, {failed} failed").format(
            done=done, waiting=waiting, failed=failed))

    def start_pull(self) -> None:
        if self.case is None:
            return
        self._pulled_case = self.case.id
        for row in self.rows.values():
            row.retry.setEnabled(False)
        self.running += 1
        self.pull_all.setEnabled(False)
        self.info(self.tr("Asking every authorised department at once..."))
        (self.background(self.ctx.service.pull, self.ctx.user, self.case.id, self._relay)
         .on_success(self._finished)
         .on_failure(self._refused)
         .on_finished(self._pull_done))

    def retry(self, adapter_id: str) -> None:
        if self.case is None:
            return
        self.rows[adapter_id].retry.setEnabled(False)
        self.running += 1
        (self.background(self.ctx.service.pull_one, self.ctx.user, self.case.id, adapter_id, self._relay)
         .on_success(lambda status: self._finished([status]))
         .on_failure(self._refused)
         .on_finished(self._pull_done))

    def _finished(self, statuses: list[PullStatus]) -> None:
        for status in statuses:
            self.show_status(status)  # the final word, in case a queued update is still on its way
        failed = [s.department_name for s in statuses if s.state in ("failed", "refused")]
        if failed:
            self.error(self.tr("Not answered: {names}. Retry them, or go on and take paper copies.").format(
                names="、".join(failed)))
        else:
            self.info(self.tr("Every department answered."))

    def _refused(self, exc: BaseException) -> None:
        names = self.ctx.session.department_names()
        message = str(getattr(exc, "message_zh", ""))
        for adapter_id in getattr(exc, "adapter_ids", ()) or ():
            self.show_status(PullStatus(adapter_id, names.get(adapter_id, adapter_id), "refused",
                                        message_zh=message))
        self.summary.setText(str(getattr(exc, "message_zh", "")))
        self._pulled_case = None  # after the consent is recorded, arriving here pulls again
        self.clerk_errors()(exc)

    def _pull_done(self) -> None:
        self.running -= 1
        self.pull_all.setEnabled(self.running == 0)
        self.sig_pull_finished.emit()

    def mark_pulled_before(self, case: CaseSummary) -> None:
        """A restored draft already has department data: do not ask again just because the step opens."""
        self._pulled_case = case.id
        self.summary.setText(self.tr("Data were pulled for this case earlier. Use Re-pull all to refresh."))

    def reset(self) -> None:
        super().reset()
        self._pulled_case = None
        for row in self.rows.values():
            row.clear()
        self.summary.clear()
