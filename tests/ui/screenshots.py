"""Screenshots of the login window, each role's main window, the admin screens and the lock screen.

Not a test: a tool to look at what the UI really renders (Chinese glyphs, clipping). Run it under a
real X server so fonts and styles go through the normal platform plugin:

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tests/ui/screenshots.py [OUT_DIR]

PNGs go to docs/screenshots/ by default. Uses a throwaway demo database (synthetic data only).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QDeadlineTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop.bootstrap import build_app  # noqa: E402
from desktop.demo import demo_settings, seed_demo  # noqa: E402
from desktop.security.passwords import HashParams, PasswordHasher  # noqa: E402
from desktop.settings import Settings  # noqa: E402
from ui.app import create_main_window  # noqa: E402
from ui.i18n import install_translators  # noqa: E402
from ui.login import LoginWindow  # noqa: E402
from ui.style import apply_style  # noqa: E402
from ui.tasks import TaskManager  # noqa: E402


def settle(until: Callable[[], bool] = lambda: False, timeout_ms: int = 3000) -> None:
    """Let background results arrive and paint (this tool may wait; the application never does)."""
    deadline = QDeadlineTimer(timeout_ms)
    while not deadline.hasExpired():
        QApplication.processEvents()
        if until():
            break
        QApplication.instance().thread().msleep(20)
    for _ in range(5):
        QApplication.processEvents()


def save(widget: QWidget, out: Path, name: str) -> None:
    settle(timeout_ms=200)
    path = out / name
    widget.grab().save(str(path))
    print(f"wrote {path}")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(argv[:1])
    install_translators(qapp)
    family = apply_style(qapp)
    print(f"font: {family}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = demo_settings(Settings(), Path(tmp))
        app = build_app(settings, password_hasher=PasswordHasher(HashParams(time_cost=1, memory_cost_kib=1024,
                                                                            parallelism=1)))
        try:
            from desktop.adapter_host import build_registry

            app.registry = build_registry(app.db)  # type: ignore[attr-defined]
        except ImportError:
            pass
        passwords = seed_demo(app)
        users = {s.user.username: s.user for s in app.accounts.list_users(None)}
        app.audit.append("clerk01", "citizen.viewed", subject="退休一件事", citizen_id="330106196603151316")

        login_tasks = TaskManager()
        login = LoginWindow(app, login_tasks)
        login.show()
        save(login, out, "login.png")
        login.username.setText("clerk01")
        login.password.setText("wrong-password1")
        login.submit()
        settle(lambda: not login.busy)
        save(login, out, "login_error.png")
        login.close()
        login_tasks.shutdown()

        for username, role in (("clerk01", "clerk"), ("super01", "supervisor"), ("admin01", "admin")):
            window = create_main_window(app, users[username], idle_ms=0)
            window.show()
            save(window, out, f"main_{role}.png")
            if role == "admin":
                page = window.open_page("accounts")
                settle(lambda: bool(page.users))  # type: ignore[attr-defined]
                save(window, out, "admin_accounts.png")
                page = window.open_page("audit")
                settle(lambda: page.table.rowCount() > 0)  # type: ignore[attr-defined]
                page.verify()  # type: ignore[attr-defined]
                settle(lambda: page.verify_button.isEnabled())  # type: ignore[attr-defined]
                save(window, out, "admin_audit.png")
                if "adapters" in window.nav_keys():
                    page = window.open_page("adapters")
                    settle(lambda: bool(page.records))  # type: ignore[attr-defined]
                    if page.records:  # type: ignore[attr-defined]
                        page.table.selectRow(0)  # type: ignore[attr-defined]
                    save(window, out, "admin_adapters.png")
            if role == "clerk":
                dialog = window.change_password()
                save(dialog, out, "change_password.png")
                dialog.close()
                window.lock()
                window.lock_screen.password.setText("wrong-password1")
                window.lock_screen._submit()
                settle(lambda: window.lock_screen.unlock_button.isEnabled())
                save(window, out, "lock.png")
                window.tasks.report_failure(RuntimeError("demo"), "Traceback (most recent call last):\n  ...\n"
                                            "RuntimeError: demo", task_name="screenshot")
                dialog = window.tasks.reporter.dialog
                if dialog is not None:
                    dialog.toggle_button.setChecked(True)
                    save(dialog, out, "error_dialog.png")
            window.close()
        print("demo passwords used:", ", ".join(sorted(passwords)))
        app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
