"""A department's preview tab (step 8) is built once and refilled for every case: what the clerk sees in
it must always be exactly the current case's payload, even a big one that arrives a slice at a time."""

from __future__ import annotations

import json

from desktop.services.dto import PayloadPreview
from ui.intake.preview_tab import PAYLOAD_SLICE_CHARS, DepartmentTab

SOURCES = (("AAC003", "person.name", "姓名"), ("AAE005", "person.phone", "联系电话"))


def preview(payload: str, *, error_zh: str = "") -> PayloadPreview:
    return PayloadPreview("social_security", "人力资源和社会保障局", ("RS-01",), "application/json", payload,
                          SOURCES, error_zh)


def big_payload(name: str) -> str:
    """Pretty JSON of several slices, as an adapter that embeds a scanned file might send."""
    scans = [{"page": n, "content": "QUJD" * 40, "holder": name} for n in range(1200)]
    return json.dumps({"AAC003": name, "scans": scans}, ensure_ascii=False, indent=2)


def test_a_big_payload_shows_at_once_and_ends_up_complete_and_exact(qtbot) -> None:
    tab = DepartmentTab("social_security")
    qtbot.addWidget(tab)
    text = big_payload("周建国")
    assert len(text) > 4 * PAYLOAD_SLICE_CHARS

    tab.fill(preview(text))
    shown_at_once = tab.payload.toPlainText()
    assert shown_at_once and text.startswith(shown_at_once) and len(shown_at_once) < len(text)
    qtbot.waitUntil(lambda: tab.complete, timeout=5000)
    assert tab.payload.toPlainText() == text
    assert tab.payload.verticalScrollBar().value() == 0  # the clerk reads it from the top
    assert tab.table.rowCount() == len(SOURCES) and tab.table.cell_text(0, 1) == "person.name"


def test_the_next_case_replaces_a_payload_still_arriving(qtbot) -> None:
    tab = DepartmentTab("social_security")
    qtbot.addWidget(tab)
    tab.fill(preview(big_payload("周建国")))
    assert not tab.complete
    second = big_payload("陈秀英")
    tab.fill(preview(second))
    qtbot.waitUntil(lambda: tab.complete, timeout=5000)
    assert tab.payload.toPlainText() == second
    assert "周建国" not in tab.payload.toPlainText()


def test_a_failed_rendering_shows_the_reason_and_the_next_case_its_payload(qtbot) -> None:
    tab = DepartmentTab("social_security")
    qtbot.addWidget(tab)
    tab.show()
    tab.fill(preview("", error_zh="该部门暂不支持此事项"))
    assert tab.error.isVisible() and tab.error.text() == "该部门暂不支持此事项"
    assert not tab.splitter.isVisible() and tab.payload.toPlainText() == ""

    tab.fill(preview('{\n  "AAC003": "陈秀英"\n}\n'))
    assert not tab.error.isVisible() and tab.splitter.isVisible()
    assert tab.payload.toPlainText() == '{\n  "AAC003": "陈秀英"\n}\n'
    assert "RS-01" in tab.head.text()
