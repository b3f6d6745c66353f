"""OneWindow adapter SDK: the stable, typed contract third parties code against.

Imports nothing from ``desktop`` or ``ui``. See adapters/README.md, "Writing an adapter".
"""

from .base import Adapter, AdapterContext, SessionExpired, SessionKeeper, utc_now
from .errors import (
    AdapterError, AdapterTimeout, AuthError, ConfigError, ConsentError, MalformedReplyError, NotFoundError,
    RejectedError, UnavailableError,
)
from .manifest import ConfigOption, Manifest, ManifestError, load_manifest_text, parse_manifest
from .types import (
    BranchState, CanonicalApplication, Credentials, FieldValue, HealthResult, LookupRequest, LookupResult,
    MaterialRef, Provenance, RenderedPayload, SessionInfo, SessionState, StatusResult, SubmitResult,
)
from .version import API_VERSION, version_in_range

__all__ = [
    "API_VERSION", "Adapter", "AdapterContext", "AdapterError", "AdapterTimeout", "AuthError", "BranchState",
    "CanonicalApplication", "ConfigError", "ConfigOption", "ConsentError", "Credentials", "FieldValue",
    "HealthResult", "LookupRequest", "LookupResult", "MalformedReplyError", "Manifest", "ManifestError",
    "MaterialRef", "NotFoundError", "Provenance", "RejectedError", "RenderedPayload", "SessionExpired",
    "SessionInfo", "SessionKeeper", "SessionState", "StatusResult", "SubmitResult", "UnavailableError",
    "load_manifest_text", "parse_manifest", "utc_now", "version_in_range",
]
