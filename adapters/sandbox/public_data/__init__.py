"""公共数据平台 public data platform sandbox (HMAC-signed REST JSON; 户籍, marital status, former names)."""

from .server import PublicDataSandbox

__all__ = ["PublicDataSandbox"]
