"""The identity document a reader yields: plain, immutable data that any layer may hold.

Every reader (SAM serial, manual entry, demo, a vendor's plugin) produces exactly this shape, so
the services never care where a card came from. The full ID number never appears in ``repr``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from desktop.identity import mask_id_number

# No reader can decode the WLT photo without the vendor's library, so say so instead of
# showing an empty frame.
PHOTO_NOTE = "照片未解码（需厂商解码库）"

GENDER_NAMES = {"1": "男", "2": "女", "0": "未知", "9": "未说明"}

LONG_TERM_ZH = "长期"


class CardType(str, enum.Enum):
    """The card kinds of the 256-byte text block (byte 248)."""

    RESIDENT = "resident"
    HK_MO_TW_PERMIT = "J"
    FOREIGNER_PERMANENT = "I"

    @property
    def label_zh(self) -> str:
        return _CARD_TYPE_LABELS[self]


_CARD_TYPE_LABELS = {
    CardType.RESIDENT: "居民身份证",
    CardType.HK_MO_TW_PERMIT: "港澳台居民居住证",
    CardType.FOREIGNER_PERMANENT: "外国人永久居留身份证",
}


@dataclass(frozen=True)
class DocumentProblem:
    """Something wrong with a document that was read; flagged for the clerk, never hidden.

    ``field`` names the IdentityDocument attribute concerned ("" for the document as a whole).
    """

    code: str
    field: str
    message_zh: str


@dataclass(frozen=True)
class IdentityDocument:
    card_type: CardType
    name: str
    english_name: str
    gender: str
    nation: str
    nation_name: str
    birth_date: date
    address: str
    id_number: str = field(repr=False)
    nationality: str
    issuing_authority: str
    valid_from: date
    #: None means 长期 (no end date)
    valid_to: date | None
    permit_number: str
    issue_count: str
    sam_id: str
    source: str
    problems: tuple[DocumentProblem, ...] = ()
    photo_decoded: bool = False
    photo_note: str = PHOTO_NOTE

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def gender_name(self) -> str:
        return GENDER_NAMES.get(self.gender, "")

    @property
    def validity_text(self) -> str:
        """The validity as printed on the card: 2016.03.01-长期."""
        end = LONG_TERM_ZH if self.valid_to is None else f"{self.valid_to:%Y.%m.%d}"
        return f"{self.valid_from:%Y.%m.%d}-{end}"

    @property
    def is_valid(self) -> bool:
        """True when nothing was flagged (the clerk may still proceed after checking a flag)."""
        return not self.problems

    def problem_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.problems)

    def __repr__(self) -> str:
        # Hand-written so that neither the number nor the address can leak through a log line.
        return (f"IdentityDocument(card_type={self.card_type.name}, id={self.masked_id}, "
                f"source={self.source!r}, sam_id={self.sam_id!r}, problems={list(self.problem_codes())})")

    __str__ = __repr__
