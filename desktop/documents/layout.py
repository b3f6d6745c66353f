"""The printable shape of a document: a title, a reference (barcode) and a flow of blocks.

Documents are assembled from their data into these blocks here, without Qt; `ui/printing`
lays the blocks out on pages (tables break across pages and repeat their header).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldGrid:
    """Label/value pairs, several to a line (the head of a form)."""

    pairs: tuple[tuple[str, str], ...]
    columns: int = 2


@dataclass(frozen=True)
class Table:
    """A titled table; `weights` are the relative column widths."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...]
    empty_text: str = "（无）"

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.headers):
            raise ValueError("a table needs one weight per column")
        for row in self.rows:
            if len(row) != len(self.headers):
                raise ValueError("every table row needs one cell per column")


@dataclass(frozen=True)
class Paragraph:
    text: str
    heading: str = ""


@dataclass(frozen=True)
class SignatureLine:
    """Blank lines to sign on, side by side, e.g. ("申请人（签字）", "日期")."""

    labels: tuple[str, ...]


Block = FieldGrid | Table | Paragraph | SignatureLine


@dataclass(frozen=True)
class Document:
    title: str
    issuer: str  # the service hall, printed above the title
    reference: str  # the case number: the barcode on page one, the footer of every page
    blocks: tuple[Block, ...]
    barcode: bool = True
