"""Every failure an adapter reports is one of these. The host shows ``message_zh`` to the clerk and
logs ``detail``; neither may contain a full ID number or a secret."""

from __future__ import annotations


class AdapterError(Exception):
    """Base class. ``retryable`` tells the dispatcher whether sending again may help."""

    kind = "error"
    retryable = False
    default_zh = "部门接口发生错误"

    def __init__(self, detail: str, *, message_zh: str | None = None, adapter_id: str | None = None,
                 department_code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.message_zh = message_zh or self.default_zh
        self.adapter_id = adapter_id
        #: the department's own error/business code when it gave one
        self.department_code = department_code

    def __str__(self) -> str:
        prefix = f"[{self.adapter_id}] " if self.adapter_id else ""
        code = f" (code {self.department_code})" if self.department_code else ""
        return f"{prefix}{self.kind}: {self.detail}{code}"


class AuthError(AdapterError):
    """Login refused, credentials wrong or missing, or the session could not be renewed."""
    kind = "auth"
    default_zh = "部门系统登录失败，请联系管理员检查部门账号"


class NotFoundError(AdapterError):
    """The department has no record of this citizen or reference."""
    kind = "not_found"
    default_zh = "部门系统中未查到该记录"


class RejectedError(AdapterError):
    """The department refused the request on its merits; ``reason`` is the department's own words."""
    kind = "rejected"
    default_zh = "部门退回了申请"

    def __init__(self, detail: str, *, reason: str = "", **kw: object) -> None:
        super().__init__(detail, **kw)  # type: ignore[arg-type]
        self.reason = reason or detail


class MalformedReplyError(AdapterError):
    """The reply could not be read (bad envelope, wrong encoding, missing fields)."""
    kind = "malformed"
    retryable = True
    default_zh = "部门系统返回的数据无法识别"


class AdapterTimeout(AdapterError):
    """No answer in time. For a submission the outcome is UNKNOWN, never assumed."""
    kind = "timeout"
    retryable = True
    default_zh = "部门系统响应超时"


class UnavailableError(AdapterError):
    """Connection refused, outage, 5xx, or throttled beyond what the adapter waits for."""
    kind = "unavailable"
    retryable = True
    default_zh = "部门系统暂时无法访问"


class ConfigError(AdapterError):
    """The adapter's configuration is incomplete or invalid (endpoint, CA bundle, account)."""
    kind = "config"
    default_zh = "部门接口配置有误，请联系管理员"


class ConsentError(AdapterError):
    """The department (or the host) refused a query that lacks a matching citizen authorisation."""
    kind = "consent"
    default_zh = "缺少群众授权，不能调取该部门数据"
