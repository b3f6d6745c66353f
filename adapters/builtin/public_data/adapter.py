"""公共数据平台 public data platform adapter: every request HMAC-signed with the department account (app key +
app secret), every query carrying the citizen's authorisation reference.

There is no login: the "session" is the knowledge that the platform accepts our signature, checked with a
cheap signed ping. The state is reported through the same SessionInfo/on_session_change as elsewhere."""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import quote

from adapters.api import (
    Adapter, AdapterContext, AdapterError, BranchState, CanonicalApplication, ConfigError, ConsentError,
    FieldValue, HealthResult, LookupRequest, LookupResult, MalformedReplyError, NotFoundError, Provenance,
    RenderedPayload, SessionInfo, SessionState, StatusResult, SubmitResult,
)
from adapters.api.http import make_session, timeout_of

from .mapping import ARCHIVE_STATUS, HOUSEHOLD_FIELDS, former_names, from_platform_time, household_fields, \
    marital_status
from .protocol import Envelope, PlatformClient, encode_body
from .render import render_archive

#: query path -> the canonical fields it answers
QUERIES: tuple[tuple[str, frozenset[str]], ...] = (
    ("/api/v1/household/query", frozenset(HOUSEHOLD_FIELDS)),
    ("/api/v1/marital/query", frozenset({"person.marital_status"})),
    ("/api/v1/former-names/query", frozenset({"person.former_names"})),
)


class PublicDataAdapter(Adapter):
    def __init__(self, context: AdapterContext) -> None:
        super().__init__(context)
        endpoint = str(context.config.get("endpoint") or "")
        if not endpoint.startswith(("http://", "https://")):
            raise ConfigError(f"endpoint {endpoint!r} is not an http(s) URL", adapter_id=self.id,
                              message_zh="公共数据平台接口地址配置有误")
        self._http = make_session(context.config)
        self._client = PlatformClient(self._http, endpoint, adapter_id=self.id, timeout=timeout_of(context.config),
                                      clock=context.clock, credentials=context.credentials)
        self._lock = threading.Lock()
        self._info = SessionInfo(SessionState.DISCONNECTED)

    # -- session (signature check) ---------------------------------------------------------------
    def _set(self, info: SessionInfo) -> None:
        with self._lock:
            self._info = info
        if self.context.on_session_change is not None:
            try:
                self.context.on_session_change(info)
            except Exception:  # a listener's bug must not break the department call
                self.context.logger.exception("session listener failed")

    def open_session(self) -> SessionInfo:
        self._set(SessionInfo(SessionState.CONNECTING))
        try:
            self._client.call("GET", "/api/v1/ping", what="ping")
        except AdapterError as exc:
            self._set(SessionInfo(SessionState.FAILED, reason=exc.message_zh))
            raise
        self._set(SessionInfo(SessionState.CONNECTED))
        return self._info

    def session_info(self) -> SessionInfo:
        return self._info

    def close(self) -> None:
        self._set(SessionInfo(SessionState.DISCONNECTED))
        self._http.close()

    def _signed(self, method: str, path: str, *, body: bytes = b"", what: str) -> Envelope:
        """One signed call; an answer from the platform proves the signature, a refused one says why."""
        try:
            env = self._client.call(method, path, body=body, what=what)
        except AdapterError as exc:
            if exc.department_code in ("40100", "40101", "40102", "40103"):
                self._set(SessionInfo(SessionState.FAILED, reason=exc.message_zh))
            raise
        if self._info.state is not SessionState.CONNECTED:
            self._set(SessionInfo(SessionState.CONNECTED))
        return env

    # -- lookup ----------------------------------------------------------------------------------
    def lookup(self, request: LookupRequest) -> LookupResult:
        auth_ref = request.consent_ref.strip()
        if not auth_ref:
            raise ConsentError("lookup without an authorisation reference refused before calling out",
                               adapter_id=self.id)
        wanted = set(request.fields) or set(self.manifest.fields)
        # the reference travels in the signed body, so nobody on the way can swap it
        body = encode_body({"gmsfhm": request.id_number.strip().upper(), "xm": request.name, "auth_ref": auth_ref,
                            "purpose": request.purpose})
        values: list[FieldValue] = []
        warnings: list[str] = []
        for path, answers in QUERIES:
            if not wanted & answers:
                continue
            env = self._signed("POST", path, body=body, what=path.rsplit("/", 2)[-2])
            if not isinstance(env.data, dict):
                raise MalformedReplyError(f"{path}: reply has no data object", adapter_id=self.id)
            try:
                found = self._fields(path, env.data, warnings)
            except AdapterError as exc:
                exc.adapter_id = self.id
                raise
            prov = Provenance(self.id, self.context.clock(), verified=True, source_ref=env.trace_id or None)
            values.extend(FieldValue(k, v, prov) for k, v in sorted(found.items()) if k in wanted and v)
        return LookupResult(self.id, tuple(values), tuple(warnings))

    @staticmethod
    def _fields(path: str, data: dict[str, Any], warnings: list[str]) -> dict[str, str]:
        if path.endswith("/household/query"):
            return household_fields(data)
        if path.endswith("/marital/query"):
            status = marital_status(str(data.get("hyzk") or ""))
            if status is None:
                warnings.append("公共数据平台登记的婚姻状况为“未说明”，未带出")
                return {}
            return {"person.marital_status": status}
        return {"person.former_names": former_names(data)}

    # -- render / submit / status ----------------------------------------------------------------
    def render(self, application: CanonicalApplication) -> RenderedPayload:
        return render_archive(application, self.id)

    def submit(self, payload: RenderedPayload, idempotency_key: str) -> SubmitResult:
        env = self._signed("PUT", f"/api/v1/archive-requests/{quote(idempotency_key, safe='')}",
                           body=payload.body, what="archive request")
        return self._submit_result(env.data, "archive request")

    def _submit_result(self, data: Any, what: str) -> SubmitResult:
        if not isinstance(data, dict) or not isinstance(data.get("archive_id"), str) or not data["archive_id"]:
            raise MalformedReplyError(f"{what}: reply lacks archive_id", adapter_id=self.id)
        return SubmitResult(data["archive_id"], duplicate=bool(data.get("duplicate", True)),
                            accepted_at=from_platform_time(str(data.get("jssj", ""))))

    def find_submission(self, idempotency_key: str) -> SubmitResult | None:
        try:
            env = self._signed("GET", f"/api/v1/archive-requests/{quote(idempotency_key, safe='')}",
                               what="find archive request")
        except NotFoundError:
            return None
        return self._submit_result(env.data, "find archive request")

    def status(self, department_ref: str) -> StatusResult:
        env = self._signed("GET", f"/api/v1/archives/{quote(department_ref, safe='')}", what="archive status")
        data = env.data if isinstance(env.data, dict) else {}
        code = str(data.get("zt", ""))
        if code not in ARCHIVE_STATUS:
            raise MalformedReplyError(f"archive status code {code!r} unknown", adapter_id=self.id)
        return StatusResult(department_ref, BranchState(ARCHIVE_STATUS[code]), reason=str(data.get("sbyy") or ""),
                            updated_at=from_platform_time(str(data.get("gxsj", ""))))

    def health(self) -> HealthResult:
        started = time.monotonic()
        try:
            self._signed("GET", "/api/v1/ping", what="ping")
            ok, detail = True, "正常"
        except AdapterError as exc:
            ok, detail = False, exc.message_zh
        return HealthResult(ok, (time.monotonic() - started) * 1000.0, detail)


def create(context: AdapterContext) -> PublicDataAdapter:
    return PublicDataAdapter(context)
