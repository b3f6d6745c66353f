"""The case screens on a real workstation core (SQLite, PostgreSQL when configured): the case list with its
department columns, the detail with a department's rejection reason and live polling, resend, supplement
(with the real 人社 adapter and sandbox), rating, reassigning, barcode-scan navigation, and the printed
receipt whose barcode decodes to the case number."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from ui.cases.case_detail import CaseDetailDialog
from ui.cases.opener import CaseOpener, case_opener
from ui.cases.pages import register_case_pages, register_case_scanning
from ui.pages import PageContext, PageRegistry
from tracking_world import CITIZEN, build_world, set_branch, submitted_case, sandbox  # noqa: F401 - the fixture

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class ScanClock:
    """The scanner's clock: each key of a burst a few milliseconds after the last, exactly."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 0.004
        return self.now


@pytest.fixture
def world(gui_app, sandbox):  # noqa: F811 - the imported fixture
    return build_world(gui_app, {"social_security": sandbox})


@pytest.fixture
def scan_clock() -> ScanClock:
    return ScanClock()


@pytest.fixture
def window(open_window, world, scan_clock):
    """A main window with the case pages and scanning (the real registration), for a user name."""

    def make(username: str):
        registry = register_case_scanning(register_case_pages(PageRegistry()), clock=scan_clock)
        win = open_window(username, registry)
        opener = case_opener(PageContext(win.app, win.user, win.tasks, win))
        opener.poll_ms = 150  # the detail's polling, quick for the test
        opener.documents: list = []
        opener.document_viewer = opener.documents.append  # no external PDF viewer in a test
        return win, opener

    return make


def list_page(qtbot, win, key: str):
    page = win.open_page(key)
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    return page


def open_detail(qtbot, opener: CaseOpener, case_id: int) -> CaseDetailDialog:
    dialog = opener.open_case(case_id)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=10_000)
    return dialog


def cell(table, row: int, header: str) -> str:
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    return table.cell_text(row, headers.index(header))


def test_case_list_shows_every_department_branch(qtbot, world, window) -> None:
    submitted_case(world, branches={"social_security": "rejected", "medical_insurance": "in_review",
                                    "employment": "approved"})
    submitted_case(world, "clerk02", citizen=("330102197106082427", "陈秀英"))
    win, _ = window("clerk01")
    page = list_page(qtbot, win, "my_cases")
    assert page.table.rowCount() == 1  # only the clerk's own
    assert cell(page.table, 0, "申请人") == CITIZEN[1]
    assert cell(page.table, 0, "证件号码") == "330106********1316"
    assert cell(page.table, 0, "状态") == "办理中"
    names = world.tracking.department_names(short=True)
    assert cell(page.table, 0, names["social_security"]) == "部门退回"
    assert cell(page.table, 0, names["medical_insurance"]) == "部门审核中"
    assert cell(page.table, 0, names["employment"]) == "审核通过"
    assert cell(page.table, 0, "到访次数") == "1"

    sup, _ = window("super01")
    every = list_page(qtbot, sup, "all_cases")
    assert every.table.rowCount() == 2 and "1 / 2" not in every.rate_label.text()
    assert "最多跑一次" in every.rate_label.text()
    every.search.setText("陈秀")
    every.search_button.click()
    qtbot.waitUntil(lambda: every.table.rowCount() == 1, timeout=10_000)
    assert cell(every.table, 0, "经办人") == "陈晓"


def test_detail_shows_the_rejection_reason_and_follows_the_branches_until_closed(qtbot, world, window) -> None:
    case_id = submitted_case(world, branches={"social_security": "rejected", "employment": "received"},
                             reasons={"social_security": "累计缴费不足15年，不符合按月领取条件"})
    win, opener = window("clerk01")
    page = list_page(qtbot, win, "my_cases")
    page.table.selectRow(0)
    page.open_button.click()
    dialog = opener.open_dialogs()[0]
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=10_000)
    rows = {dialog.branches.cell_text(r, 0): r for r in range(dialog.branches.rowCount())}
    social = rows[world.tracking.department_name("social_security")]
    assert dialog.branches.cell_text(social, 2) == "部门退回"
    assert dialog.branches.cell_text(social, 5) == "累计缴费不足15年，不符合按月领取条件"
    assert "累计缴费不足15年" in dialog.rejections.text()
    assert dialog.supplement_button.isEnabled() and not dialog.rate_button.isEnabled()
    assert dialog.fields["citizen"].text() == f"{CITIZEN[1]}（330106********1316）"

    # A dispatcher records the employment department's approval: the open window shows it by itself.
    set_branch(world, case_id, "employment", "approved")
    employment = rows[world.tracking.department_name("employment")]
    qtbot.waitUntil(lambda: dialog.branches.cell_text(employment, 2) == "审核通过", timeout=10_000)
    dialog.close()
    assert not dialog.poll.isActive()


def test_resend_a_branch_that_needs_attention(qtbot, world, window) -> None:
    case_id = submitted_case(world, branches={"social_security": "attention", "employment": "received"})
    _, opener = window("clerk01")
    dialog = open_detail(qtbot, opener, case_id)
    dialog.poll.stop()
    assert not dialog.resend_button.isEnabled()  # nothing selected
    names = [dialog.branches.cell_text(r, 0) for r in range(dialog.branches.rowCount())]
    dialog.branches.selectRow(names.index(world.tracking.department_name("employment")))
    assert not dialog.resend_button.isEnabled()  # received: nothing to resend
    dialog.branches.selectRow(names.index(world.tracking.department_name("social_security")))
    assert dialog.resend_button.isEnabled()
    dialog.resend_button.click()
    qtbot.waitUntil(lambda: "重新发送" in dialog.message.text(), timeout=10_000)
    qtbot.waitUntil(lambda: dialog.branches.cell_text(names.index(
        world.tracking.department_name("social_security")), 2) == "等待重发", timeout=10_000)


