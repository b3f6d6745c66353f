"""人社 (social security) sandbox department server."""

from .server import SocialSecuritySandbox

__all__ = ["SocialSecuritySandbox"]
