"""医保 (medical insurance) sandbox department server."""

from .server import MedicalInsuranceSandbox

__all__ = ["MedicalInsuranceSandbox"]
