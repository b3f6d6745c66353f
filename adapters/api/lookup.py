"""The parts of ``Adapter.lookup`` that are the same in every adapter: refusing a query without consent,
which fields the request wants, and canonical values with their provenance."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from .errors import ConsentError
from .manifest import Manifest
from .types import FieldValue, LookupRequest, Provenance


def require_consent(request: LookupRequest, adapter_id: str) -> str:
    """The request's consent reference, stripped; ConsentError (before anything is sent) when it is blank."""
    consent = request.consent_ref.strip()
    if not consent:
        raise ConsentError("lookup without a consent reference refused before calling out", adapter_id=adapter_id)
    return consent


def requested_fields(request: LookupRequest, manifest: Manifest) -> frozenset[str]:
    """The canonical fields the request asks for; every field the manifest declares when it names none."""
    return frozenset(request.fields or manifest.fields)


def values_with_provenance(adapter_id: str, fetched_at: datetime, mapping: Mapping[str, str],
                           wanted_fields: Collection[str], source_ref: str | None = None) -> tuple[FieldValue, ...]:
    """``mapping`` (canonical field -> canonical value) as FieldValues the department vouches for, sorted by
    field name, keeping only wanted fields with a non-empty value (an empty value is "not known", never a
    value to show)."""
    provenance = Provenance(adapter_id, fetched_at, verified=True, source_ref=source_ref or None)
    return tuple(FieldValue(name, value, provenance) for name, value in sorted(mapping.items())
                 if name in wanted_fields and value)
