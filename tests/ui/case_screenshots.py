"""Screenshots of the case screens: a supervisor's 全部办件 list and a case detail with a department's rejection.

Not a test: a tool to look at what the case screens really render. Run it under a real X server:

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tests/ui/case_screenshots.py [OUT_DIR]

PNGs (case_list.png, case_detail.png) go to docs/screenshots/ by default. Throwaway SQLite database,
synthetic demo citizens only.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.bootstrap import build_app  # noqa: E402
from desktop.security.passwords import HashParams, PasswordHasher  # noqa: E402
from desktop.settings import Settings  # noqa: E402
from screenshots import save, settle  # noqa: E402
from tracking_world import build_world, submitted_case  # noqa: E402
from ui.app import create_main_window  # noqa: E402
from ui.cases.opener import case_opener  # noqa: E402
from ui.i18n import install_translators  # noqa: E402
from ui.pages import PageContext  # noqa: E402
from ui.style import apply_style  # noqa: E402

CITIZENS = (("330106196603151316", "周建国"), ("330102197106082427", "陈秀英"), ("330105198809213175", "王志强"))


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(argv[:1])
    install_translators(qapp)
    apply_style(qapp)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Settings(db_url=f"sqlite+pysqlite:///{tmp}/cases.db", data_dir=Path(tmp)),
                        password_hasher=PasswordHasher(HashParams(time_cost=1, memory_cost_kib=1024, parallelism=1)))
        world = build_world(app)
        rejected = submitted_case(world, branches={"social_security": "rejected", "medical_insurance": "in_review",
                                                   "employment": "approved"},
                                  reasons={"social_security": "缺少本人社会保障卡或银行卡复印件，请补正后重新提交"})
        submitted_case(world, "clerk02", citizen=CITIZENS[1], delivery="courier",
                       branches={"social_security": "approved", "medical_insurance": "approved",
                                 "employment": "approved"}, state="completed")
        submitted_case(world, citizen=CITIZENS[2], branches={"social_security": "retry_wait",
                                                             "medical_insurance": "received",
                                                             "employment": "pending"}, state="submitted")
        window = create_main_window(app, world.users["super01"], idle_ms=0)
        window.show()
        page = window.open_page("all_cases")
        settle(lambda: bool(page.loaded))  # type: ignore[attr-defined]
        page.table.selectRow(0)  # type: ignore[attr-defined]
        save(window, out, "case_list.png")
        opener = case_opener(PageContext(app, world.users["super01"], window.tasks, window))
        dialog = opener.open_case(rejected)
        settle(lambda: dialog.detail is not None)
        dialog.poll.stop()
        dialog.branches.selectRow(0)
        save(dialog, out, "case_detail.png")
        dialog.close()
        window.close()
        app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
