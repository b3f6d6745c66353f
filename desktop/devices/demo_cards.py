"""Synthetic cards built from resources/demo/citizens.toml, for the demo reader and the simulator."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources

from desktop.devices.document import CardType
from desktop.devices.sam.text import LAYOUTS, CardText

_PERMIT_CHARS = LAYOUTS[CardType.HK_MO_TW_PERMIT]["permit_number"][1] // 2


def load_demo_cards(toml_text: str | None = None) -> dict[str, CardText]:
    """Citizen key (retiree_m, ...) -> the card that citizen carries, in file order."""
    if toml_text is None:
        toml_text = (resources.files("resources") / "demo" / "citizens.toml").read_text(encoding="utf-8")
    citizens = tomllib.loads(toml_text).get("citizens", {})
    return {key: card_text_from_citizen(record) for key, record in citizens.items()}


def card_text_from_citizen(record: Mapping[str, str]) -> CardText:
    card_type = CardType(record.get("card_type", CardType.RESIDENT.value))

    def card_date(key: str) -> str:
        value = record.get(key, "")
        return value.replace("-", "") if value != "长期" else value

    permit, issue_count = record.get("permit_number", ""), record.get("issue_count", "")
    # citizens.toml writes the permit number as printed (number + issue count); the card stores
    # the two in separate fields.
    if len(permit) > _PERMIT_CHARS and issue_count and permit.endswith(issue_count):
        permit = permit[:-len(issue_count)]
    foreigner = card_type is CardType.FOREIGNER_PERMANENT
    return CardText(
        card_type=card_type,
        name=record.get("name", ""),
        english_name=record.get("english_name", ""),
        gender=record.get("gender", ""),
        nation=record.get("nation", "") if card_type is CardType.RESIDENT else "",
        birth_date=card_date("birth_date"),
        address="" if foreigner else record.get("address", ""),
        id_number=record["id_number"],
        nationality=record.get("nationality", "") if foreigner else "",
        issuing_authority="" if foreigner else record.get("issuing_authority", ""),
        valid_from=card_date("valid_from"),
        valid_to=card_date("valid_to"),
        permit_number=permit,
        issue_count=issue_count,
        card_version=record.get("card_version", "") if foreigner else "",
        authority_code=record.get("authority_code", "") if foreigner else "",
    )
