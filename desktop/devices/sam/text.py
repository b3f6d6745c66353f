"""The 256-byte text block of a second-generation card: UCS-2 little-endian, space-padded,
with three layouts chosen by the card type at offset 248 (PROTOCOLS.md §1)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from desktop.devices.document import CardType
from desktop.devices.errors import CardDataError

BLOCK_LEN = 256
TYPE_OFFSET = 248
_TYPE_CHARS = {" ": CardType.RESIDENT, "J": CardType.HK_MO_TW_PERMIT, "I": CardType.FOREIGNER_PERMANENT}
_PAD = " \x00"


@dataclass(frozen=True)
class CardText:
    """The text fields exactly as stored on the card (dates as YYYYMMDD, 长期 as is)."""

    card_type: CardType
    name: str = ""
    english_name: str = ""
    gender: str = ""
    nation: str = ""
    birth_date: str = ""
    address: str = ""
    id_number: str = field(default="", repr=False)
    nationality: str = ""
    issuing_authority: str = ""
    valid_from: str = ""
    valid_to: str = ""
    permit_number: str = ""
    issue_count: str = ""
    card_version: str = ""
    authority_code: str = ""


# field name -> (byte offset, byte length), per card type
_COMMON = {"name": (0, 30), "gender": (30, 2), "birth_date": (36, 16), "address": (52, 70),
           "id_number": (122, 36), "issuing_authority": (158, 30), "valid_from": (188, 16),
           "valid_to": (204, 16)}
LAYOUTS: dict[CardType, dict[str, tuple[int, int]]] = {
    CardType.RESIDENT: {**_COMMON, "nation": (32, 4)},
    CardType.HK_MO_TW_PERMIT: {**_COMMON, "permit_number": (220, 18), "issue_count": (238, 4)},
    CardType.FOREIGNER_PERMANENT: {
        "english_name": (0, 120), "gender": (120, 2), "id_number": (122, 30), "nationality": (152, 6),
        "name": (158, 30), "valid_from": (188, 16), "valid_to": (204, 16), "birth_date": (220, 16),
        "card_version": (236, 4), "authority_code": (240, 8)},
}


def _text_error(detail: str) -> CardDataError:
    return CardDataError("invalid_text", "卡片文字信息无法识别（不是有效的 UCS-2 编码），请重新放卡", detail)


def _decode_field(block: bytes, name: str, offset: int, size: int) -> str:
    raw = block[offset:offset + size]
    chars: list[str] = []
    for i in range(0, size, 2):
        unit = raw[i] | raw[i + 1] << 8
        # UCS-2 has no surrogates; noncharacters and controls never appear in printed card text.
        if 0xD800 <= unit <= 0xDFFF or unit in (0xFFFE, 0xFFFF) or (unit < 0x20 and unit != 0):
            raise _text_error(f"field {name} (offset {offset}): invalid UCS-2 code unit 0x{unit:04X} "
                              f"at byte {offset + i}")
        chars.append(chr(unit))
    text = "".join(chars).rstrip(_PAD)
    if "\x00" in text:
        raise _text_error(f"field {name} (offset {offset}): NUL inside the text")
    return text


def card_type_of(block: bytes) -> CardType:
    unit = block[TYPE_OFFSET] | block[TYPE_OFFSET + 1] << 8
    card_type = _TYPE_CHARS.get(chr(unit))
    if card_type is None:
        raise CardDataError("unknown_card_type", "无法识别的证件类型，请放置居民身份证、港澳台居民居住证或外国人永久居留身份证",
                            f"card type code unit 0x{unit:04X} at offset {TYPE_OFFSET}")
    return card_type


def decode_text_block(block: bytes) -> CardText:
    if len(block) != BLOCK_LEN:
        raise CardDataError("bad_text_length", "卡片文字信息长度不正确，请重新放卡",
                            f"text block of {len(block)} bytes, expected {BLOCK_LEN}")
    card_type = card_type_of(block)
    values = {name: _decode_field(block, name, off, size) for name, (off, size) in LAYOUTS[card_type].items()}
    return CardText(card_type=card_type, **values)


def encode_text_block(text: CardText) -> bytes:
    """The block a card with these fields carries; ValueError when a field does not fit."""
    layout = LAYOUTS[text.card_type]
    block = bytearray(" ".encode("utf-16-le") * (BLOCK_LEN // 2))
    for f in fields(CardText):
        if f.name == "card_type":
            continue
        value = getattr(text, f.name)
        if f.name not in layout:
            if value:
                raise ValueError(f"{text.card_type.name} cards have no field {f.name}")
            continue
        offset, size = layout[f.name]
        if any(ord(ch) > 0xFFFF for ch in value):
            raise ValueError(f"field {f.name} has a character outside UCS-2")
        data = value.encode("utf-16-le")
        if len(data) > size:
            raise ValueError(f"field {f.name} needs {len(data)} bytes, the card has {size}")
        block[offset:offset + len(data)] = data
    type_char = {v: k for k, v in _TYPE_CHARS.items()}[text.card_type]
    block[TYPE_OFFSET:TYPE_OFFSET + 2] = type_char.encode("utf-16-le")
    return bytes(block)
