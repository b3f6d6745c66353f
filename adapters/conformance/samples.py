"""The data the conformance kit feeds an adapter: the canonical field dictionary, the synthetic demo
citizens, and a sample application and lookup request built from them and from the adapter's manifest.

Read straight from the ``resources`` package with tomllib: the kit must not depend on the workstation
core (``desktop``), because plugin authors run it without a workstation.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from typing import Any

from adapters.api import CanonicalApplication, LookupRequest, Manifest, MaterialRef

DEFAULT_CITIZEN = "retiree_m"
#: fixed, so that rendering the sample twice must give the same bytes
SUBMITTED_AT = datetime(2026, 3, 16, 9, 30, tzinfo=timezone(timedelta(hours=8)))
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CITIZEN_FIELDS = {
    "person.id_number": "id_number", "person.name": "name", "person.gender": "gender",
    "person.nation": "nation", "person.birth_date": "birth_date", "person.address": "address",
}


def _resource_toml(*parts: str) -> dict[str, Any]:
    node = resources.files("resources")
    for part in parts:
        node = node / part
    return tomllib.loads(node.read_text(encoding="utf-8"))


def load_field_dictionary() -> dict[str, dict[str, Any]]:
    """Canonical field name -> its entry in resources/fields.toml."""
    return dict(_resource_toml("fields.toml").get("fields", {}))


def load_departments() -> dict[str, dict[str, Any]]:
    return dict(_resource_toml("fields.toml").get("departments", {}))


def load_demo_citizens() -> dict[str, dict[str, Any]]:
    """Citizen key (retiree_m, ...) -> what the card says, from resources/demo/citizens.toml."""
    return dict(_resource_toml("demo", "citizens.toml").get("citizens", {}))


def id_check_character(first17: str) -> str:
    """GB 11643 check character (weights 7 9 10 5 ..., mod 11, mapped through 10X98765432)."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def unknown_id_number() -> str:
    """A well-formed ID number of nobody: born 1900-01-01, so no sandbox or demo seed holds it."""
    first17 = "33010619000101999"
    return first17 + id_check_character(first17)


def _sample_value(name: str, spec: Mapping[str, Any], citizen: Mapping[str, Any]) -> str:
    birth = date.fromisoformat(str(citizen.get("birth_date", "1966-03-15")))
    if name in _CITIZEN_FIELDS and citizen.get(_CITIZEN_FIELDS[name]):
        return str(citizen[_CITIZEN_FIELDS[name]])
    if name == "app.retirement_date":
        # 60th birthday; someone born on 29 February retires on 1 March of a common year
        try:
            return birth.replace(year=birth.year + 60).isoformat()
        except ValueError:
            return date(birth.year + 60, 3, 1).isoformat()
    kind = spec.get("type", "string")
    if kind == "date":
        return SUBMITTED_AT.date().isoformat()
    if kind == "enum":
        choices = spec.get("choices") or {}
        return str(next(iter(choices), ""))
    if kind == "integer":
        return "180"
    if kind == "money":
        return "5000.00"
    if kind == "phone":
        return "13800138000"
    if kind == "bank_card":
        return "6222020000000000000"
    if kind == "address":
        return str(citizen.get("address", "浙江省杭州市西湖区文三路100号"))
    if kind == "id_number":
        return str(citizen.get("id_number", ""))
    return f"示例{spec.get('label', name)}"


def sample_application(manifest: Manifest, citizen: Mapping[str, Any],
                       dictionary: Mapping[str, Mapping[str, Any]] | None = None) -> CanonicalApplication:
    """One complete canonical application for ``citizen``: every dictionary field filled with a plausible
    value, asking for every item the adapter can submit."""
    dictionary = load_field_dictionary() if dictionary is None else dictionary
    values = {name: _sample_value(name, spec, citizen) for name, spec in sorted(dictionary.items())}
    return CanonicalApplication(
        case_no="OW-CHECK-000001", one_thing="conformance_check", items=tuple(manifest.items),
        fields=values,
        materials=(MaterialRef(code="id_card", name="居民身份证", source="brought", status="received"),),
        clerk="conformance", counter="00", submitted_at=SUBMITTED_AT)


def sample_request(manifest: Manifest, citizen: Mapping[str, Any]) -> LookupRequest:
    return LookupRequest(id_number=str(citizen["id_number"]), name=str(citizen["name"]),
                         consent_ref="CONSENT-CHECK-0001", purpose="conformance check",
                         fields=tuple(manifest.fields))


def citizen_or_error(key: str) -> dict[str, Any]:
    citizens = load_demo_citizens()
    try:
        return dict(citizens[key])
    except KeyError:
        raise KeyError(f"no demo citizen {key!r} (known: {', '.join(sorted(citizens))})") from None
