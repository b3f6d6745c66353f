"""The unified profile: every source's value of every field side by side, and the clerk's picks.

Resolution rule (the same for the profile screen and the application): a field whose sources all agree is
taken as it is; a field whose sources disagree is a conflict until the clerk picks a source. Nothing is
merged, and every source's value stays as it was received.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from desktop.devices.nations import nation_name
from desktop.fields import ID_CARD_SUPPLIER, FieldDef
from desktop.identity import mask_id_number
from desktop.security.accounts import UserInfo
from desktop.services import case_repo
from desktop.services.dto import ProfileField, SourcedValue
from desktop.services.intake_base import CLERK_SOURCE, IntakeBase
from desktop.services.intake_errors import InvalidInput


def source_rank(source: str) -> tuple[int, str]:
    """The card first (the citizen's own document), departments by id, what the clerk typed last."""
    if source == ID_CARD_SUPPLIER:
        return (0, "")
    if source == CLERK_SOURCE:
        return (2, "")
    return (1, source)


class ProfileRow(Protocol):
    """A stored value as resolve reads it: an ORM ProfileValue or a plain row of case_repo.profile_snapshot."""

    @property
    def field(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def fetched_at(self) -> datetime: ...
    @property
    def verified(self) -> bool: ...
    @property
    def chosen(self) -> bool: ...


@dataclass(frozen=True)
class Resolved:
    field: str
    rows: tuple[ProfileRow, ...]
    chosen_source: str | None

    @property
    def conflict(self) -> bool:
        return len({r.value for r in self.rows}) > 1

    @property
    def value(self) -> str | None:
        for row in self.rows:
            if row.source == self.chosen_source:
                return row.value
        return None


def resolve(rows: Iterable[ProfileRow]) -> dict[str, Resolved]:
    """Field -> its values in source order and the source in force (None while a conflict is open)."""
    grouped: dict[str, list[ProfileRow]] = {}
    for row in rows:
        grouped.setdefault(row.field, []).append(row)
    resolved: dict[str, Resolved] = {}
    for name, values in grouped.items():
        values.sort(key=lambda r: source_rank(r.source))
        picked = next((r.source for r in values if r.chosen), None)
        if picked is None and len({r.value for r in values}) == 1:
            picked = values[0].source
        resolved[name] = Resolved(name, tuple(values), picked)
    return resolved


class ProfileSteps(IntakeBase):
    def profile(self, user: UserInfo, case_id: int) -> list[ProfileField]:
        """The citizen's unified profile (an audited view of personal data)."""
        actor = self._actor(user)
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = case_repo.case_head(session, case_id)
            resolved = resolve(case_repo.profile_snapshot(session, case.id))
            order = self._field_order(case.one_thing, resolved)
            names: dict[str, str] = {}  # a source's name is looked up once, not once per value
            result = [self._field_view(resolved[name], names) for name in order]
            self._audit.append(actor.username, "profile.viewed", subject=case.case_no,
                               citizen_id=case.citizen_id_number,
                               detail={"fields": len(result), "conflicts": sum(1 for f in result if f.conflict)},
                               session=session)
        return result

    def choose_value(self, user: UserInfo, case_id: int, field: str, source: str) -> ProfileField:
        """The clerk takes ``source``'s value of ``field`` (recorded: who, when; audited; on the timeline)."""
        actor = self._actor(user)
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = case_repo.get_case(session, case_id)
            case_repo.require_draft(case)
            rows = case_repo.profile_rows(session, case.id, field)
            target = next((r for r in rows if r.source == source), None)
            if target is None:
                raise InvalidInput(f"case {case.case_no}: no value of {field} from {source}",
                                   f"{self._label(field)}没有来自{self._source_name(source)}的数据")
            for row in rows:
                row.chosen = row is target
                row.chosen_by = actor.username if row is target else ""
            session.flush()
            case_repo.add_event(session, case, "value_chosen",
                                f"{self._label(field)}：采用{self._source_name(source)}的数据",
                                actor=actor.display_name, at=now, adapter_id=None)
            citizen = self._citizen(session, case)
            self._audit.append(actor.username, "profile.value_chosen", subject=case.case_no,
                               citizen_id=citizen.id_number,
                               detail={"field": field, "source": source, "others": len(rows) - 1},
                               session=session)
            return self._field_view(resolve(rows)[field])

    # -- helpers ----------------------------------------------------------------------------------------
    def _field_order(self, one_thing: str | None, resolved: dict[str, Resolved]) -> list[str]:
        first = self._catalog.fields_for(one_thing) if one_thing in self._catalog.one_things else []
        known = [d.name for d in self._fields]
        order = [f for f in dict.fromkeys([*first, *known]) if f in resolved]
        return order + sorted(set(resolved) - set(order))

    def _field_view(self, item: Resolved, names: dict[str, str] | None = None) -> ProfileField:
        names = {} if names is None else names
        definition = self._fields.get(item.field)
        values: list[SourcedValue] = []
        for row in item.rows:
            name = names.get(row.source)
            if name is None:
                name = names[row.source] = self._source_name(row.source)
            values.append(SourcedValue(value=row.value, display=_display(definition, item.field, row.value),
                                       source=row.source, source_name=name, fetched_at=row.fetched_at,
                                       verified=row.verified))
        return ProfileField(field=item.field, label=definition.label if definition else item.field,
                            values=tuple(values), chosen_source=item.chosen_source,
                            sensitive=bool(definition.sensitive) if definition else False)


def _display(definition: FieldDef | None, field: str, value: str) -> str:
    if definition is None:
        return value
    if definition.type == "id_number":
        return mask_id_number(value)
    if field == "person.nation":
        return nation_name(value) or value
    if definition.type == "enum" and value in definition.choices:
        return definition.choices[value]
    return value
