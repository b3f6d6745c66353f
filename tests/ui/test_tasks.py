"""The background-task helper: work off the GUI thread, results on it, failures never lost."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from ui.error_dialog import ErrorDialog
from ui.tasks import TaskManager


class RefusedError(Exception):
    message_zh = "该账号已停用"


def on_gui_thread() -> bool:
    return QThread.currentThread() is QApplication.instance().thread()


def test_result_arrives_on_gui_thread_and_work_runs_off_it(qtbot, tasks: TaskManager) -> None:
    seen: dict[str, object] = {}

    def work(a: int, b: int, *, scale: int) -> int:
        seen["worker_on_gui"] = on_gui_thread()
        seen["worker_thread"] = threading.get_ident()
        return (a + b) * scale

    task = tasks.run_in_background(work, 2, 3, scale=10)
    task.on_success(lambda r: seen.update(result=r, callback_on_gui=on_gui_thread()))
    task.on_finished(lambda: seen.update(finished=True))
    with qtbot.waitSignal(task.sig_finished, timeout=5000):
        pass
    assert seen["result"] == 50
    assert seen["callback_on_gui"] is True
    assert seen["worker_on_gui"] is False
    assert seen["worker_thread"] != threading.get_ident()
    assert seen["finished"] is True


def test_handled_failure_goes_to_its_handler_not_the_dialog(qtbot, tasks: TaskManager) -> None:
    caught: list[BaseException] = []

    def fail() -> None:
        raise RefusedError("account disabled")

    task = tasks.run_in_background(fail).on_failure(caught.append)
    with qtbot.waitSignal(task.sig_finished, timeout=5000):
        pass
    assert len(caught) == 1 and isinstance(caught[0], RefusedError)
    assert tasks.reporter.dialog is None


def test_unhandled_failure_reaches_the_error_dialog_with_traceback(qtbot, tasks: TaskManager, caplog) -> None:
    def broken_query() -> None:
        raise LookupError("table cases is missing")

    with qtbot.waitSignal(tasks.sig_unhandled_failure, timeout=5000) as blocker:
        tasks.run_in_background(broken_query)
    summary, details = blocker.args
    dialog = tasks.reporter.dialog
    assert isinstance(dialog, ErrorDialog) and dialog.isVisible()
    assert "意外错误" in dialog.summary_label.text() == summary
    text = dialog.details.toPlainText()
    assert "broken_query" in text and "LookupError: table cases is missing" in text and "Traceback" in text
    assert details in text
    assert "table cases is missing" in caplog.text

    dialog.copy_details()
    assert "LookupError" in QApplication.clipboard().text()


def test_a_clerk_message_becomes_the_dialog_summary_and_errors_share_one_dialog(qtbot, tasks: TaskManager) -> None:
    def refuse() -> None:
        raise RefusedError("disabled")

    with qtbot.waitSignal(tasks.sig_unhandled_failure, timeout=5000):
        tasks.run_in_background(refuse)
    first = tasks.reporter.dialog
    assert first is not None and first.summary_label.text() == "该账号已停用"
    with qtbot.waitSignal(tasks.sig_unhandled_failure, timeout=5000):
        tasks.run_in_background(refuse)
    assert tasks.reporter.dialog is first
    assert first.error_count == 2
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]
    assert dialogs == [first]


def test_a_bug_in_a_success_callback_is_reported_too(qtbot, tasks: TaskManager) -> None:
    def bad_callback(_result: object) -> None:
        raise ValueError("widget update failed")

    with qtbot.waitSignal(tasks.sig_unhandled_failure, timeout=5000) as blocker:
        tasks.run_in_background(lambda: 1).on_success(bad_callback)
    assert "widget update failed" in blocker.args[1]


def test_callback_added_after_completion_still_runs(qtbot, tasks: TaskManager) -> None:
    task = tasks.run_in_background(lambda: "ready")
    with qtbot.waitSignal(task.sig_finished, timeout=5000):
        pass
    got: list[str] = []
    task.on_success(got.append)
    qtbot.waitUntil(lambda: got == ["ready"], timeout=5000)


def test_shutdown_waits_for_workers_and_drops_late_results(qtbot) -> None:
    manager = TaskManager()
    release = threading.Event()
    delivered: list[object] = []
    started = threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "late"

    manager.run_in_background(slow).on_success(delivered.append).on_failure(delivered.append)
    assert started.wait(5)
    assert manager.active_threads == 1
    release.set()
    assert manager.shutdown() is True
    assert manager.active_threads == 0
    QApplication.processEvents()
    assert delivered == []  # the window that asked is gone; its callbacks must not run
    with pytest.raises(RuntimeError):
        manager.run_in_background(slow)
    manager.deleteLater()
