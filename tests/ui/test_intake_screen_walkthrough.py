"""The whole intake of demo citizen retiree_m (周建国) through the real sandboxes, the real database and
the real SAM driver on the simulated reader: card -> 退休一件事 -> consent -> pull -> conflict resolved ->
materials with one tolerated -> form -> preview of every department."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPlainTextEdit, QTableWidget

from intake_support import WAIT_MS, intake_window, sam, servers  # noqa: F401 - fixtures

WAIT = WAIT_MS


def press(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifier)


def submitting_adapters(app, one_thing: str) -> set[str]:
    items = set(app.catalog.one_things[one_thing].items)
    return {r.id for r in app.registry.enabled() if set(r.manifest.items) & items}


def test_whole_intake_of_retiree_m(intake_window, gui_app, qtbot, sam, servers, tmp_path) -> None:
    window, page = intake_window()

    # 1. the card on the simulated reader opens a new case and moves on to the one-thing
    sam.present_card("retiree_m")
    qtbot.waitUntil(lambda: page.current == 2, timeout=WAIT)
    assert "周建国" in page.case_label.text() and "330106********1316" in page.case_label.text()
    assert "330106196603151316" not in page.case_label.text()

    # 2. pinyin initials find 退休一件事; the panel lists its departments; Enter chooses
    qtbot.keyClicks(page.one_thing.search, "tx")
    qtbot.waitUntil(lambda: page.one_thing.selected_code() == "OT-RETIRE", timeout=WAIT)
    assert "医疗保障局" in page.one_thing.detail.text()
    press(qtbot, page.one_thing.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.current == 3, timeout=WAIT)
    assert "退休一件事" in page.case_label.text()

    # 3. consent: every department with its fields; Ctrl+Enter records it and starts the pull
    qtbot.waitUntil(lambda: len(page.consent.department_boxes) == 4, timeout=WAIT)
    press(qtbot, page.consent.purpose, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.current == 4, timeout=WAIT)
    assert page.consent.record is not None and page.consent.record.method == "signature"

    # 4. the pull: every department answers
    qtbot.waitUntil(lambda: len(page.pull.rows) == 4 and all(
        r.status is not None and r.status.state == "done" for r in page.pull.rows.values()), timeout=WAIT)
    page.advance()
    qtbot.waitUntil(lambda: page.current == 5, timeout=WAIT)

    # 5. the profile shows the disagreements; going on is refused until each is decided
    qtbot.waitUntil(lambda: bool(page.profile.fields), timeout=WAIT)
    conflicts = page.profile.open_conflicts()
    assert conflicts, "retiree_m's departments disagree on his address and marital status"
    page.advance()
    assert page.current == 5 and page.message.is_error
    for field in conflicts:
        buttons = page.profile.choices[field.field]
        source = next(s for s in buttons if s != "id_card") if len(buttons) > 1 else next(iter(buttons))
        with qtbot.waitSignal(page.profile.sig_chosen, timeout=WAIT):
            buttons[source].click()
    assert page.profile.open_conflicts() == []
    page.advance()
    qtbot.waitUntil(lambda: page.current == 6, timeout=WAIT)

    # 6. materials: pulled ones ticked; brought ones received or tolerated with a commitment
    qtbot.waitUntil(lambda: bool(page.materials.rows), timeout=WAIT)
    rows = page.materials.rows
    assert rows["M-HOUSEHOLD"].material.status == "pulled" and rows["M-HOUSEHOLD"].name.text().startswith("☑")
    assert rows["M-PENSION-APPROVAL"].material.provider and not rows["M-PENSION-APPROVAL"].received.isVisible()
    scan = tmp_path / "bank-card.png"
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(0x3366AA)
    assert image.save(str(scan))
    page.ctx.pick_file = lambda parent: scan
    with qtbot.waitSignal(page.materials.sig_material, timeout=WAIT):
        rows["M-BANK-CARD"].attach.click()
    bank = rows["M-BANK-CARD"].material
    assert bank.status == "received" and bank.files[0][0] == "bank-card.png"
    assert hashlib.sha256(scan.read_bytes()).hexdigest()[:16] in rows["M-BANK-CARD"].files.text()
    rows["M-BANK-CARD"].view.click()
    qtbot.waitUntil(lambda: page.materials.viewer is not None and page.materials.viewer.isVisible(), timeout=WAIT)
    page.materials.viewer.close()
    with qtbot.waitSignal(page.materials.sig_material, timeout=WAIT):
        rows["M-CONTRACT-END"].received.click()
    rows["M-PHOTO"].tolerate.click()
    dialog = page.materials.tolerance_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.commitment.setPlainText("本人承诺十个工作日内补交近期免冠照片")
    with qtbot.waitSignal(page.materials.sig_material, timeout=WAIT):
        dialog.accept()
    assert rows["M-PHOTO"].material.status == "tolerated" and rows["M-PHOTO"].material.owed_by is not None
    assert page.materials.notice_button.isEnabled()
    opened: list[Path] = []
    page.ctx.open_file = lambda path: opened.append(path) or True
    page.materials.notice_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT)
    assert opened[0].read_bytes().startswith(b"%PDF")
    page.advance()
    qtbot.waitUntil(lambda: page.current == 7, timeout=WAIT)

    # 7. the form asks only what nobody supplied; an impossible date is caught inline
    qtbot.waitUntil(lambda: page.form.loaded_case == page.case.id, timeout=WAIT)
    form = page.form
    assert set(form.editors) == {f.field for f in form.fields}
    assert "person.name" not in form.editors and "person.address" not in form.editors
    date_edit = form.editors["app.retirement_date"]
    assert window.focusWidget() is form.editors[form.fields[0].field]
    date_edit.setFocus()
    qtbot.keyClicks(date_edit, "2026-02-30")
    press(qtbot, date_edit, Qt.Key.Key_Return)  # Enter: checked on leaving, focus moves on
    assert not form.errors["app.retirement_date"].isHidden()
    assert "日期" in form.errors["app.retirement_date"].text()
    assert window.focusWidget() is form.editors["app.retirement_type"]
    date_edit.setText("2026-03-15")
    form.check("app.retirement_date")
    assert form.errors["app.retirement_date"].isHidden()
    choice = form.editors["app.retirement_type"]
    choice.setCurrentIndex(1)
    press(qtbot, choice, Qt.Key.Key_Return)  # Enter on the last field saves and goes on
    qtbot.waitUntil(lambda: page.current == 8, timeout=WAIT)

    # 8. a tab per department with its exact payload and where each value came from
    qtbot.waitUntil(lambda: bool(page.preview.previews), timeout=WAIT)
    preview = page.preview
    assert preview.missing == []
    departments = submitting_adapters(gui_app, "OT-RETIRE")
    assert {p.adapter_id for p in preview.previews} == departments and len(departments) >= 3
    assert preview.tabs.count() == len(departments)
    preview.build_all_tabs()
    for item in preview.previews:
        assert not item.error_zh
        payload = preview.findChild(QPlainTextEdit, f"previewPayload_{item.adapter_id}")
        table = preview.findChild(QTableWidget, f"previewSources_{item.adapter_id}")
        assert "周建国" in payload.toPlainText()
        assert table.rowCount() == len(item.field_sources) > 0
    mi = preview.findChild(QPlainTextEdit, "previewPayload_medical_insurance").toPlainText()
    assert '"retr_date": "2026-03-15"' in mi  # what the clerk typed, in the department's own field
    ss = preview.findChild(QPlainTextEdit, "previewPayload_social_security").toPlainText()
    assert "<AAC003>周建国</AAC003>" in ss and "\n  <PERSON>" in ss  # pretty XML

    # submitting hands the case to the submission pipeline
    window.activateWindow()  # shortcuts need the active window; the scan viewer had it last
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    with qtbot.waitSignal(preview.sig_submitted, timeout=WAIT) as submitted:
        press(qtbot, preview.tabs, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(submitted.args[0]) == len(departments)  # one branch per department that takes an item
    assert page.case.state == "submitted" and page.case.state_zh in page.case_label.text()

    # the workstation's own dispatcher delivers every branch, once, to the departments themselves
    case_no = page.case.case_no

    def delivered() -> dict[str, int]:
        return {dept: sum(1 for sub in servers[dept].store.all() if sub.key.startswith(case_no))
                for dept in departments}

    qtbot.waitUntil(lambda: all(n >= 1 for n in delivered().values()), timeout=WAIT)
    assert delivered() == {dept: 1 for dept in departments}


def test_keyboard_shortcuts_jump_between_steps_and_say_what_is_missing(intake_window, qtbot, sam) -> None:
    window, page = intake_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    assert [b.text().split("\n")[1] for b in page.step_buttons] == [f"Alt+{n}" for n in range(1, 9)]
    assert "Ctrl+Enter" in page.next_button.text()
    page.card.manual["name"].setFocus()
    press(qtbot, page.card.manual["name"], Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert page.current == 1 and "身份证" in page.message.text() and page.message.is_error

    # manual entry: the same checks as the card; Enter walks the fields, the last Enter opens the case
    edits = page.card.manual
    edits["name"].setText("周建国")  # QTest types Latin-1 only; Chinese comes from the input method
    press(qtbot, edits["name"], Qt.Key.Key_Return)
    assert window.focusWidget() is edits["id_number"]
    qtbot.keyClicks(edits["id_number"], "330106196603151317")  # wrong check character
    for key in ("id_number", "nation", "address", "issuing_authority", "valid_from", "valid_to"):
        press(qtbot, edits[key], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.card.manual_errors["id_number"].isHidden(), timeout=WAIT)
    assert page.card.manual_errors["id_number"].text() and page.message.is_error
    assert page.case is None
    edits["id_number"].setText("330106196603151316")
    edits["nation"].setText("汉")
    edits["address"].setText("浙江省杭州市西湖区文三路100号2幢301室")
    edits["issuing_authority"].setText("杭州市公安局西湖分局")
    edits["valid_from"].setText("2016-03-01")
    edits["valid_to"].setText("长期")
    press(qtbot, edits["valid_to"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.current == 2, timeout=WAIT)
    assert "周建国" in page.case_label.text()
    press(qtbot, page.one_thing.search, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)
    assert page.current == 2 and "一件事" in page.message.text()
    press(qtbot, page.one_thing.search, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert page.current == 1
