"""The document typeface: Noto Sans CJK SC, falling back to the CJK fonts of other systems."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

DOCUMENT_FONT_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei")


def document_font(point_size: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(list(DOCUMENT_FONT_FAMILIES))
    font.setPointSizeF(point_size)
    font.setBold(bold)
    # Embedded outlines keep the PDF's text searchable and sharp at any printer resolution.
    font.setStyleStrategy(QFont.StyleStrategy.PreferOutline)
    # Noto CJK's 'locl' swaps digits in Latin runs for glyphs outside its cmap; the PDF then has no
    # text for them and "YC330106-..." can no longer be searched or copied. The SC face needs no locl.
    font.setFeature(QFont.Tag("locl"), 0)
    return font


def cjk_font_installed() -> bool:
    families = set(QFontDatabase.families())
    return any(family in families for family in DOCUMENT_FONT_FAMILIES)
