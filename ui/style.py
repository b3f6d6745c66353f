"""The look: the CJK font and the style sheet from resources/style."""

from __future__ import annotations

import logging
from importlib import resources

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger("onewindow.ui.style")

PREFERRED_FAMILY = "Noto Sans CJK SC"
BASE_POINT_SIZE = 12
STYLE_SHEET = "onewindow.qss"


def cjk_family() -> str | None:
    """The font that renders Simplified Chinese: Noto Sans CJK SC when installed, else any that can."""
    families = QFontDatabase.families()
    if PREFERRED_FAMILY in families:
        return PREFERRED_FAMILY
    fallback = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    return fallback[0] if fallback else None


def apply_style(app: QApplication) -> str | None:
    """Set the application font and style sheet; returns the font family used (None: no CJK font)."""
    family = cjk_family()
    if family is None:
        log.warning("no font that can show Simplified Chinese is installed; install fonts-noto-cjk "
                    "(Debian) or the Noto Sans CJK SC font, otherwise Chinese text shows as boxes")
    elif family != PREFERRED_FAMILY:
        log.warning("%s is not installed; using %s for Chinese text", PREFERRED_FAMILY, family)
    font = QFont(family) if family else QFont()
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(style_sheet())
    return family


def style_sheet() -> str:
    return (resources.files("resources") / "style" / STYLE_SHEET).read_text(encoding="utf-8")
