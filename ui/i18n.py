"""Loading the Chinese translations: ours (resources/translations) and Qt's own for standard dialogs."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger("onewindow.ui.i18n")

CATALOG = "onewindow"
DEFAULT_LOCALE = "zh_CN"


def translations_dir() -> Path:
    return Path(str(resources.files("resources") / "translations"))


def install_translators(app: QCoreApplication, locale: str = DEFAULT_LOCALE) -> list[QTranslator]:
    """Install our catalogue and Qt's base catalogue; returns them (parented to ``app``, kept alive).

    A missing catalogue is logged, not fatal: the UI then shows its English source strings.
    """
    installed: list[QTranslator] = []
    candidates = [
        (translations_dir(), f"{CATALOG}_{locale}"),
        (Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)), f"qtbase_{locale}"),
    ]
    for directory, name in candidates:
        translator = QTranslator(app)
        if translator.load(name, str(directory)):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            log.warning("translation catalogue %s not found in %s", name, directory)
            translator.deleteLater()
    QLocale.setDefault(QLocale(locale))
    return installed
