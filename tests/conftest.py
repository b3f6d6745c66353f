"""Fixtures that protect the developer's machine (napari style) and give each test fresh state.

- an in-memory keyring backend (never the real keyring, never plaintext files)
- a temporary HOME and XDG dirs, so settings and the SQLite file land in tmp
- Qt headless
- a check that a test leaves no non-daemon thread of ours running
"""

from __future__ import annotations

import os
import threading

import keyring
import pytest

from desktop.security.memory_keyring import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def temp_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    return home


@pytest.fixture(autouse=True)
def no_leftover_threads():
    """Fail a test that leaves a non-daemon thread running (a worker it forgot to stop)."""
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate()
                if t not in before and t.is_alive() and not t.daemon]
    for t in leftover:
        t.join(timeout=2.0)
    still = [t.name for t in leftover if t.is_alive()]
    assert not still, f"test left threads running: {still}"


# --- Databases and the workstation core (storage, accounts, audit) ---------------------------------
# `db_url` runs a test on SQLite (a temp file) and on PostgreSQL when TEST_DATABASE_URL is set; each
# PostgreSQL test gets its own schema (search_path), created before and dropped after.

import uuid  # noqa: E402
from datetime import datetime, timedelta, timezone  # noqa: E402


class FakeClock:
    """A clock that stands still until a test moves it (lockouts, due dates)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+pysqlite:///{tmp_path / 'onewindow-test.db'}"
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL tests skipped")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(db_url):
    from desktop.storage.db import open_database

    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def fast_hasher():
    """argon2id with light parameters: tests only, never the default."""
    from desktop.security.passwords import HashParams, PasswordHasher

    return PasswordHasher(HashParams(time_cost=1, memory_cost_kib=8, parallelism=1))


@pytest.fixture
def app(db_url, tmp_path, clock, fast_hasher):
    from desktop.bootstrap import build_app
    from desktop.settings import Settings

    workstation = build_app(Settings(db_url=db_url, data_dir=tmp_path / "data"), clock=clock,
                            password_hasher=fast_hasher)
    yield workstation
    workstation.close()
