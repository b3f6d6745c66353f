"""Where a reopened draft continues: the first step that is not complete yet (worker thread only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.services.dto import CaseSummary

#: profile sources that are not a department (the card, the clerk's typing)
_NOT_PULLED = frozenset({"id_card", "clerk"})


@dataclass(frozen=True)
class Resume:
    step: int
    #: the case already has department data (the pull step does not ask again by itself)
    pulled: bool


def resume_point(service: Any, user: Any, case: CaseSummary) -> Resume:
    if case.state != "draft":
        return Resume(8, True)
    if not case.one_thing:
        return Resume(2, False)
    if service.current_consent(user, case.id) is None:
        return Resume(3, False)
    profile = service.profile(user, case.id)
    pulled = any(v.source not in _NOT_PULLED for field in profile for v in field.values)
    if not pulled:
        return Resume(4, False)
    if any(field.conflict and field.chosen_source is None for field in profile):
        return Resume(5, True)
    if any(m.status == "pending" and m.source != "produced" for m in service.materials(user, case.id)):
        return Resume(6, True)
    if any(f.required and not f.value for f in service.form_fields(user, case.id)):
        return Resume(7, True)
    return Resume(8, True)
