"""Where the ORM models live. Add your module here when you add models, so Alembic autogenerate
and tests/integration/test_storage.py (models == migrations) see every table."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

MODEL_MODULES: tuple[str, ...] = (
    "desktop.storage.models",
    "desktop.storage.case_models",
)


def load_all_models() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    from desktop.storage.models import Base

    return Base.metadata
