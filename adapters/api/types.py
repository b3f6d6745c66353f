"""Plain, immutable data that crosses the adapter boundary. No I/O here."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Credentials:
    """A department account, handed in by the host (which keeps the secret in the OS keyring)."""

    account: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class Provenance:
    """Where a value came from. ``verified`` means the department vouches for it (read-only at the counter)."""

    adapter_id: str
    fetched_at: datetime
    verified: bool = True
    #: the department's own record reference, when it gave one
    source_ref: str | None = None


@dataclass(frozen=True)
class FieldValue:
    """One canonical field (a name from resources/fields.toml) with its value in canonical form."""

    field: str
    value: str
    provenance: Provenance


@dataclass(frozen=True)
class LookupRequest:
    """Ask a department what it knows about one citizen.

    ``consent_ref`` is the citizen's authorisation reference recorded by the host; adapters pass it on
    to departments that demand one and must refuse to query without it.
    """

    id_number: str = field(repr=False)
    name: str
    consent_ref: str
    purpose: str
    #: canonical fields wanted; empty means every field the adapter can supply
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class LookupResult:
    adapter_id: str
    values: tuple[FieldValue, ...]
    #: human-readable notes about what could not be read (e.g. an unexpected shape), in Chinese
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, str]:
        return {v.field: v.value for v in self.values}


@dataclass(frozen=True)
class MaterialRef:
    """A material of the case as the departments need to know it (not the file itself)."""

    code: str
    name: str
    #: "pulled" | "produced" | "brought"
    source: str
    #: "received" | "pulled" | "tolerated" (容缺: the citizen committed to bring it later) | "pending"
    status: str
    sha256: str | None = None


@dataclass(frozen=True)
class CanonicalApplication:
    """The ONE application of a case in canonical form, from which every department payload is rendered."""

    case_no: str
    one_thing: str
    #: catalog item codes of the whole case; each adapter renders the ones it can submit
    items: tuple[str, ...]
    #: canonical field name -> canonical value (dates ISO, enums as canonical codes)
    fields: Mapping[str, str]
    materials: tuple[MaterialRef, ...]
    clerk: str
    counter: str
    #: when the clerk pressed submit (rendering uses this, never the wall clock, so it is deterministic)
    submitted_at: datetime


@dataclass(frozen=True)
class RenderedPayload:
    """What exactly one department will receive for one case."""

    adapter_id: str
    item_codes: tuple[str, ...]
    content_type: str
    body: bytes
    #: pretty-printed body for the clerk (decoded text, indented XML/JSON)
    preview: str
    #: department field name / path in the payload -> canonical field it came from
    field_sources: Mapping[str, str]


@dataclass(frozen=True)
class SubmitResult:
    department_ref: str
    #: True when the department recognised the idempotency key and returned the earlier record
    duplicate: bool = False
    accepted_at: datetime | None = None


class BranchState(str, enum.Enum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def final(self) -> bool:
        return self in (BranchState.APPROVED, BranchState.REJECTED)


@dataclass(frozen=True)
class StatusResult:
    department_ref: str
    state: BranchState
    #: the department's reason (for a rejection, what the citizen must fix)
    reason: str = ""
    updated_at: datetime | None = None


class SessionState(str, enum.Enum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RENEWING = "renewing"
    FAILED = "failed"


@dataclass(frozen=True)
class SessionInfo:
    state: SessionState
    #: why it failed, in Chinese, when state is FAILED
    reason: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class HealthResult:
    ok: bool
    latency_ms: float
    detail: str = ""
