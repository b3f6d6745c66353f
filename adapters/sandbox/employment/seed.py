"""The employment centre's people: the demo citizens joined with the centre's own records (records.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from adapters.sandbox.base import load_demo_citizens


@dataclass(frozen=True)
class EmploymentRecord:
    record_no: str
    employer: str
    start: str
    end: str | None

    def resource(self) -> dict[str, Any]:
        return {"recordNo": self.record_no, "employerName": self.employer, "startDate": self.start,
                "endDate": self.end, "open": self.end is None}


@dataclass(frozen=True)
class Person:
    person_id: str
    id_number: str
    name: str
    registration_no: str
    status: str
    education: str
    residence_address: str
    mobile: str
    records: tuple[EmploymentRecord, ...]

    def has_open_record(self) -> bool:
        return any(r.end is None for r in self.records)


def load_people() -> dict[str, Person]:
    """Every seeded person keyed by ID number."""
    citizens = load_demo_citizens()
    text = (resources.files(__package__) / "records.toml").read_text(encoding="utf-8")
    people: dict[str, Person] = {}
    for key, rec in tomllib.loads(text)["persons"].items():
        card = citizens[key]
        records = tuple(EmploymentRecord(r["record_no"], r["employer"], r["start"], r.get("end"))
                        for r in rec["records"])
        people[card["id_number"]] = Person(
            person_id=rec["person_id"], id_number=card["id_number"], name=card["name"],
            registration_no=rec["registration_no"], status=rec["status"], education=rec["education"],
            residence_address=rec["residence_address"], mobile=rec["mobile"], records=records)
    return people
