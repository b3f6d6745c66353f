"""就业 employment service centre adapter: OAuth2 bearer tokens that renew themselves, 429 back-off within the
timeout budget, every page of the employment records, idempotent applications."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from adapters.api import (
    Adapter, AdapterContext, AdapterError, BranchState, CanonicalApplication, ConfigError, ConsentError,
    Credentials, FieldValue, HealthResult, LookupRequest, LookupResult, MalformedReplyError, Provenance,
    RenderedPayload, SessionInfo, SessionKeeper, StatusResult, SubmitResult,
)
from adapters.api.http import make_session, timeout_of

from .mapping import APPLICATION_STATUS, from_dept_timestamp, person_fields
from .protocol import EmploymentClient, ThrottleBudget
from .render import render_application

#: what the adapter asks for; the gateway may cap it lower, the walk follows ``next`` either way
PAGE_SIZE = 50
#: a runaway ``next`` chain is a gateway bug, not a reason to loop for ever
MAX_PAGES = 200
RECORD_FIELDS = frozenset({"emp.employer", "emp.employed_since"})


class EmploymentAdapter(Adapter):
    def __init__(self, context: AdapterContext) -> None:
        super().__init__(context)
        endpoint = str(context.config.get("endpoint") or "")
        if not endpoint.startswith(("http://", "https://")):
            raise ConfigError(f"endpoint {endpoint!r} is not an http(s) URL", adapter_id=self.id,
                              message_zh="就业服务中心接口地址配置有误")
        self._closed = threading.Event()
        self._timeout = timeout_of(context.config)
        self._http = make_session(context.config)
        self._client = EmploymentClient(self._http, endpoint, adapter_id=self.id, timeout=self._timeout,
                                        clock=context.clock)
        self._keeper = SessionKeeper(context, self._login, renew_margin=timedelta(0))

    # -- session ---------------------------------------------------------------------------------
    def _budget(self) -> ThrottleBudget:
        return ThrottleBudget(self._timeout, self._closed, self.id, self.context.logger)

    def _login(self, credentials: Credentials) -> tuple[str, datetime | None]:
        token, expires_in = self._client.fetch_token(credentials, self._budget())
        # renew a little early (a fifth of the lifetime, at most 5 s) so a call never races the expiry
        early = min(5.0, expires_in / 5)
        return token, self.context.clock() + timedelta(seconds=expires_in - early)

    def open_session(self) -> SessionInfo:
        self._keeper.token()
        return self._keeper.info

    def session_info(self) -> SessionInfo:
        return self._keeper.info

    def close(self) -> None:
        self._closed.set()
        self._keeper.drop()
        self._http.close()

    def _call(self, method: str, path: str, budget: ThrottleBudget, what: str,
              **kw: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON object) of one authorised call. Each attempt asks the keeper for a token, so a
        token that expired while a 429 was waited out is renewed instead of failing the call."""
        while True:
            resp = self._keeper.call(lambda token: self._client.send_once(method, path, token=token, **kw))
            if not self._client.throttled(resp, budget, what):
                return resp.status_code, self._client.json_of(resp, what)

    # -- lookup ----------------------------------------------------------------------------------
    def lookup(self, request: LookupRequest) -> LookupResult:
        consent = request.consent_ref.strip()
        if not consent:
            raise ConsentError("lookup without a consent reference refused before calling out", adapter_id=self.id)
        budget = self._budget()
        wanted = set(request.fields) or set(self.manifest.fields)
        _, person = self._call("POST", "/api/v1/persons/search", budget, "person search",
                               json={"idNumber": request.id_number.strip().upper(), "name": request.name},
                               headers={"X-Consent-Ref": quote(consent, safe="-_.:")})
        records = self._records(str(person.get("personId", "")), budget) if wanted & RECORD_FIELDS else None
        try:
            values = person_fields(person, records)
        except AdapterError as exc:
            exc.adapter_id = self.id
            raise
        prov = Provenance(self.id, self.context.clock(), verified=True, source_ref=values.get("emp.registration_no"))
        return LookupResult(self.id, tuple(FieldValue(k, v, prov) for k, v in sorted(values.items()) if k in wanted))

    def _records(self, person_id: str, budget: ThrottleBudget) -> list[dict[str, Any]]:
        """Every employment record, page after page, checked against the announced total."""
        if not person_id:
            raise MalformedReplyError("person resource lacks personId", adapter_id=self.id)
        path: str | None = f"/api/v1/persons/{quote(person_id, safe='')}/employment-records?page=1&page_size={PAGE_SIZE}"
        records: list[dict[str, Any]] = []
        total = None
        pages = 0
        while path is not None:
            pages += 1
            if pages > MAX_PAGES:
                raise MalformedReplyError(f"employment records exceed {MAX_PAGES} pages", adapter_id=self.id)
            _, page = self._call("GET", path, budget, "employment records")
            items, total, nxt = page.get("items"), page.get("total"), page.get("next")
            if not isinstance(items, list) or not isinstance(total, int):
                raise MalformedReplyError("employment records page lacks items or total", adapter_id=self.id)
            records.extend(i for i in items if isinstance(i, dict))
            if nxt and not items:
                raise MalformedReplyError("employment records page is empty but announces a next page",
                                          adapter_id=self.id)
            path = self._same_origin_path(nxt) if nxt else None
        if total is not None and len(records) != total:
            raise MalformedReplyError(f"employment records: got {len(records)} of {total} announced",
                                      adapter_id=self.id)
        return records

    def _same_origin_path(self, link: str) -> str:
        """A ``next`` link as a path on our endpoint: the bearer token is never sent to another host."""
        parts, base = urlsplit(str(link)), urlsplit(self._client.url(""))
        if parts.netloc and parts.netloc != base.netloc:
            raise MalformedReplyError(f"next link points to another host {parts.netloc!r}", adapter_id=self.id)
        path = parts.path
        if base.path and path.startswith(base.path + "/"):  # an endpoint with a prefix gets host-rooted links
            path = path[len(base.path):]
        return path + (f"?{parts.query}" if parts.query else "")

    # -- render / submit / status ----------------------------------------------------------------
    def render(self, application: CanonicalApplication) -> RenderedPayload:
        try:
            return render_application(application, self.id)
        except AdapterError as exc:
            exc.adapter_id = self.id
            raise

    def submit(self, payload: RenderedPayload, idempotency_key: str) -> SubmitResult:
        budget = self._budget()
        status, data = self._call("POST", "/api/v1/applications", budget, "submit", data=payload.body,
                                  headers={"Content-Type": payload.content_type, "Idempotency-Key": idempotency_key})
        # 201: a new application; 200: the centre already held one under this key
        return self._submit_result(data, duplicate=status == 200)

    def _submit_result(self, data: dict[str, Any], *, duplicate: bool) -> SubmitResult:
        ref = data.get("applicationId")
        if not isinstance(ref, str) or not ref:
            raise MalformedReplyError("application reply lacks applicationId", adapter_id=self.id)
        return SubmitResult(ref, duplicate=duplicate, accepted_at=from_dept_timestamp(str(data.get("createdAt", ""))))

    def find_submission(self, idempotency_key: str) -> SubmitResult | None:
        budget = self._budget()
        _, data = self._call("GET", "/api/v1/applications", budget, "find submission",
                             params={"idempotency_key": idempotency_key})
        items = data.get("items")
        if not isinstance(items, list):
            raise MalformedReplyError("application search reply lacks items", adapter_id=self.id)
        found = [i for i in items if isinstance(i, dict) and i.get("idempotencyKey") == idempotency_key]
        return self._submit_result(found[0], duplicate=True) if found else None

    def status(self, department_ref: str) -> StatusResult:
        budget = self._budget()
        _, data = self._call("GET", f"/api/v1/applications/{quote(department_ref, safe='')}", budget, "status")
        status = data.get("status")
        code = str(status.get("code")) if isinstance(status, dict) else ""
        if code not in APPLICATION_STATUS:
            raise MalformedReplyError(f"application status code {code!r} unknown", adapter_id=self.id)
        return StatusResult(department_ref, BranchState(APPLICATION_STATUS[code]),
                            reason=str(data.get("statusReason") or ""),
                            updated_at=from_dept_timestamp(str(data.get("updatedAt", ""))))

    def health(self) -> HealthResult:
        started = time.monotonic()
        try:
            data = self._client.json_of(self._client.request("GET", "/api/v1/health", self._budget()), "health")
            ok = data.get("status") == "UP"
            detail = "正常" if ok else f"就业服务中心报告状态 {data.get('status')!r}"
        except AdapterError as exc:
            ok, detail = False, exc.message_zh
        return HealthResult(ok, (time.monotonic() - started) * 1000.0, detail)


def create(context: AdapterContext) -> EmploymentAdapter:
    return EmploymentAdapter(context)
