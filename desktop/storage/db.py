"""Opening the database: one engine per workstation, migrated to head at start, and a unit of work
per user action (cosmicpython style).

SQLite (the embedded default) runs with foreign keys on, WAL, a busy timeout, and transactions that
start with ``BEGIN IMMEDIATE``: a unit of work takes the write lock when it starts, so two threads
or processes never both read and then fail to upgrade to a write (SQLITE_BUSY mid-transaction),
and DDL in migrations is transactional. PostgreSQL is used as is (READ COMMITTED); code that must
serialise (audit chain head, outbox claims) locks rows explicitly.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from desktop.errors import UserFacingError
from desktop.storage import migrate as migrations

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
_READ_ONLY = "onewindow_read_only"
DATABASE_FILENAME = "onewindow.db"


class DatabaseOpenError(UserFacingError):
    """The database cannot be used. ``message_zh`` is for the clerk or the IT administrator."""


class SchemaError(DatabaseOpenError):
    """Newer-than-known schema, a file that is not (or no longer) a database, or a foreign one."""


class MigrationFailed(DatabaseOpenError):
    """A migration raised; its transaction was rolled back, the schema is as it was."""


class DatabaseUnavailable(DatabaseOpenError):
    """The server cannot be reached or refuses the connection."""


class UnitOfWork:
    """One transaction for one user action: commits on success, rolls back on any exception.

    ``write_lock`` (SQLite only) is held from the start to the end of a writing unit of work.
    """

    def __init__(self, factory: sessionmaker[Session], write_lock: threading.RLock | None = None) -> None:
        self._factory = factory
        self._session: Session | None = None
        self._write_lock = write_lock
        self._locked = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._write_lock is not None:
            # Past the timeout we go on regardless: SQLite's own busy timeout then decides, exactly as
            # for a writer in another process, so a stuck writer never hangs this thread for good.
            self._locked = self._write_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
            if not self._locked:
                log.warning("waited %d ms for this process's SQLite writer; trying the database lock anyway",
                            SQLITE_BUSY_TIMEOUT_MS)
        self._session = self._factory()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        session = self.session
        try:
            if exc_type is None:
                session.commit()
            else:
                session.rollback()
        finally:
            try:
                session.close()
            finally:
                self._session = None
                if self._locked:
                    self._locked = False
                    assert self._write_lock is not None
                    self._write_lock.release()


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # expire_on_commit=False: results are turned into plain dataclasses after the commit.
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._reading_sessions = sessionmaker(engine.execution_options(**{_READ_ONLY: True}),
                                              expire_on_commit=False)
        # SQLite admits one writer at a time. Without this lock a second writing thread of this process
        # waits inside SQLite's busy handler, which sleeps in growing steps (1, 2, 5, 10, 15, 20, 25 ms...)
        # and so often starts 10 ms or more after the database is free: four department answers arriving
        # together queued up by 20-45 ms each. Queueing on a Python lock hands the database over the moment
        # the previous unit of work has committed. Writers in other processes still meet the busy timeout.
        # Reentrant, so a unit of work opened inside another one on the same thread behaves as before.
        self._write_lock = threading.RLock() if engine.dialect.name == "sqlite" else None

    @property
    def url(self) -> URL:
        """SQLAlchemy's URL masks the password in repr() and str()."""
        return self.engine.url

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        """`read_only` units (long reports, audit verify) do not take SQLite's write lock, so they
        never hold up another counter's writes; they must not write."""
        if read_only:
            return UnitOfWork(self._reading_sessions)
        return UnitOfWork(self._sessions, self._write_lock)

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url!r})"


