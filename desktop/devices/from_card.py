"""Turns the text fields stored on a card into a validated IdentityDocument."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from desktop.devices.document import LONG_TERM_ZH, CardType, IdentityDocument
from desktop.devices.errors import CardDataError
from desktop.devices.nations import nation_name
from desktop.devices.sam.text import CardText
from desktop.devices.validation import validate_document

_FIELD_ZH = {"birth_date": "出生日期", "valid_from": "有效期起始日期", "valid_to": "有效期截止日期"}


def parse_card_date(value: str, field_name: str) -> date:
    """A YYYYMMDD date as stored on the card; CardDataError when it is not a real date."""
    label = _FIELD_ZH.get(field_name, field_name)
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise CardDataError("bad_date", f"卡片上的{label}格式不正确",
                            f"{field_name}: {len(value)} characters, expected 8 digits YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise CardDataError("bad_date", f"卡片上的{label}不是有效日期",
                            f"{field_name}: month or day out of range") from None


def document_from_card_text(text: CardText, *, sam_id: str, source: str, today: date) -> IdentityDocument:
    birth = parse_card_date(text.birth_date, "birth_date")
    valid_from = parse_card_date(text.valid_from, "valid_from")
    valid_to = None if text.valid_to == LONG_TERM_ZH else parse_card_date(text.valid_to, "valid_to")
    foreigner = text.card_type is CardType.FOREIGNER_PERMANENT
    nation = text.nation if text.card_type is CardType.RESIDENT else ""
    doc = IdentityDocument(
        card_type=text.card_type,
        name=text.name,
        english_name=text.english_name,
        gender=text.gender,
        nation=nation,
        nation_name=nation_name(nation) if nation else "",
        birth_date=birth,
        address=text.address,
        id_number=text.id_number.upper(),
        nationality=text.nationality if foreigner else "CHN",
        issuing_authority=text.authority_code if foreigner else text.issuing_authority,
        valid_from=valid_from,
        valid_to=valid_to,
        permit_number=text.permit_number,
        issue_count=text.issue_count,
        sam_id=sam_id,
        source=source,
    )
    return replace(doc, problems=validate_document(doc, today))
