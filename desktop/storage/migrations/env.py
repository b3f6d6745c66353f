"""Alembic environment. Runs only on a connection handed over by desktop.storage.migrate, inside
that caller's transaction, so a failed migration leaves nothing half-written."""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext

from desktop.storage.model_modules import load_all_models
from desktop.storage.models import UTCDateTime


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    # Revisions describe the column as the database sees it; UTC handling is the model's business.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `python main.py db upgrade` (desktop.storage.migrate), "
                       "not the alembic command line: there is no alembic.ini")

context.configure(
    connection=connection,
    target_metadata=load_all_models(),
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    render_as_batch=True,
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
