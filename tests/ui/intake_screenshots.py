"""Screenshots of every step of the intake (docs/screenshots/intake_1_card.png ... intake_8_preview.png).

Not a test: a tool to look at what the intake really renders (Chinese glyphs, clipping, states). It
runs the real window against the real sandboxes and the demo reader on a throwaway database:

    xvfb-run -a -s "-screen 0 1366x800x24" .venv/bin/python tests/ui/intake_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from _bench_support import bench_workstation  # noqa: E402
from screenshots import save, settle  # noqa: E402 - the shell's screenshot helpers (tests/ui/screenshots.py)
from ui.app import create_main_window  # noqa: E402
from ui.i18n import install_translators  # noqa: E402
from ui.style import apply_style  # noqa: E402


def wait(until: Callable[[], bool], timeout_ms: int = 8000) -> None:
    """The sandboxes answer over real HTTP: allow them more than the shell's default."""
    settle(until, timeout_ms)


def fake_scan(path: Path) -> Path:
    image = QImage(600, 380, QImage.Format.Format_RGB32)
    image.fill(QColor("#dfe9f5"))
    painter = QPainter(image)
    painter.drawText(40, 190, "6222 0210 0112 3456 789 (synthetic)")
    painter.end()
    image.save(str(path))
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(argv[:1])
    install_translators(qapp)
    print(f"font: {apply_style(qapp)}")
    with bench_workstation(sandbox_options={"public_data": {}}) as bench, tempfile.TemporaryDirectory() as tmp:
        app = bench.app
        app.settings = replace(app.settings, reader="demo", demo=True)
        window = create_main_window(app, bench.clerk, idle_ms=0)
        window.resize(1366, 768)
        window.show()
        page = window.open_page("intake")
        page.ctx.open_file = lambda path: True
        page.ctx.pick_file = lambda parent: fake_scan(Path(tmp) / "社保卡扫描.png")
        wait(lambda: page.card.reader.ready)

        # 1. an expired card: the warning stands out, the clerk confirms before going on
        page.card.demo_citizen.setCurrentIndex(page.card.demo_citizen.findData("flexjob"))
        page.card.demo_present.click()
        wait(lambda: page.card.continue_button.isVisible())
        save(window, out, "intake_1_card.png")

        page.start_over()
        page.card.demo_citizen.setCurrentIndex(page.card.demo_citizen.findData("retiree_m"))
        page.card.demo_present.click()
        wait(lambda: page.current == 2 and page.one_thing.results.count() > 0)
        page.one_thing.search.setText("tx")
        wait(lambda: page.one_thing.selected_code() == "OT-RETIRE")
        save(window, out, "intake_2_one_thing.png")

        page.advance()
        wait(lambda: page.current == 3 and bool(page.consent.department_boxes))
        save(window, out, "intake_3_consent.png")

        # 4. one department slow: the others' answers are already on screen
        bench.sandboxes["public_data"].set_faults(latency_s=4.0)
        page.advance()
        rows = page.pull.rows
        wait(lambda: sum(1 for r in rows.values() if r.status and r.status.state == "done") >= 3)
        save(window, out, "intake_4_pull.png")
        wait(lambda: page.pull.running == 0, timeout_ms=15000)
        bench.sandboxes["public_data"].clear_faults()

        # 5. the profile with one disagreement decided and one still open
        page.go(5)
        wait(lambda: bool(page.profile.fields))
        conflicts = page.profile.open_conflicts()
        if conflicts:
            page.profile.choose(conflicts[0].field, conflicts[0].values[-1].source)
            wait(lambda: len(page.profile.open_conflicts()) < len(conflicts))
            for button in page.profile.choices[conflicts[0].field].values():
                button.setChecked(button.objectName().endswith(conflicts[0].values[-1].source))
        save(window, out, "intake_5_profile.png")
        for field in page.profile.open_conflicts():
            page.profile.choose(field.field, field.values[0].source)
        wait(lambda: not page.profile.open_conflicts())

        # 6. materials: a scan attached, one received, one tolerated
        page.go(6)
        wait(lambda: bool(page.materials.rows))
        page.materials.attach("M-BANK-CARD")
        page.materials.mark_received("M-CONTRACT-END")
        page.materials._tolerate("M-PHOTO", "本人承诺十个工作日内补交近期免冠照片", None)
        wait(lambda: page.materials.rows["M-PHOTO"].material.status == "tolerated"
               and bool(page.materials.rows["M-BANK-CARD"].material.files))
        save(window, out, "intake_6_materials.png")

        # 7. the form: one date typed wrongly, caught inline
        page.go(7)
        wait(lambda: bool(page.form.editors))
        editor = page.form.editors.get("app.retirement_date")
        if editor is not None:
            editor.setText("2026-02-30")
            page.form.check("app.retirement_date")
        save(window, out, "intake_7_form.png")
        if editor is not None:
            editor.setText("2026-03-15")
        choice = page.form.editors.get("app.retirement_type")
        if choice is not None:
            choice.setCurrentIndex(1)  # type: ignore[union-attr]
        page.form.save()
        wait(lambda: not any(not e.isHidden() for e in page.form.errors.values()))

        page.go(8)
        wait(lambda: bool(page.preview.previews))
        save(window, out, "intake_8_preview.png")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
