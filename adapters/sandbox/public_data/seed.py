"""The platform's people: the demo citizens joined with the registry data of registry.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from adapters.sandbox.base import load_demo_citizens


@dataclass(frozen=True)
class Resident:
    id_number: str
    name: str
    gender: str
    nation: str
    birth_date: str  # yyyyMMdd, as the registry keeps it
    address: str
    household_no: str
    household_type: str
    household_region: str
    marital_status: str
    marital_registered: str
    former_names: tuple[str, ...]


def load_residents() -> dict[str, Resident]:
    """Every registered resident keyed by ID number."""
    citizens = load_demo_citizens()
    text = (resources.files(__package__) / "registry.toml").read_text(encoding="utf-8")
    out: dict[str, Resident] = {}
    for key, rec in tomllib.loads(text)["people"].items():
        card = citizens[key]
        out[card["id_number"]] = Resident(
            id_number=card["id_number"], name=card["name"], gender=card["gender"], nation=card.get("nation", ""),
            birth_date=card["birth_date"].replace("-", ""), address=card["address"],
            household_no=rec["household_no"], household_type=rec["household_type"],
            household_region=rec["household_region"], marital_status=rec["marital_status"],
            marital_registered=rec.get("marital_registered", ""), former_names=tuple(rec["former_names"]))
    return out
