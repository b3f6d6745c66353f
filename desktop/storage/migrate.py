"""Alembic, driven from code: the script directory ships inside the package, so a workstation
installed from a wheel migrates its database with no alembic.ini on disk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Arbitrary constant: every workstation that starts against one PostgreSQL database takes this
# transaction-scoped advisory lock, so only one of them runs the migrations.
_PG_MIGRATION_LOCK = 0x0E_0E_2024


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    # configparser treats % as interpolation; a path may contain one.
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    # Revision ids already carry the slug ("0003_add_x"); the file is named by the id alone.
    cfg.set_main_option("file_template", "%%(rev)s")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    heads = script_directory().get_heads()
    if len(heads) != 1:
        # Two helpers added revisions on the same parent: someone must set down_revision.
        raise RuntimeError(f"migration chain has {len(heads)} heads {heads}; it must have exactly one")
    return heads[0]


def known_revisions() -> set[str]:
    return {script.revision for script in script_directory().walk_revisions()}


def current_revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def upgrade_to_head(connection: Connection) -> None:
    """Run every pending revision inside the caller's transaction: all or nothing."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    command.upgrade(alembic_config(connection), "head")


def next_revision_id(slug: str) -> str:
    """Revision ids are '0002_cases' style, so the chain reads in order in the versions folder."""
    number = len(known_revisions()) + 1
    return f"{number:04d}_{slug}"


def make_revision(connection: Connection, message: str, slug: str, *, autogenerate: bool = True) -> Path:
    """Developer tool: write a new revision file into the source tree, compared against `connection`
    (a database already at head)."""
    cfg = alembic_config(connection)
    script = command.revision(cfg, message=message, autogenerate=autogenerate,
                              rev_id=next_revision_id(slug))
    if script is None or isinstance(script, list):
        raise RuntimeError("alembic did not create exactly one revision")
    return Path(script.path)