def default_sqlite_url(data_dir: Path | str) -> str:
    return f"sqlite+pysqlite:///{(Path(data_dir) / DATABASE_FILENAME).resolve()}"


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open `url`, refuse a schema this code does not know, and (with `migrate`) apply pending
    migrations in one transaction. Raises SchemaError / DatabaseUnavailable; writes nothing then."""
    sa_url = _parse_url(url)
    engine = _create_engine(sa_url)
    try:
        current = _check_schema(engine, sa_url)
        head = migrations.head_revision()
        if migrate and current != head:
            log.info("migrating %s from %s to %s", sa_url, current or "empty", head)
            try:
                with engine.begin() as conn:
                    migrations.upgrade_to_head(conn)
            except Exception as exc:
                log.exception("migration of %s to %s failed; rolled back", sa_url, head)
                raise MigrationFailed(f"migration to {head} failed: {type(exc).__name__}: {exc}",
                                      "数据库结构升级失败，已全部回滚，数据库保持原样；"
                                      "请把日志文件交给技术支持") from exc
        if engine.dialect.name == "sqlite":
            _enable_wal(engine)
    except BaseException:
        engine.dispose()
        raise
    return Database(engine)


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        revisions = migrations.current_revisions(conn)
    return revisions[0] if revisions else None


def _parse_url(url: str) -> URL:
    try:
        sa_url = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"cannot parse database URL: {exc}",
                                  "数据库地址格式不正确，例如 postgresql+psycopg://用户@主机:5432/库名") from None
    # Only psycopg 3 is installed; a plain postgresql:// would ask for psycopg2.
    if sa_url.drivername == "postgresql":
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    if sa_url.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(f"unsupported database backend {sa_url.get_backend_name()!r}",
                                  "只支持 SQLite 和 PostgreSQL 数据库")
    return sa_url


def _create_engine(sa_url: URL) -> Engine:
    if sa_url.get_backend_name() != "sqlite":
        return create_engine(sa_url, pool_pre_ping=True)
    kwargs: dict[str, Any] = {}
    database = sa_url.database or ""
    if database in ("", ":memory:"):
        # One shared connection, or every checkout would see its own empty database.
        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(sa_url, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module; _sqlite_on_begin emits BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(_READ_ONLY) else "BEGIN IMMEDIATE")


def _enable_wal(engine: Engine) -> None:
    # journal_mode cannot change inside a transaction; the raw connection is in autocommit.
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
    finally:
        raw.close()


def _check_schema(engine: Engine, sa_url: URL) -> str | None:
    """Return the current revision (None for an empty database) after refusing what we cannot use."""
    where = _describe(sa_url)
    try:
        with engine.connect() as conn:
            revisions = migrations.current_revisions(conn)
            tables = set(inspect(conn).get_table_names())
            conn.rollback()
    except OperationalError as exc:
        if engine.dialect.name == "sqlite" and _looks_corrupt(exc):
            raise _corrupt(where, exc) from None
        raise DatabaseUnavailable(f"cannot open database {where}: {exc.orig}",
                                  f"无法连接数据库（{where}），请检查地址、网络和数据库服务") from None
    except DBAPIError as exc:
        if engine.dialect.name == "sqlite":
            raise _corrupt(where, exc) from None
        raise DatabaseUnavailable(f"cannot open database {where}: {exc.orig}",
                                  f"无法打开数据库（{where}）：{exc.orig}") from None
    known = migrations.known_revisions()
    unknown = [r for r in revisions if r not in known]
    if unknown:
        raise SchemaError(
            f"database {where} has schema revision {', '.join(unknown)}, newer than this program knows",
            f"数据库（{where}）的结构版本比本程序新（{', '.join(unknown)}），"
            "请先将本工作站升级到最新版本；为避免损坏数据，本程序没有做任何修改")
    if len(revisions) > 1:
        raise SchemaError(f"database {where} has several schema heads {revisions}",
                          f"数据库（{where}）的结构版本记录异常，请联系技术支持")
    if not revisions and tables - {"alembic_version"}:
        raise SchemaError(
            f"database {where} has tables {sorted(tables)[:5]} but no OneWindow schema version",
            f"数据库（{where}）不是一窗通的数据库（已有其他数据表），本程序没有做任何修改")
    return revisions[0] if revisions else None


def _looks_corrupt(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(word in text for word in ("not a database", "malformed", "corrupt", "disk image"))


def _corrupt(where: str, exc: DBAPIError) -> SchemaError:
    return SchemaError(f"database file {where} is unreadable: {exc.orig}",
                       f"数据库文件（{where}）已损坏或不是数据库文件，无法打开；"
                       "请从备份恢复，或联系技术支持。本程序没有修改该文件")


def _describe(sa_url: URL) -> str:
    if sa_url.get_backend_name() == "sqlite":
        return sa_url.database or ":memory:"
    return sa_url.render_as_string(hide_password=True)
