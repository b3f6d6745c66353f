"""Plain, immutable data the services hand to the UI (never live ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class CaseSummary:
    id: int
    case_no: str
    citizen_name: str
    citizen_id_masked: str
    one_thing: str | None
    one_thing_name: str
    state: str
    state_zh: str
    assignee: str
    counter: str
    created_at: datetime
    updated_at: datetime
    due_date: date | None
    version: int
    visits: int = 0
    #: department id -> branch state, for the case list's per-department columns
    branches: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ConsentScope:
    """What the citizen is asked to authorise: per department, the canonical fields and their labels."""

    department: str
    department_name: str
    adapter_id: str
    fields: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class ConsentRecord:
    consent_ref: str
    purpose: str
    method: str
    granted_at: datetime
    clerk: str
    scope: tuple[ConsentScope, ...]


@dataclass(frozen=True)
class SourcedValue:
    value: str
    #: display text (enum label, formatted date)
    display: str
    source: str
    source_name: str
    fetched_at: datetime
    verified: bool


@dataclass(frozen=True)
class ProfileField:
    field: str
    label: str
    #: every source's value, in source order; more than one distinct value = a conflict
    values: tuple[SourcedValue, ...]
    #: the source the clerk chose (or the only one); None while a conflict is unresolved
    chosen_source: str | None
    sensitive: bool = False

    @property
    def conflict(self) -> bool:
        return len({v.value for v in self.values}) > 1

    @property
    def value(self) -> str | None:
        for v in self.values:
            if v.source == self.chosen_source:
                return v.value
        return None


@dataclass(frozen=True)
class PullStatus:
    """One department's pull, as it progresses: pending -> running -> done | failed | refused."""

    adapter_id: str
    department_name: str
    state: str
    message_zh: str = ""
    detail: str = ""
    field_count: int = 0
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class MaterialView:
    code: str
    name: str
    source: str
    #: who produces/supplies it (department name) where the source is produced/pulled
    provider: str
    status: str
    status_zh: str
    tolerable: bool
    commitment: str = ""
    owed_by: date | None = None
    files: tuple[tuple[str, str], ...] = ()  # (filename, sha256)


@dataclass(frozen=True)
class FormField:
    field: str
    label: str
    type: str
    value: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    format_hint: str = ""


@dataclass(frozen=True)
class PayloadPreview:
    adapter_id: str
    department_name: str
    item_codes: tuple[str, ...]
    content_type: str
    preview: str
    #: (department field/path, canonical field, canonical label)
    field_sources: tuple[tuple[str, str, str], ...]
    error_zh: str = ""


@dataclass(frozen=True)
class BranchView:
    id: int
    adapter_id: str
    department_name: str
    item_codes: tuple[str, ...]
    state: str
    state_zh: str
    department_ref: str | None
    reason: str
    attempts: int
    last_error: str
    updated_at: datetime


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    text: str
    actor: str = ""


@dataclass(frozen=True)
class CaseDetail:
    summary: CaseSummary
    branches: tuple[BranchView, ...]
    timeline: tuple[TimelineEntry, ...]
    materials: tuple[MaterialView, ...]
    rating: tuple[int, str] | None = None
    delivery_method: str = "pickup"
    delivery_address: str = ""
    cancel_reason: str = ""
    extra: dict[str, str] = field(default_factory=dict)
