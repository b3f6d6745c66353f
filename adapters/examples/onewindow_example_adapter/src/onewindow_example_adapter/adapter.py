"""The example civil affairs (民政) adapter: the whole contract in one small file.

Department facts it translates: marital status codes (GB/T 4766 style, 21/22/23 are kinds of "married"),
application states SL/SH/TG/BH, bearer tokens that expire, JSON replies with a ``code`` field.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

import requests

from adapters.api import (
    AdapterContext, AuthError, BranchState, CanonicalApplication, ConsentError, Credentials, HealthResult,
    LookupRequest, LookupResult, MalformedReplyError, NotFoundError, RejectedError, RenderedPayload,
    SessionAdapter, SessionExpired, StatusResult, SubmitResult, UnavailableError, format_china_time, mask_id,
    require_consent, requested_fields, values_with_provenance,
)
from adapters.api.http import send

#: department marital code -> canonical person.marital_status (resources/fields.toml)
MARITAL = {"10": "10", "20": "20", "21": "20", "22": "20", "23": "20", "30": "30", "40": "40"}
STATES = {"SL": BranchState.RECEIVED, "SH": BranchState.IN_REVIEW, "TG": BranchState.APPROVED,
          "BH": BranchState.REJECTED}
GENDER = {"1": "男", "2": "女"}
APPLICATION_TYPE = {"civil_affairs.marriage_record_proof": "HYDJJLZM"}


class CivilAffairsAdapter(SessionAdapter):
    """SessionAdapter gives open_session, session_info and close (self.http, self.timeout, self.keeper);
    this class writes login and the contract."""

    def __init__(self, context: AdapterContext) -> None:
        super().__init__(context)
        self.base = str(context.config["endpoint"]).rstrip("/")

    # -- transport ----------------------------------------------------------------------------------------
    def _request(self, method: str, path: str, **kw: Any) -> tuple[int, dict[str, Any]]:
        """One HTTP exchange; transport failures and unreadable replies become SDK errors."""
        response = send(self.http, method, self.base + path, adapter_id=self.id, timeout=self.timeout, **kw)
        if response.status_code == 429 or response.status_code >= 500:
            raise UnavailableError(f"{method} {path}: HTTP {response.status_code}", adapter_id=self.id)
        try:
            reply = response.json()
        except (ValueError, requests.JSONDecodeError) as exc:
            raise MalformedReplyError(f"{method} {path}: reply is not JSON (HTTP {response.status_code})",
                                      adapter_id=self.id) from exc
        if not isinstance(reply, dict) or "code" not in reply:
            raise MalformedReplyError(f"{method} {path}: reply has no 'code'", adapter_id=self.id)
        return response.status_code, reply

    def _authorised(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                    **kw: Any) -> tuple[int, dict[str, Any]]:
        """An exchange under the department session; a 401 renews the token once (SessionKeeper.call)."""
        def attempt(token: str) -> tuple[int, dict[str, Any]]:
            status, reply = self._request(method, path, headers={**(headers or {}), "Authorization": f"Bearer {token}"},
                                          **kw)
            if status == 401:
                raise SessionExpired(str(reply.get("message", "")))
            return status, reply
        return self.keeper.call(attempt)

    def _data(self, reply: dict[str, Any], *keys: str) -> dict[str, Any]:
        data = reply.get("data")
        if not isinstance(data, dict) or any(k not in data for k in keys):
            raise MalformedReplyError(f"reply data lacks {', '.join(keys)}", adapter_id=self.id)
        return data

    def login(self, credentials: Credentials) -> tuple[str, datetime | None]:
        status, reply = self._request("POST", "/auth/token",
                                      json={"account": credentials.account, "password": credentials.secret})
        if status == 401:
            raise AuthError(f"login refused for account {credentials.account}", adapter_id=self.id,
                            department_code=reply.get("code"))
        data = self._data(reply, "access_token", "expires_in")
        try:
            ttl = float(data["expires_in"])
        except (TypeError, ValueError) as exc:
            raise MalformedReplyError(f"expires_in is not a number: {data['expires_in']!r}", adapter_id=self.id) from exc
        return str(data["access_token"]), self.context.clock() + timedelta(seconds=ttl)

    # -- contract --------------------------------------------------------------------------------------------
    def lookup(self, request: LookupRequest) -> LookupResult:
        consent = require_consent(request, self.id)
        status, reply = self._authorised("GET", "/v1/marriage-records",
                                         params={"cert_no": request.id_number, "name": request.name},
                                         headers={"X-Consent-Ref": consent})
        if status == 404:
            raise NotFoundError(f"no marriage record for {mask_id(request.id_number)}", adapter_id=self.id,
                                department_code=reply.get("code"))
        if status == 403:
            raise ConsentError(f"department refused: {reply.get('message', '')}", adapter_id=self.id)
        if status != 200:
            raise MalformedReplyError(f"lookup: unexpected HTTP {status}", adapter_id=self.id)
        data = self._data(reply, "name", "marital_code")
        values = {"person.name": str(data["name"])}
        warnings: list[str] = []
        marital = MARITAL.get(str(data["marital_code"]))
        if marital is None:
            warnings.append(f"婚姻状况代码 {data['marital_code']} 无法识别，未采用")
        else:
            values["person.marital_status"] = marital
        found = values_with_provenance(self.id, self.context.clock(), values, requested_fields(request, self.manifest))
        return LookupResult(self.id, found, tuple(warnings))

    def render(self, application: CanonicalApplication) -> RenderedPayload:
        items = tuple(code for code in application.items if code in APPLICATION_TYPE)
        f = application.fields
        body = {
            "app_type": [APPLICATION_TYPE[c] for c in items],
            "case_no": application.case_no,
            "applicant": {"cert_no": f.get("person.id_number", ""), "name": f.get("person.name", ""),
                          "gender": GENDER.get(f.get("person.gender", ""), "未说明")},
            "declared_marital_code": f.get("person.marital_status", ""),
            "window": {"clerk": application.clerk, "counter": application.counter},
            # the submit time of the case, never the wall clock: rendering must be deterministic
            "submitted_at": format_china_time(application.submitted_at, "%Y-%m-%d %H:%M:%S"),
            "materials": [{"code": m.code, "name": m.name, "status": m.status} for m in application.materials],
        }
        data = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        shown = {**body, "applicant": {**body["applicant"], "cert_no": mask_id(str(body["applicant"]["cert_no"]))}}
        sources = {"applicant.cert_no": "person.id_number", "applicant.name": "person.name",
                   "applicant.gender": "person.gender", "declared_marital_code": "person.marital_status"}
        return RenderedPayload(self.id, items, "application/json; charset=utf-8", data,
                               json.dumps(shown, ensure_ascii=False, sort_keys=True, indent=2), sources)

    def submit(self, payload: RenderedPayload, idempotency_key: str) -> SubmitResult:
        status, reply = self._authorised("POST", "/v1/applications", data=payload.body,
                                         headers={"Idempotency-Key": idempotency_key,
                                                  "Content-Type": payload.content_type})
        if status in (400, 422):
            raise RejectedError(f"application refused: {reply.get('message', '')}", reason=reply.get("message", ""),
                                adapter_id=self.id, department_code=reply.get("code"))
        if status not in (200, 201):
            raise MalformedReplyError(f"submit: unexpected HTTP {status}", adapter_id=self.id)
        data = self._data(reply, "app_no")
        return SubmitResult(str(data["app_no"]), duplicate=bool(data.get("duplicate")), accepted_at=self.context.clock())

    def find_submission(self, idempotency_key: str) -> SubmitResult | None:
        status, reply = self._authorised("GET", "/v1/applications", params={"key": idempotency_key})
        if status == 404:
            return None
        return SubmitResult(str(self._data(reply, "app_no")["app_no"]), duplicate=True)

    def status(self, department_ref: str) -> StatusResult:
        status, reply = self._authorised("GET", f"/v1/applications/{department_ref}")
        if status == 404:
            raise NotFoundError(f"no application {department_ref}", adapter_id=self.id, department_code=reply.get("code"))
        data = self._data(reply, "app_no", "state")
        state = STATES.get(str(data["state"]))
        if state is None:
            raise MalformedReplyError(f"unknown application state {data['state']!r}", adapter_id=self.id)
        return StatusResult(str(data["app_no"]), state, reason=str(data.get("reason", "")),
                            updated_at=self.context.clock())

    def health(self) -> HealthResult:
        started = time.monotonic()
        try:
            status, _ = self._request("GET", "/v1/ping")
        except Exception as exc:  # health reports, it does not raise
            return HealthResult(False, (time.monotonic() - started) * 1000, str(exc))
        return HealthResult(status == 200, (time.monotonic() - started) * 1000, f"HTTP {status}")


def create_adapter(context: AdapterContext) -> CivilAffairsAdapter:
    """The factory named in manifest.toml."""
    return CivilAffairsAdapter(context)
