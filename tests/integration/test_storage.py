"""Storage on a real SQLite file and (with TEST_DATABASE_URL) a real PostgreSQL schema."""

from __future__ import annotations

import shutil
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from desktop.security.audit import AuditLog
from desktop.security.secrets import SecretInConfigError
from desktop.storage import adapter_settings, migrate
from desktop.storage.db import (Database, MigrationFailed, SchemaError, current_revision, default_sqlite_url,
                                open_database)
from desktop.storage.model_modules import load_all_models
from desktop.storage.models import User


def test_open_applies_every_migration(db):
    assert current_revision(db) == migrate.head_revision()
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    assert {"users", "audit_log", "audit_head", "adapter_settings", "alembic_version"} <= tables


def test_models_and_migrations_agree(db):
    """A model changed without a migration (or the reverse) shows up here."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                load_all_models())
    assert diff == []


def test_migration_chain_has_one_head():
    assert len(migrate.script_directory().get_heads()) == 1


def test_unit_of_work_commits_or_rolls_back(db, clock):
    with db.unit_of_work() as uow:
        uow.session.add(_user("kept", clock))
    with pytest.raises(RuntimeError):
        with db.unit_of_work() as uow:
            uow.session.add(_user("dropped", clock))
            uow.session.flush()
            raise RuntimeError("the action failed halfway")
    with db.unit_of_work(read_only=True) as uow:
        names = uow.session.scalars(select(User.username)).all()
    assert names == ["kept"]


def test_reopening_an_up_to_date_database_changes_nothing(db_url, db):
    again = open_database(db_url)
    try:
        assert current_revision(again) == migrate.head_revision()
    finally:
        again.dispose()


def test_newer_schema_is_refused_and_left_untouched(db_url, db):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999_from_the_future'"))
    before = _snapshot(db)
    with pytest.raises(SchemaError) as err:
        open_database(db_url)
    assert "比本程序新" in err.value.message_zh
    assert _snapshot(db) == before


def test_foreign_database_is_refused(db_url):
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(SchemaError) as err:
        open_database(db_url)
    assert "不是一窗通的数据库" in err.value.message_zh


def test_failed_migration_rolls_back_completely(db_url, tmp_path, monkeypatch):
    """A broken revision after the real ones: nothing of the whole upgrade may remain."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts)
    head = migrate.head_revision()
    (scripts / "versions" / "9999_broken.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = '9999_broken'\ndown_revision = {head!r}\nbranch_labels = None\ndepends_on = None\n"
        "def upgrade():\n"
        "    op.create_table('half_done', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    raise RuntimeError('migration bug')\n",
        encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    with pytest.raises(MigrationFailed) as err:
        open_database(db_url)
    assert "已全部回滚" in err.value.message_zh
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()


def test_corrupt_sqlite_file_is_refused_and_not_modified(tmp_path):
    path = tmp_path / "onewindow.db"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 20)
    before = path.read_bytes()
    with pytest.raises(SchemaError) as err:
        open_database(default_sqlite_url(tmp_path))
    assert "已损坏" in err.value.message_zh
    assert path.read_bytes() == before


def test_text_file_in_place_of_database_is_refused(tmp_path):
    path = tmp_path / "onewindow.db"
    path.write_text("this is not a database\n" * 100, encoding="utf-8")
    with pytest.raises(SchemaError):
        open_database(default_sqlite_url(tmp_path))
    assert path.read_text(encoding="utf-8").startswith("this is not")


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(tmp_path):
    db = open_database(default_sqlite_url(tmp_path))
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        db.dispose()


def test_database_repr_masks_the_password():
    db = Database(create_engine("postgresql+psycopg://hall:s3cretpw@db.local:5432/onewindow"))
    assert "s3cretpw" not in repr(db) and "s3cretpw" not in str(db.url)
    db.dispose()


def test_adapter_settings_round_trip(db, clock):
    with db.unit_of_work() as uow:
        adapter_settings.set_config(uow.session, "social_security",
                                    {"endpoint": "http://127.0.0.1:8001", "timeout_s": 5, "account": "ss01"},
                                    "admin01", clock=clock)
        adapter_settings.set_enabled(uow.session, "employment", False, "admin01", clock=clock)
    with db.unit_of_work() as uow:
        stored = adapter_settings.get_all(uow.session)
    assert stored == {
        "social_security": (True, {"endpoint": "http://127.0.0.1:8001", "timeout_s": 5, "account": "ss01"}),
        "employment": (False, {}),
    }


@pytest.mark.parametrize("config", [
    {"endpoint": "http://x", "password": "p"},
    {"tls": {"client_secret": "s"}},
    {"accessToken": "t"},
])
def test_adapter_settings_refuse_secrets_and_write_nothing(db, clock, config):
    with pytest.raises(SecretInConfigError) as err:
        with db.unit_of_work() as uow:
            adapter_settings.set_config(uow.session, "medical_insurance", config, "admin01", clock=clock)
    assert "密钥环" in err.value.message_zh
    with db.unit_of_work() as uow:
        assert adapter_settings.get_all(uow.session) == {}


def test_two_workstations_appending_at_once_keep_one_chain(db_url, db):
    """Four 'workstations' (own engine each) append concurrently; the head lock serialises them."""
    stations = [open_database(db_url, migrate=False) for _ in range(4)]
    errors: list[BaseException] = []

    def work(station: Database, n: int) -> None:
        try:
            log = AuditLog(station)
            for i in range(10):
                log.append(f"clerk{n}", "case.viewed", subject=f"{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, n)) for n, s in enumerate(stations)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for s in stations:
        s.dispose()
    assert not errors, errors
    report = AuditLog(db).verify()
    assert report.ok, report.problems
    assert report.checked == 40


def _user(name: str, clock) -> User:
    now = clock()
    return User(username=name, display_name=name, role="clerk", counter="", password_hash="x",
                failed_attempts=0, locked_until=None, disabled=False, password_changed_at=now, created_at=now)


def _snapshot(db: Database) -> tuple:
    with db.engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return tables, version