def test_supplement_after_a_rejection_counts_a_visit_and_requeues(qtbot, world, window, clock, tmp_path) -> None:
    case_id = submitted_case(world, branches={"social_security": "rejected", "employment": "approved"},
                             reasons={"social_security": "缺少本人银行卡复印件"})
    clock.advance(days=1)
    _, opener = window("clerk01")
    dialog = open_detail(qtbot, opener, case_id)
    form = dialog.supplement()
    scan = tmp_path / "card.png"
    scan.write_bytes(PNG)
    form.attach("M-BANK-CARD", [scan])
    form.check("M-PHOTO", False)
    with qtbot.waitSignal(form.sig_done, timeout=10_000):
        form.ok_button.click()
    qtbot.waitUntil(lambda: dialog.fields["visits"].text() == "2", timeout=10_000)
    row = [dialog.branches.cell_text(r, 0) for r in range(dialog.branches.rowCount())].index(
        world.tracking.department_name("social_security"))
    assert dialog.branches.cell_text(row, 2) == "待发送"
    assert "重新提交" in dialog.message.text()
    assert not dialog.supplement_button.isEnabled()


def test_rating_dialog_records_the_score_once_the_case_is_completed(qtbot, world, window) -> None:
    case_id = submitted_case(world, branches={"social_security": "in_review"})
    _, opener = window("clerk01")
    dialog = open_detail(qtbot, opener, case_id)
    assert not dialog.rate_button.isEnabled()
    set_branch(world, case_id, "social_security", "approved", case_state="completed")
    qtbot.waitUntil(dialog.rate_button.isEnabled, timeout=10_000)
    rating = dialog.rate()
    rating.ok_button.click()
    assert rating.message.text() == "请选择 1 到 5 分"
    rating.scores.button(5).setChecked(True)
    rating.comment.setPlainText("一次办好，很满意")
    with qtbot.waitSignal(rating.sig_done, timeout=10_000):
        rating.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.rate_button.isEnabled(), timeout=10_000)
    assert "5" in dialog.fields["state"].text()
    assert world.tracking.case_detail(world.users["clerk01"], case_id).rating == (5, "一次办好，很满意")


def test_supervisor_reassigns_from_the_list(qtbot, world, window) -> None:
    submitted_case(world)
    win, _ = window("super01")
    page = list_page(qtbot, win, "all_cases")
    page.table.selectRow(0)
    dialog = page.reassign()
    qtbot.waitUntil(lambda: dialog.target.count() > 0, timeout=10_000)
    dialog.choose("clerk02")
    with qtbot.waitSignal(dialog.sig_done, timeout=10_000):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: cell(page.table, 0, "经办人") == "陈晓", timeout=10_000)


def scan(win, text: str) -> None:
    handle = win.windowHandle()
    for char in text:
        QTest.keyClick(handle, char)
    QTest.keyClick(handle, Qt.Key.Key_Return)


def test_scanning_a_receipt_barcode_anywhere_opens_the_case(qtbot, world, window) -> None:
    case_id = submitted_case(world, "clerk02")  # another counter's case: the receipt works at any window
    case_no = world.tracking.list_cases(world.users["clerk02"])[0].case_no
    win, opener = window("clerk01")
    page = list_page(qtbot, win, "my_cases")
    page.search.setFocus()
    page.search.setText("周")
    with qtbot.waitSignal(opener.sig_opened, timeout=10_000) as opened:
        scan(win, case_no)
    dialog = opened.args[0]
    assert dialog.case_id == case_id
    qtbot.waitUntil(lambda: dialog.fields["case_no"].text() == case_no, timeout=10_000)
    assert page.search.text() == "周"  # the scan left the field as it was

    with qtbot.waitSignal(opener.sig_not_opened, timeout=10_000) as missing:
        scan(win, "YC330106-20200101-0009")
    assert "YC330106-20200101-0009" in missing.args[0] and "未找到" in missing.args[0]
    for box in win.findChildren(QMessageBox):
        box.close()


def test_a_locked_or_admin_window_does_not_open_scanned_cases(qtbot, world, window) -> None:
    submitted_case(world)
    case_no = world.tracking.list_cases(world.users["clerk01"])[0].case_no
    admin, _ = window("admin01")
    scan(admin, case_no)
    assert "仅限窗口人员" in admin.status_bar.currentMessage()
    admin.close()
    win, opener = window("clerk01")
    win.lock()
    scan(win, case_no)
    QApplication.processEvents()
    assert opener.open_dialogs() == []


@pytest.mark.skipif(shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
                    reason="zbar-tools and poppler-utils are needed to read the printed barcode")
def test_printed_receipt_is_a_pdf_whose_barcode_is_the_case_number(qtbot, world, window, tmp_path) -> None:
    case_id = submitted_case(world, delivery="courier")
    case_no = world.tracking.list_cases(world.users["clerk01"])[0].case_no
    _, opener = window("clerk01")
    dialog = open_detail(qtbot, opener, case_id)
    with qtbot.waitSignal(dialog.sig_document_ready, timeout=20_000) as ready:
        dialog.receipt_button.click()
    pdf = ready.args[0]
    assert opener.documents == [pdf] and pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    page = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, text=True,
                             check=True).stdout.split()
    assert decoded == [case_no]

    assert dialog.notice_button.isEnabled()  # a tolerated photo is owed
    with qtbot.waitSignal(dialog.sig_document_ready, timeout=20_000) as notice:
        dialog.notice_button.click()
    assert notice.args[0].name == f"{case_no}-notice.pdf"
