"""就业 employment service centre adapter: OAuth2 bearer tokens that renew themselves, 429 back-off within the
timeout budget, every page of the employment records, idempotent applications."""

from __future__ import annotations

import math
import threading
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from adapters.api import (
    AdapterContext, AdapterError, BranchState, CanonicalApplication, ConfigError, Credentials, HealthResult,
    LookupRequest, LookupResult, MalformedReplyError, RenderedPayload, SessionAdapter, StatusResult, SubmitResult,
    gather, parse_china_time, require_consent, requested_fields, values_with_provenance,
)

from .mapping import APPLICATION_STATUS, DEPT_TIMESTAMP, person_fields
from .protocol import EmploymentClient, ThrottleBudget
from .render import render_application

#: what the adapter asks for; the gateway may cap it lower (the page says what it used)
PAGE_SIZE = 50
#: a total that needs more pages than this is a gateway bug, not a reason to send hundreds of requests
MAX_PAGES = 200
#: further record pages are fetched at once, by at most this many threads of one lookup
PAGE_WORKERS = 4
RECORD_FIELDS = frozenset({"emp.employer", "emp.employed_since"})
#: the gateway embeds the first page of a person's employment records in the search reply when asked
RECORDS_EMBED = "employment-records"


class EmploymentAdapter(SessionAdapter):
    # login renews a fifth of the token lifetime early, so the keeper itself needs no margin
    renew_margin = timedelta(0)

    def __init__(self, context: AdapterContext) -> None:
        endpoint = str(context.config.get("endpoint") or "")
        if not endpoint.startswith(("http://", "https://")):
            raise ConfigError(f"endpoint {endpoint!r} is not an http(s) URL", adapter_id=context.manifest.id,
                              message_zh="就业服务中心接口地址配置有误")
        super().__init__(context)
        self._closed = threading.Event()
        self._client = EmploymentClient(self.http, endpoint, adapter_id=self.id, timeout=self.timeout,
                                        clock=context.clock)

    # -- session ---------------------------------------------------------------------------------
    def _budget(self) -> ThrottleBudget:
        return ThrottleBudget(self.timeout, self._closed, self.id, self.context.logger)

    def login(self, credentials: Credentials) -> tuple[str, datetime | None]:
        token, expires_in = self._client.fetch_token(credentials, self._budget())
        # renew a little early (a fifth of the lifetime, at most 5 s) so a call never races the expiry
        early = min(5.0, expires_in / 5)
        return token, self.context.clock() + timedelta(seconds=expires_in - early)

    def close(self) -> None:
        self._closed.set()  # a 429 wait in progress ends now
        super().close()

    def _call(self, method: str, path: str, budget: ThrottleBudget, what: str,
              **kw: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON object) of one authorised call. Each attempt asks the keeper for a token, so a
        token that expired while a 429 was waited out is renewed instead of failing the call."""
        while True:
            resp = self.keeper.call(lambda token: self._client.send_once(method, path, token=token, **kw))
            if not self._client.throttled(resp, budget, what):
                return resp.status_code, self._client.json_of(resp, what)

    # -- lookup ----------------------------------------------------------------------------------
    def lookup(self, request: LookupRequest) -> LookupResult:
        consent = require_consent(request, self.id)
        budget = self._budget()
        wanted = requested_fields(request, self.manifest)
        with_records = bool(wanted & RECORD_FIELDS)
        # one round trip in the common case: the search carries the first page of the records
        path = "/api/v1/persons/search" + (f"?embed={RECORDS_EMBED}&page_size={PAGE_SIZE}" if with_records else "")
        _, person = self._call("POST", path, budget, "person search",
                               json={"idNumber": request.id_number.strip().upper(), "name": request.name},
                               headers={"X-Consent-Ref": quote(consent, safe="-_.:")})
        records = self._records(person, budget) if with_records else None
        try:
            values = person_fields(person, records)
        except AdapterError as exc:
            exc.adapter_id = self.id
            raise
        return LookupResult(self.id, values_with_provenance(self.id, self.context.clock(), values, wanted,
                                                            source_ref=values.get("emp.registration_no")))

    def _records(self, person: dict[str, Any], budget: ThrottleBudget) -> list[dict[str, Any]]:
        """Every employment record: the first page (embedded in the search reply, or asked for when the
        gateway does not embed), then all further pages at once, checked against the announced total."""
        person_id = str(person.get("personId", ""))
        if not person_id:
            raise MalformedReplyError("person resource lacks personId", adapter_id=self.id)
        base = f"/api/v1/persons/{quote(person_id, safe='')}/employment-records"
        embedded = person.get("_embedded")
        first = embedded.get(RECORDS_EMBED) if isinstance(embedded, dict) else None
        if first is None:
            _, first = self._call("GET", f"{base}?page=1&page_size={PAGE_SIZE}", budget, "employment records")
        records, total = self._page_items(first, None)
        if len(records) >= total:
            return self._complete(records, total)
        size = first.get("page_size") if isinstance(first, dict) else None
        if not isinstance(size, int) or size < 1 or not records:
            raise MalformedReplyError("employment records page lacks a usable page_size or items",
                                      adapter_id=self.id)
        pages = math.ceil(total / size)
        if pages > MAX_PAGES:
            raise MalformedReplyError(f"employment records: {total} records would take {pages} pages",
                                      adapter_id=self.id)

        def page(number: int) -> list[dict[str, Any]]:
            _, data = self._call("GET", f"{base}?page={number}&page_size={size}", budget, "employment records")
            return self._page_items(data, total)[0]

        rest = gather([lambda n=n: page(n) for n in range(2, pages + 1)], max_workers=PAGE_WORKERS,
                      thread_name="employment-records")
        return self._complete(records + [r for items in rest for r in items], total)

    def _page_items(self, page: Any, total: int | None) -> tuple[list[dict[str, Any]], int]:
        """(records, announced total) of one page; a total that changed between pages means the list was
        edited while we read it, so what we hold is not one consistent list."""
        items = page.get("items") if isinstance(page, dict) else None
        announced = page.get("total") if isinstance(page, dict) else None
        if not isinstance(items, list) or not isinstance(announced, int):
            raise MalformedReplyError("employment records page lacks items or total", adapter_id=self.id)
        if total is not None and announced != total:
            raise MalformedReplyError(f"employment records total changed from {total} to {announced} while "
                                      "reading the pages", adapter_id=self.id)
        return [i for i in items if isinstance(i, dict)], announced

    def _complete(self, records: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
        if len(records) != total:
            raise MalformedReplyError(f"employment records: got {len(records)} of {total} announced",
                                      adapter_id=self.id)
        return records

    # -- render / submit / status ----------------------------------------------------------------
    def render(self, application: CanonicalApplication) -> RenderedPayload:
        try:
            return render_application(application, self.id)
        except AdapterError as exc:
            exc.adapter_id = self.id
            raise

    def submit(self, payload: RenderedPayload, idempotency_key: str) -> SubmitResult:
        self.ensure_own_payload(payload)
        budget = self._budget()
        status, data = self._call("POST", "/api/v1/applications", budget, "submit", data=payload.body,
                                  headers={"Content-Type": payload.content_type, "Idempotency-Key": idempotency_key})
        # 201: a new application; 200: the centre already held one under this key
        return self._submit_result(data, duplicate=status == 200)

    def _submit_result(self, data: dict[str, Any], *, duplicate: bool) -> SubmitResult:
        ref = data.get("applicationId")
        if not isinstance(ref, str) or not ref:
            raise MalformedReplyError("application reply lacks applicationId", adapter_id=self.id)
        return SubmitResult(ref, duplicate=duplicate,
                            accepted_at=parse_china_time(data.get("createdAt"), DEPT_TIMESTAMP))

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
                            updated_at=parse_china_time(data.get("updatedAt"), DEPT_TIMESTAMP))

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
