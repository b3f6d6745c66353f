"""What goes wrong at a counter: a department down, a department slow, a pull without consent, a
workstation restarted with a draft open; and the status bar's back-end states."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from adapters.api import SessionState
from desktop.bootstrap import build_app
from desktop.settings import Settings
from intake_support import (  # noqa: F401 - fixtures
    WAIT_MS, choose_retirement, configure, consent_all, intake_window, pull_settled, read_card, sam, servers,
)
from ui.app import create_main_window


def status_of(window, adapter_id: str):
    return window.page_widget("intake").ctx.session.status_widget.state(adapter_id)


def test_status_bar_shows_every_backend_connected_after_the_one_login(intake_window, qtbot) -> None:
    window, page = intake_window()
    widget = page.ctx.session.status_widget
    assert widget in window.status_bar.indicators
    qtbot.waitUntil(lambda: all(widget.state(a) is not None and widget.state(a).state is SessionState.CONNECTED
                                for a in ("social_security", "medical_insurance", "employment", "public_data")),
                    timeout=WAIT_MS)
    assert "人社：已连接" in widget.text_of("social_security")
    assert "医保：已连接" in widget.text_of("medical_insurance")


def test_a_department_down_fails_alone_and_can_be_retried(intake_window, servers, qtbot, sam) -> None:
    servers["employment"].set_faults(outage=True)
    window, page = intake_window(timeout_s=1.0)
    widget = page.ctx.session.status_widget
    qtbot.waitUntil(lambda: widget.state("employment") is not None
                    and widget.state("employment").state is SessionState.FAILED, timeout=WAIT_MS)
    assert "失败" in widget.text_of("employment") and widget.state("employment").reason
    assert widget.state("employment").reason in window.status_bar.findChild(type(widget)).findChild(
        type(window.status_bar.user_label), "backend_employment").toolTip()

    read_card(page, qtbot, sam)
    choose_retirement(page, qtbot)
    consent_all(page, qtbot)
    qtbot.waitUntil(lambda: pull_settled(page), timeout=WAIT_MS)
    rows = page.pull.rows
    assert rows["employment"].status.state == "failed" and "失败" in rows["employment"].state.text()
    assert rows["employment"].retry.isEnabled()
    assert all(rows[a].status.state == "done" for a in ("social_security", "medical_insurance", "public_data"))
    assert "就业服务中心" in page.message.text() and page.message.is_error

    servers["employment"].clear_faults()
    rows["employment"].retry.click()
    qtbot.waitUntil(lambda: rows["employment"].status.state == "done" and page.pull.running == 0, timeout=WAIT_MS)
    assert "完成" in rows["employment"].state.text()


def test_a_slow_department_does_not_hold_back_the_others(intake_window, servers, qtbot, sam) -> None:
    servers["public_data"].set_faults(latency_s=2.5, paths=("/api/v1/household/", "/api/v1/marital/", "/api/v1/former-names/"))
    window, page = intake_window(timeout_s=5.0)
    read_card(page, qtbot, sam)
    choose_retirement(page, qtbot)
    consent_all(page, qtbot)
    rows = page.pull.rows
    fast = ("social_security", "medical_insurance", "employment")
    qtbot.waitUntil(lambda: all(rows[a].status is not None and rows[a].status.state == "done" for a in fast),
                    timeout=WAIT_MS)
    # the three answers are on screen while the slow department is still working
    assert rows["public_data"].status.state in ("pending", "running")
    assert rows["public_data"].busy.text() != ""  # its spinner turns
    # and the clerk can already move on and look at what has arrived
    page.go(5)
    qtbot.waitUntil(lambda: bool(page.profile.fields), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: rows["public_data"].status.state == "done", timeout=WAIT_MS)
    assert rows["public_data"].busy.text() == ""
    qtbot.waitUntil(lambda: page.pull.running == 0, timeout=WAIT_MS)


def test_a_pull_without_consent_is_refused_and_the_clerk_is_told_why(intake_window, qtbot, sam, servers) -> None:
    window, page = intake_window()
    read_card(page, qtbot, sam)
    choose_retirement(page, qtbot)
    assert page.go(4)  # straight to the pull, skipping the consent
    qtbot.waitUntil(lambda: page.pull.running == 0 and page.message.text() != "", timeout=WAIT_MS)
    assert page.message.is_error and "授权" in page.message.text()
    assert "授权" in page.pull.summary.text()
    assert all(r.status.state == "refused" for r in page.pull.rows.values()) and len(page.pull.rows) == 4

    page.go(3)  # the consent, then the pull runs
    consent_all(page, qtbot)
    qtbot.waitUntil(lambda: pull_settled(page), timeout=WAIT_MS)
    assert all(r.status.state == "done" for r in page.pull.rows.values())


def test_a_draft_comes_back_after_a_restart_at_the_right_step(intake_window, gui_app, users, qtbot, sam,
                                                              tmp_path: Path) -> None:
    window, page = intake_window()
    read_card(page, qtbot, sam)
    choose_retirement(page, qtbot)
    consent_all(page, qtbot)
    qtbot.waitUntil(lambda: pull_settled(page), timeout=WAIT_MS)
    page.go(5)
    qtbot.waitUntil(lambda: bool(page.profile.fields), timeout=WAIT_MS)
    for field in page.profile.open_conflicts():
        with qtbot.waitSignal(page.profile.sig_chosen, timeout=WAIT_MS):
            next(iter(page.profile.choices[field.field].values())).click()
    page.go(6)
    qtbot.waitUntil(lambda: bool(page.materials.rows), timeout=WAIT_MS)
    for code in ("M-BANK-CARD", "M-CONTRACT-END"):
        with qtbot.waitSignal(page.materials.sig_material, timeout=WAIT_MS):
            page.materials.rows[code].received.click()
    page.materials._tolerate("M-PHOTO", "承诺补交照片", None)
    qtbot.waitUntil(lambda: page.materials.rows["M-PHOTO"].material.status == "tolerated", timeout=WAIT_MS)
    page.go(7)
    qtbot.waitUntil(lambda: bool(page.form.editors), timeout=WAIT_MS)
    page.form.editors["app.retirement_date"].setText("2026-03-15")
    page.go(8)
    qtbot.waitUntil(lambda: bool(page.preview.previews), timeout=WAIT_MS)
    page.preview.save_button.click()  # keeps the typed date; the retirement type is still missing
    qtbot.waitUntil(lambda: "草稿" in page.message.text(), timeout=WAIT_MS)
    case_no = page.case.case_no
    window.close()

    # a new workstation process on the same database
    again = build_app(replace(gui_app.settings), clock=gui_app.clock)
    try:
        restarted = create_main_window(again, users["clerk01"], idle_ms=0)
        qtbot.addWidget(restarted)
        restarted.show()
        page = restarted.open_page("intake")
        qtbot.waitUntil(lambda: page.card.reader.ready, timeout=WAIT_MS)
        read_card(page, qtbot, sam)
        qtbot.waitUntil(lambda: page.current == 7 and bool(page.form.editors), timeout=WAIT_MS)
        assert page.case.case_no == case_no and "已调出草稿" in page.message.text()
        assert page.form.value_of("app.retirement_date") == "2026-03-15"
        assert page.form.value_of("app.retirement_type") == ""
        page.go(6)
        qtbot.waitUntil(lambda: "M-PHOTO" in page.materials.rows, timeout=WAIT_MS)
        assert page.materials.rows["M-PHOTO"].material.status == "tolerated"
        assert page.materials.notice_button.isEnabled()
        restarted.close()
    finally:
        again.close()


def test_without_a_keyring_one_clear_message_instead_of_four_failures(open_window, gui_app, qtbot) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        window = open_window("clerk01")
        widget = window.page_widget("intake") or window.open_page("intake")
        status = widget.ctx.session.status_widget
        qtbot.waitUntil(lambda: not status.keyring_label.isHidden(), timeout=WAIT_MS)
        assert "密钥环" in status.keyring_label.text() and "密钥环" in status.keyring_label.toolTip()
        assert all(label.isHidden() for label in status._labels.values())
    finally:
        keyring.set_keyring(previous)
