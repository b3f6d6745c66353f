"""Keyboard-wedge scanning: a fast burst + Enter opens a case; a clerk typing is left alone.

Keys go to the top-level QWindow (as a real scanner's do), so the filter sees them before the
focused line edit does. The clock is injected: each key advances it by a chosen gap.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.scanner import BarcodeScannerFilter

CASE_NO = "YC330106-20261124-0007"
SCANNER_GAP_S = 0.004
HUMAN_GAP_S = 0.180


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def scanner(qapp: QApplication, clock: FakeClock):
    scanner = BarcodeScannerFilter(clock=clock)
    qapp.installEventFilter(scanner)
    yield scanner
    qapp.removeEventFilter(scanner)


@pytest.fixture
def form(qtbot):
    window = QWidget()
    layout = QVBoxLayout(window)
    window.search = QLineEdit()
    window.button = QPushButton("确定")
    layout.addWidget(window.search)
    layout.addWidget(window.button)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.search.setFocus()
    return window


def type_keys(form: QWidget, clock: FakeClock, text: str, gap_s: float, *, enter: bool = True) -> None:
    handle = form.windowHandle()
    for char in text:
        clock.now += gap_s
        QTest.keyClick(handle, char)
    if enter:
        clock.now += gap_s
        QTest.keyClick(handle, Qt.Key.Key_Return)


def test_fast_burst_ending_in_enter_emits_the_case_number_and_leaves_the_field_as_it_was(
        qtbot, scanner, form, clock):
    form.search.setText("周建")
    form.search.setCursorPosition(1)
    returned = []
    form.search.returnPressed.connect(lambda: returned.append(form.search.text()))

    with qtbot.waitSignal(scanner.sig_case_scanned, timeout=1000) as signal:
        type_keys(form, clock, CASE_NO, SCANNER_GAP_S)

    assert signal.args == [CASE_NO]
    assert form.search.text() == "周建"
    assert form.search.cursorPosition() == 1
    assert returned == []  # the scanner's Enter never reached the field


def test_slow_typing_of_a_case_number_is_left_to_the_field(qtbot, scanner, form, clock):
    returned = []
    form.search.returnPressed.connect(lambda: returned.append(form.search.text()))

    with qtbot.assertNotEmitted(scanner.sig_case_scanned):
        type_keys(form, clock, CASE_NO, HUMAN_GAP_S)

    assert form.search.text() == CASE_NO
    assert returned == [CASE_NO]


def test_a_fast_burst_that_is_not_a_case_number_stays_in_the_field(qtbot, scanner, form, clock):
    with qtbot.assertNotEmitted(scanner.sig_case_scanned):
        type_keys(form, clock, "6901234567892", SCANNER_GAP_S)  # a product barcode
    assert form.search.text() == "6901234567892"


def test_one_slow_gap_inside_the_burst_means_it_was_not_a_scan(qtbot, scanner, form, clock):
    with qtbot.assertNotEmitted(scanner.sig_case_scanned):
        type_keys(form, clock, CASE_NO[:5], SCANNER_GAP_S, enter=False)
        clock.now += HUMAN_GAP_S
        type_keys(form, clock, CASE_NO[5:], SCANNER_GAP_S)
    assert form.search.text() == CASE_NO


def test_a_scan_after_slow_typing_keeps_what_the_clerk_typed(qtbot, scanner, form, clock):
    type_keys(form, clock, "zhou", HUMAN_GAP_S, enter=False)
    clock.now += 1.0
    with qtbot.waitSignal(scanner.sig_case_scanned, timeout=1000) as signal:
        type_keys(form, clock, CASE_NO, SCANNER_GAP_S)
    assert signal.args == [CASE_NO]
    assert form.search.text() == "zhou"


def test_caps_lock_inverted_letters_still_give_the_canonical_case_number(qtbot, scanner, form, clock):
    with qtbot.waitSignal(scanner.sig_case_scanned, timeout=1000) as signal:
        type_keys(form, clock, CASE_NO.lower(), SCANNER_GAP_S)
    assert signal.args == [CASE_NO]
    assert form.search.text() == ""


def test_scanning_with_focus_on_a_button_emits_and_does_not_press_it(qtbot, scanner, form, clock):
    form.button.setFocus()
    clicks = []
    form.button.clicked.connect(lambda: clicks.append(True))
    with qtbot.waitSignal(scanner.sig_case_scanned, timeout=1000) as signal:
        type_keys(form, clock, CASE_NO, SCANNER_GAP_S)
    assert signal.args == [CASE_NO]
    assert clicks == []
