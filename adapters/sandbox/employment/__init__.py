"""就业 employment service centre sandbox (REST JSON, OAuth2 client credentials, 429 throttle, pagination)."""

from .server import EmploymentSandbox

__all__ = ["EmploymentSandbox"]
