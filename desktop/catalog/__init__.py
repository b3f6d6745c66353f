"""The catalog of items (事项) and one-things (一件事); format documented in resources/catalog/README.md."""

from desktop.catalog.catalog import Catalog
from desktop.catalog.checker import check_catalog
from desktop.catalog.loader import CatalogError
from desktop.catalog.model import (
    SOURCE_LABELS_ZH,
    CatalogProblem,
    Item,
    Material,
    MaterialSource,
    OneThing,
    Origin,
)

__all__ = [
    "SOURCE_LABELS_ZH", "Catalog", "CatalogError", "CatalogProblem", "Item", "Material",
    "MaterialSource", "OneThing", "Origin", "check_catalog",
]
