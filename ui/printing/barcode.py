"""Code128 drawn bar by bar with QPainter.

python-barcode computes the symbol (start code, code-set switching, checksum, stop); we only
turn its module string into rectangles. Its SVG writer is not used: it sizes in mm, which
QSvgRenderer misrenders. Bars are whole device pixels wide when the device allows it, so edges
stay sharp on images and printers.
"""

from __future__ import annotations

import math

import barcode
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from ui.printing.fonts import document_font

QUIET_ZONE_MODULES = 10  # ISO/IEC 15417 asks for at least 10 modules of white each side
TEXT_HEIGHT_MODULES = 10  # the human-readable line under the bars
IMAGE_BAR_HEIGHT_MODULES = 50


def code128_modules(text: str) -> str:
    """The symbol as '1' (bar) and '0' (space) modules, quiet zones not included."""
    if not text or not text.isascii() or not text.isprintable():
        raise ValueError("Code128 here carries printable ASCII only")
    return str(barcode.Code128(text).build()[0])


def code128_width_modules(text: str) -> int:
    return len(code128_modules(text)) + 2 * QUIET_ZONE_MODULES


def paint_code128(painter: QPainter, rect: QRectF | QRect, text: str, *, human_readable: bool = True) -> None:
    """Paint the symbol of `text`, centred in `rect`, with its text underneath."""
    rect = QRectF(rect)
    modules = code128_modules(text)
    total = len(modules) + 2 * QUIET_ZONE_MODULES
    module = rect.width() / total
    if module < 1:
        raise ValueError(f"{rect.width():.0f} device pixels are too narrow for {total} modules")
    module = float(math.floor(module))
    text_height = module * TEXT_HEIGHT_MODULES if human_readable else 0.0
    bar_height = rect.height() - text_height
    if bar_height < module * 10:
        raise ValueError("rect is too low for readable bars")
    left = rect.left() + math.floor((rect.width() - total * module) / 2) + QUIET_ZONE_MODULES * module

    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.fillRect(QRectF(left - QUIET_ZONE_MODULES * module, rect.top(), total * module, rect.height()),
                     QColor("white"))
    black = QColor("black")
    # One rectangle per run of bars: adjacent hairline rects leave seams in some PDF viewers.
    index = 0
    while index < len(modules):
        if modules[index] == "1":
            end = index
            while end < len(modules) and modules[end] == "1":
                end += 1
            painter.fillRect(QRectF(left + index * module, rect.top(), (end - index) * module, bar_height), black)
            index = end
        else:
            index += 1
    if human_readable:
        font = document_font(8)
        font.setPixelSize(max(1, round(module * 8)))
        painter.setFont(font)
        painter.setPen(black)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        text_rect = QRectF(rect.left(), rect.top() + bar_height, rect.width(), text_height)
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), text)
    painter.restore()


def code128_image(text: str, module_px: int = 2) -> QImage:
    """The symbol of `text` as a white image with quiet zones, e.g. for on-screen display."""
    if module_px < 1:
        raise ValueError("module_px must be at least 1")
    width = code128_width_modules(text) * module_px
    height = (IMAGE_BAR_HEIGHT_MODULES + TEXT_HEIGHT_MODULES) * module_px
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        paint_code128(painter, QRectF(0, 0, width, height), text)
    finally:
        painter.end()
    return image
