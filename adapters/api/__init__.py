"""OneWindow adapter SDK: the stable, typed contract third parties code against.

Imports nothing from ``desktop`` or ``ui``. See adapters/README.md, "Writing an adapter".
"""

from .base import Adapter, AdapterContext, SessionExpired, SessionKeeper, SessionReporter, utc_now
from .concurrent import gather
from .errors import (
    AdapterError, AdapterTimeout, AuthError, ConfigError, ConsentError, MalformedReplyError, NotFoundError,
    RejectedError, UnavailableError,
)
from .formats import CHINA_TIME, format_china_time, mask_id, parse_china_time
from .lookup import require_consent, requested_fields, values_with_provenance
from .manifest import ConfigOption, Manifest, ManifestError, load_manifest_text, parse_manifest
from .session_adapter import SessionAdapter
from .types import (
    BranchState, CanonicalApplication, Credentials, FieldValue, HealthResult, LookupRequest, LookupResult,
    MaterialRef, Provenance, RenderedPayload, SessionInfo, SessionState, StatusResult, SubmitResult,
)
from .version import API_VERSION, version_in_range

__all__ = [
    "API_VERSION", "CHINA_TIME", "Adapter", "AdapterContext", "AdapterError", "AdapterTimeout", "AuthError",
    "BranchState", "CanonicalApplication", "ConfigError", "ConfigOption", "ConsentError", "Credentials",
    "FieldValue", "HealthResult", "LookupRequest", "LookupResult", "MalformedReplyError", "Manifest",
    "ManifestError", "MaterialRef", "NotFoundError", "Provenance", "RejectedError", "RenderedPayload",
    "SessionAdapter", "SessionExpired", "SessionInfo", "SessionKeeper", "SessionReporter", "SessionState",
    "StatusResult", "SubmitResult", "UnavailableError", "format_china_time", "gather", "load_manifest_text",
    "mask_id", "parse_china_time", "parse_manifest", "require_consent", "requested_fields", "utc_now",
    "values_with_provenance", "version_in_range",
]
