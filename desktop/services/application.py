"""The ONE canonical application of a case, from which every department's payload is rendered.

Used by the split preview (intake) and by the submission, which freezes it into ``Case.application_json``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from adapters.api import CanonicalApplication, MaterialRef
from desktop.catalog import Catalog, MaterialSource
from desktop.services import case_repo
from desktop.services.intake_profile import resolve
from desktop.storage.case_models import Case

#: CaseMaterial.status -> MaterialRef.status
_REF_STATUS = {"pulled": "pulled", "received": "received", "tolerated": "tolerated"}


def build_application(session: Session, case: Case, *, submitted_at: datetime, clerk: str,
                      catalog: Catalog | None = None) -> CanonicalApplication:
    """Fields: every profile field with a value in force (the clerk's pick, or the value all sources agree
    on, including what the clerk typed); a field with an open conflict is left out (missing_for_submit
    names it). Materials: the one-thing's materials in catalog order with their state at the counter.

    ``catalog`` defaults to the packaged catalog; services pass the workstation's own.
    """
    catalog = catalog or Catalog.load()
    if not case.one_thing or case.one_thing not in catalog.one_things:
        raise ValueError(f"case {case.case_no} has no (known) one-thing")
    thing = catalog.one_things[case.one_thing]
    fields = {name: item.value for name, item in resolve(case_repo.profile_rows(session, case.id)).items()
              if item.value is not None}
    rows = case_repo.materials_of(session, case.id)
    materials: list[MaterialRef] = []
    for material in catalog.materials_for(thing.code):
        row = rows.get(material.code)
        files = case_repo.files_of(session, row.id) if row is not None else []
        materials.append(MaterialRef(code=material.code, name=material.name,
                                     source=(material.source or MaterialSource.BROUGHT).value,
                                     status=_REF_STATUS.get(row.status, "pending") if row else "pending",
                                     sha256=files[0].sha256 if files else None))
    return CanonicalApplication(case_no=case.case_no, one_thing=thing.code, items=tuple(thing.items),
                                fields=dict(sorted(fields.items())), materials=tuple(materials), clerk=clerk,
                                counter=case.counter, submitted_at=submitted_at)


def application_to_json(application: CanonicalApplication) -> str:
    """The frozen form kept in ``Case.application_json``."""
    data: dict[str, Any] = {
        "case_no": application.case_no, "one_thing": application.one_thing, "items": list(application.items),
        "fields": dict(application.fields),
        "materials": [{"code": m.code, "name": m.name, "source": m.source, "status": m.status, "sha256": m.sha256}
                      for m in application.materials],
        "clerk": application.clerk, "counter": application.counter,
        "submitted_at": application.submitted_at.isoformat(),
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def application_from_json(text: str) -> CanonicalApplication:
    data = json.loads(text)
    return CanonicalApplication(
        case_no=data["case_no"], one_thing=data["one_thing"], items=tuple(data["items"]),
        fields=dict(data["fields"]),
        materials=tuple(MaterialRef(m["code"], m["name"], m["source"], m["status"], m.get("sha256"))
                        for m in data["materials"]),
        clerk=data["clerk"], counter=data["counter"], submitted_at=datetime.fromisoformat(data["submitted_at"]))
