"""Lays a `Document` out on the pages of a paged device (QPdfWriter or QPrinter) and paints it.

Two passes: the blocks become unbreakable rows of measured height, the rows are dealt onto pages
(a table's title stays with its header and first row; a table that breaks repeats its header),
then every page is painted with its furniture ("page i of N" needs the count first).
All sizes are in device pixels derived from the device's resolution, so a 300 dpi PDF and a
600 dpi printer get the same physical layout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPagedPaintDevice, QPainter, QPen, QTextLayout, QTextOption

from desktop.documents.layout import Block, Document, FieldGrid, Paragraph, SignatureLine, Table
from ui.printing.barcode import TEXT_HEIGHT_MODULES, code128_width_modules, paint_code128
from ui.printing.fonts import document_font

BARCODE_MODULE_MM = 0.34  # X-dimension: within what handheld counter scanners read comfortably
BARCODE_BAR_MM = 11.0
_GREY = QColor("#555555")
_SHADE = QColor("#ececec")


@dataclass
class _Row:
    height: float
    paint: Callable[[QPainter, float], None]  # paints the row with its top at y
    keep_with_next: bool = False
    repeat: tuple[_Row, ...] = ()  # rows to print first when this row opens a new page
    spacer: bool = False


@dataclass
class _Page:
    rows: list[tuple[float, _Row]] = field(default_factory=list)

    def has_content(self) -> bool:
        return any(not row.spacer for _, row in self.rows)


class _Units:
    def __init__(self, dpi: float) -> None:
        self.dpi = dpi

    def mm(self, value: float) -> float:
        return value * self.dpi / 25.4

    def pt(self, value: float) -> float:
        return value * self.dpi / 72.0


def paint_document(device: QPagedPaintDevice, document: Document) -> int:
    """Paint `document` on `device` (already set up: page size, margins); return the page count."""
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("the paint device refused to start painting (file not writable or printer gone)")
    try:
        return _DocumentPainter(painter, device, document).paint()
    finally:
        painter.end()


class _DocumentPainter:
    def __init__(self, painter: QPainter, device: QPagedPaintDevice, document: Document) -> None:
        self.painter = painter
        self.device = device
        self.document = document
        self.u = _Units(device.logicalDpiY())
        self.width = float(device.width())
        self.height = float(device.height())
        self.body = document_font(10.5)
        self.body_bold = document_font(10.5, bold=True)
        self.small = document_font(8.5)
        self.heading = document_font(11.5, bold=True)
        self.title = document_font(20, bold=True)
        self.issuer = document_font(11)
        self.pen = QPen(QColor("black"), self.u.pt(0.6))
        self.pad = self.u.mm(1.6)

    # -- measuring ---------------------------------------------------------------------------
    def _layout(self, text: str, font: QFont, width: float) -> tuple[QTextLayout, float]:
        layout = QTextLayout(text, font, self.device)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        y = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, y))
            y += line.height()
        layout.endLayout()
        return layout, y

    def _text_height(self, text: str, font: QFont, width: float) -> float:
        return self._layout(text, font, width)[1]

    def _draw_text(self, rect: QRectF, text: str, font: QFont, color: QColor | None = None) -> None:
        layout, _ = self._layout(text, font, rect.width())
        self.painter.setPen(color or QColor("black"))
        layout.draw(self.painter, rect.topLeft())

    # -- page furniture ----------------------------------------------------------------------
    def _first_page_header(self) -> float:
        """Paint issuer, title and barcode; return where the body starts. Also used to measure."""
        u = self.u
        barcode_h = 0.0
        if self.document.barcode:
            module = max(1.0, round(u.mm(BARCODE_MODULE_MM)))
            barcode_w = code128_width_modules(self.document.reference) * module
            barcode_h = u.mm(BARCODE_BAR_MM) + module * TEXT_HEIGHT_MODULES
            self._barcode_rect = QRectF(self.width - barcode_w, 0, barcode_w, barcode_h)
        text_w = self.width - (self._barcode_rect.width() if self.document.barcode else 0) - u.mm(4)
        issuer_h = self._text_height(self.document.issuer, self.issuer, text_w)
        title_h = self._text_height(self.document.title, self.title, text_w)
        self._issuer_rect = QRectF(0, u.mm(1), text_w, issuer_h)
        self._title_rect = QRectF(0, u.mm(1) + issuer_h + u.mm(2), text_w, title_h)
        band = max(barcode_h, self._title_rect.bottom()) + u.mm(2.5)
        return band + u.mm(4)

    def _paint_first_page_header(self, rule_y: float) -> None:
        self._draw_text(self._issuer_rect, self.document.issuer, self.issuer, _GREY)
        self._draw_text(self._title_rect, self.document.title, self.title)
        if self.document.barcode:
            paint_code128(self.painter, self._barcode_rect, self.document.reference)
        self._rule(rule_y)

    def _continuation_header(self) -> float:
        return self.u.mm(8)

    def _paint_continuation_header(self) -> None:
        text = f"{self.document.title}（续）    受理编号 {self.document.reference}"
        self._draw_text(QRectF(0, 0, self.width, self.u.mm(6)), text, self.small, _GREY)
        self._rule(self.u.mm(5.5))

    def _footer_height(self) -> float:
        return self.u.mm(8)

    def _paint_footer(self, index: int, count: int) -> None:
        text = f"受理编号 {self.document.reference}    第 {index} 页 / 共 {count} 页"
        self.painter.setFont(self.small)
        self.painter.setPen(_GREY)
        rect = QRectF(0, self.height - self.u.mm(5), self.width, self.u.mm(5))
        self.painter.drawText(rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), text)

    def _rule(self, y: float) -> None:
        self.painter.setPen(self.pen)
        self.painter.drawLine(QPointF(0, y), QPointF(self.width, y))

    # -- blocks to rows ----------------------------------------------------------------------
    def _spacer(self, mm: float) -> _Row:
        return _Row(self.u.mm(mm), lambda painter, y: None, spacer=True)

    def _rows(self) -> list[_Row]:
        rows: list[_Row] = []
        for block in self.document.blocks:
            if isinstance(block, SignatureLine) and rows:
                # A signature alone on a last page signs nothing: take the last line along.
                rows[-1].keep_with_next = True
                rows[-2].keep_with_next = True
            rows.extend(self._block_rows(block))
            rows.append(self._spacer(3.5))
        return rows

    def _block_rows(self, block: Block) -> list[_Row]:
        if isinstance(block, FieldGrid):
            return self._grid_rows(block)
        if isinstance(block, Table):
            return self._table_rows(block)
        if isinstance(block, Paragraph):
            return self._paragraph_rows(block)
        return [self._signature_row(block)]

    def _grid_rows(self, grid: FieldGrid) -> list[_Row]:
        column_w = self.width / grid.columns
        label_w = max(self._advance(f"{label}：", self.body) for label, _ in grid.pairs) + self.u.mm(1)
        value_w = column_w - label_w - self.u.mm(3)
        rows = []
        for start in range(0, len(grid.pairs), grid.columns):
            line = grid.pairs[start:start + grid.columns]
            height = max(self._text_height(value, self.body_bold, value_w) for _, value in line) + self.u.mm(1.8)

            def paint(painter: QPainter, y: float, line: tuple[tuple[str, str], ...] = line,
                      height: float = height) -> None:
                for column, (label, value) in enumerate(line):
                    x = column * column_w
                    self._draw_text(QRectF(x, y, label_w, height), f"{label}：", self.body, _GREY)
                    self._draw_text(QRectF(x + label_w, y, value_w, height), value, self.body_bold)

            rows.append(_Row(height, paint))
        return rows

    def _advance(self, text: str, font: QFont) -> float:
        layout, _ = self._layout(text, font, 1e6)
        return layout.lineAt(0).naturalTextWidth()

    def _table_rows(self, table: Table) -> list[_Row]:
        total = sum(table.weights)
        widths = [self.width * weight / total for weight in table.weights]
        title = self._heading_row(table.title)
        continued = self._heading_row(f"{table.title}（续）")
        header = self._cells_row(table.headers, widths, self.body_bold, shaded=True)
        header.keep_with_next = True
        body = [self._cells_row(cells, widths, self.body) for cells in table.rows]
        if not body:
            body = [self._cells_row((table.empty_text,), [self.width], self.body)]
        for row in body:
            row.repeat = (continued, header)
        return [title, header, *body]

    def _heading_row(self, text: str) -> _Row:
        height = self._text_height(text, self.heading, self.width) + self.u.mm(1.5)

        def paint(painter: QPainter, y: float) -> None:
            self._draw_text(QRectF(0, y, self.width, height), text, self.heading)

        return _Row(height, paint, keep_with_next=True)

    def _cells_row(self, cells: tuple[str, ...], widths: list[float], font: QFont, *, shaded: bool = False) -> _Row:
        inner = [w - 2 * self.pad for w in widths]
        height = max(self._text_height(text, font, w) for text, w in zip(cells, inner, strict=True)) + 2 * self.pad

        def paint(painter: QPainter, y: float) -> None:
            x = 0.0
            for text, width in zip(cells, widths, strict=True):
                rect = QRectF(x, y, width, height)
                if shaded:
                    painter.fillRect(rect, _SHADE)
                painter.setPen(self.pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
                self._draw_text(rect.adjusted(self.pad, self.pad, -self.pad, -self.pad), text, font)
                x += width

        return _Row(height, paint)

    def _paragraph_rows(self, paragraph: Paragraph) -> list[_Row]:
        rows = [self._heading_row(paragraph.heading)] if paragraph.heading else []
        for line in paragraph.text.split("\n"):
            height = self._text_height(line, self.body, self.width) + self.u.mm(1)

            def paint(painter: QPainter, y: float, line: str = line, height: float = height) -> None:
                self._draw_text(QRectF(0, y, self.width, height), line, self.body)

            rows.append(_Row(height, paint))
        return rows

    def _signature_row(self, signature: SignatureLine) -> _Row:
        height = self.u.mm(14)
        slot_w = self.width / len(signature.labels)

        def paint(painter: QPainter, y: float) -> None:
            baseline = y + height - self.u.mm(3)
            for index, label in enumerate(signature.labels):
                x = index * slot_w
                text = f"{label}："
                text_w = self._advance(text, self.body)
                text_h = self._text_height(text, self.body, slot_w)
                self._draw_text(QRectF(x, baseline - text_h, slot_w, text_h), text, self.body)
                painter.setPen(self.pen)
                painter.drawLine(QPointF(x + text_w + self.u.mm(1), baseline),
                                 QPointF(x + slot_w - self.u.mm(8), baseline))

        return _Row(height, paint)

    # -- pagination and painting -------------------------------------------------------------
    def _paginate(self, rows: list[_Row], first_top: float, other_top: float, bottom: float) -> list[_Page]:
        pages = [_Page()]
        y = first_top
        for index, row in enumerate(rows):
            if row.spacer and not pages[-1].has_content():
                continue
            group = row.height
            follower = index
            while rows[follower].keep_with_next and follower + 1 < len(rows):
                follower += 1
                group += rows[follower].height
            if y + group > bottom and pages[-1].has_content():
                if row.spacer:
                    continue  # the page break is space enough
                pages.append(_Page())
                y = other_top
                for repeated in row.repeat:
                    pages[-1].rows.append((y, repeated))
                    y += repeated.height
            pages[-1].rows.append((y, row))
            y += row.height
        return pages

    def paint(self) -> int:
        first_top = self._first_page_header()
        other_top = self._continuation_header()
        bottom = self.height - self._footer_height()
        pages = self._paginate(self._rows(), first_top, other_top, bottom)
        for number, page in enumerate(pages, start=1):
            if number > 1 and not self.device.newPage():
                raise OSError("the paint device refused a new page")
            if number == 1:
                self._paint_first_page_header(first_top - self.u.mm(4))
            else:
                self._paint_continuation_header()
            for y, row in page.rows:
                row.paint(self.painter, y)
            self._paint_footer(number, len(pages))
        return len(pages)
