"""公共数据平台 public data platform adapter: every request HMAC-signed with the department account (app key +
app secret), every query carrying the citizen's authorisation reference.

There is no login: the "session" is the knowledge that the platform accepts our signature, checked with a
cheap signed ping. The state is reported through the same SessionInfo/on_session_change as elsewhere."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from adapters.api import (
    Adapter, AdapterContext, AdapterError, BranchState, CanonicalApplication, ConfigError, FieldValue,
    HealthResult, LookupRequest, LookupResult, MalformedReplyError, NotFoundError, RenderedPayload, SessionInfo,
    SessionReporter, SessionState, StatusResult, SubmitResult, gather, parse_china_time, require_consent,
    requested_fields, values_with_provenance,
)
from adapters.api.http import make_session, timeout_of

from .mapping import ARCHIVE_STATUS, HOUSEHOLD_FIELDS, PLATFORM_TIME, former_names, household_fields, marital_status
from .protocol import Envelope, PlatformClient, encode_body
from .render import render_archive


@dataclass(frozen=True)
class Query:
    """One of the platform's shared-data interfaces, and what the clerk is told when it holds nothing."""

    path: str
    answers: frozenset[str]
    missing_zh: str


#: the platform's person queries; they are independent of each other, so one lookup sends them at once
QUERIES: tuple[Query, ...] = (
    Query("/api/v1/household/query", frozenset(HOUSEHOLD_FIELDS), "公共数据平台未查到户籍信息，户籍相关项目未带出"),
    Query("/api/v1/marital/query", frozenset({"person.marital_status"}),
          "公共数据平台未查到婚姻登记信息，婚姻状况未带出"),
    Query("/api/v1/former-names/query", frozenset({"person.former_names"}), "公共数据平台未查到曾用名信息"),
)

#: platform codes that mean the platform no longer accepts our signature (the "session" has failed)
_SIGNATURE_CODES = ("40100", "40101", "40102", "40103")


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
        self._session = SessionReporter(context)

    # -- session (signature check) ---------------------------------------------------------------
    def open_session(self) -> SessionInfo:
        self._session.set(SessionInfo(SessionState.CONNECTING))
        try:
            self._client.call("GET", "/api/v1/ping", what="ping")
        except AdapterError as exc:
            self._session.set(SessionInfo(SessionState.FAILED, reason=exc.message_zh))
            raise
        self._session.set(SessionInfo(SessionState.CONNECTED))
        return self._session.info

    def session_info(self) -> SessionInfo:
        return self._session.info

    def close(self) -> None:
        self._session.set(SessionInfo(SessionState.DISCONNECTED))
        self._http.close()

    def _signed(self, method: str, path: str, *, body: bytes = b"", what: str) -> Envelope:
        """One signed call; an answer from the platform proves the signature, a refused one says why."""
        try:
            env = self._client.call(method, path, body=body, what=what)
        except AdapterError as exc:
            if exc.department_code in _SIGNATURE_CODES:
                self._session.set(SessionInfo(SessionState.FAILED, reason=exc.message_zh))
            raise
        if self._session.info.state is not SessionState.CONNECTED:
            self._session.set(SessionInfo(SessionState.CONNECTED))
        return env

    # -- lookup ----------------------------------------------------------------------------------
    def lookup(self, request: LookupRequest) -> LookupResult:
        auth_ref = require_consent(request, self.id)
        wanted = requested_fields(request, self.manifest)
        # the reference travels in the signed body, so nobody on the way can swap it
        body = encode_body({"gmsfhm": request.id_number.strip().upper(), "xm": request.name, "auth_ref": auth_ref,
                            "purpose": request.purpose})
        queries = [q for q in QUERIES if wanted & q.answers]
        replies = gather([lambda q=q: self._query(q, body) for q in queries], max_workers=len(QUERIES),
                         thread_name="public-data-lookup")
        missing = [r for r in replies if isinstance(r, NotFoundError)]
        if missing and len(missing) == len(replies):
            raise missing[0]  # the platform does not know this citizen at all
        values: list[FieldValue] = []
        warnings: list[str] = []
        for query, reply in zip(queries, replies):
            if isinstance(reply, NotFoundError):
                # one registry holding nothing (e.g. no marriage registration) leaves only its fields out
                warnings.append(query.missing_zh)
                continue
            try:
                found = self._fields(query.path, reply.data, warnings)
            except AdapterError as exc:
                exc.adapter_id = self.id
                raise
            values.extend(values_with_provenance(self.id, self.context.clock(), found, wanted,
                                                 source_ref=reply.trace_id))
        return LookupResult(self.id, tuple(values), tuple(warnings))

    def _query(self, query: Query, body: bytes) -> Envelope | NotFoundError:
        """One query (run in a worker thread): its envelope, or the platform's "nothing here" as a value;
        every other failure is raised and fails the whole lookup."""
        try:
            env = self._signed("POST", query.path, body=body, what=query.path.rsplit("/", 2)[-2])
        except NotFoundError as exc:
            return exc
        if not isinstance(env.data, dict):
            raise MalformedReplyError(f"{query.path}: reply has no data object", adapter_id=self.id)
        return env

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
        self.ensure_own_payload(payload)
        env = self._signed("PUT", f"/api/v1/archive-requests/{quote(idempotency_key, safe='')}",
                           body=payload.body, what="archive request")
        return self._submit_result(env.data, "archive request")

    def _submit_result(self, data: Any, what: str) -> SubmitResult:
        if not isinstance(data, dict) or not isinstance(data.get("archive_id"), str) or not data["archive_id"]:
            raise MalformedReplyError(f"{what}: reply lacks archive_id", adapter_id=self.id)
        return SubmitResult(data["archive_id"], duplicate=bool(data.get("duplicate", True)),
                            accepted_at=parse_china_time(data.get("jssj"), PLATFORM_TIME))

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
                            updated_at=parse_china_time(data.get("gxsj"), PLATFORM_TIME))

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
