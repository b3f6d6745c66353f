"""Demo mode: a throwaway SQLite database with one clerk, one supervisor and one admin (random
passwords, printed on start) and the synthetic citizens of resources/demo/citizens.toml."""

from __future__ import annotations

import secrets
import string
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from desktop.bootstrap import App
from desktop.security.accounts import Role
from desktop.settings import Settings
from desktop.storage.db import default_sqlite_url
from desktop.toml_file import read_toml

DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str], ...] = (
    ("clerk01", "演示柜员", Role.CLERK, "3号窗口"),
    ("super01", "演示值班长", Role.SUPERVISOR, ""),
    ("admin01", "演示管理员", Role.ADMIN, ""),
)
DEMO_HALL_NAME = "一窗通演示服务大厅"


class NotADemoDatabase(RuntimeError):
    """seed_demo was handed a real workstation: it refuses to add accounts with printed passwords."""


def demo_settings(settings: Settings, workdir: Path) -> Settings:
    """The same settings pointed at a fresh SQLite file inside `workdir` (a temp dir the caller
    removes on exit)."""
    return replace(settings, demo=True, data_dir=workdir, db_url=default_sqlite_url(workdir),
                   counter=settings.counter or "3号窗口", hall_name=settings.hall_name or DEMO_HALL_NAME,
                   reader=settings.reader or "demo")


def seed_demo(app: App) -> dict[str, str]:
    """Create the demo accounts; returns {username: password} for printing."""
    if not app.settings.demo or app.db.dialect != "sqlite":
        raise NotADemoDatabase("seed_demo only runs on a demo-mode SQLite database")
    passwords: dict[str, str] = {}
    for username, name, role, counter in DEMO_ACCOUNTS:
        password = random_password()
        app.accounts.add_user(None, username, name, role, counter, password)
        passwords[username] = password
    app.audit.append("demo", "demo.seeded", detail={"accounts": sorted(passwords)})
    return passwords


def random_password(length: int = 10) -> str:
    """Letters and digits (meets the policy), without look-alikes a clerk would mistype."""
    letters = "".join(ch for ch in string.ascii_letters if ch not in "lIO")
    digits = "23456789"
    while True:
        candidate = "".join(secrets.choice(letters + digits) for _ in range(length))
        if any(c in digits for c in candidate) and any(c in letters for c in candidate):
            return candidate


def load_demo_citizens() -> list[dict[str, Any]]:
    """Every [citizens.<key>] table as a dict with its "key" added, in file order."""
    source = resources.files("resources.demo").joinpath("citizens.toml")
    data = read_toml(source, label="resources/demo/citizens.toml")
    return [{"key": key, **values} for key, values in data.get("citizens", {}).items()]
