"""就业 employment service centre sandbox: REST JSON behind an OAuth2 gateway.

- ``POST /oauth/token``: client credentials (HTTP Basic or form) -> bearer token with ``expires_in``
- every ``/api/`` call needs ``Authorization: Bearer``; an expired or unknown token gets 401 with
  ``WWW-Authenticate: Bearer error="invalid_token"``
- a token-bucket throttle (``rate_limit_per_s``) answers 429 with ``Retry-After`` (whole seconds)
- lists are paginated (``page``, ``page_size`` capped at ``max_page_size``) with ``total`` and ``next``
- ``POST /api/v1/persons/search?embed=employment-records&page_size=N`` embeds the first page of the
  person's employment records under ``_embedded`` (one round trip for the common case)
- submissions carry an ``Idempotency-Key`` header: 201 for a new application, 200 for the same key again
- every failure is RFC 7807 problem+json with a Chinese title
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta, timezone
from typing import Any

from adapters.sandbox.base import Reply, Request, SandboxServer, Submission

from .oauth import TokenIssuer
from .problems import problem
from .ratelimit import TokenBucket, retry_after_header
from .seed import Person, load_people

CST = timezone(timedelta(hours=8))

#: the centre's service codes (what it calls the catalog items)
SERVICES = {"JY0105": "就业登记注销（退休）", "JY0201": "失业登记", "JY0103": "灵活就业登记"}
STATUS_CODES = {"received": ("01", "已受理"), "in_review": ("02", "审核中"), "approved": ("03", "已办结"),
                "rejected": ("04", "不予办理")}
_RECORDS_RE = re.compile(r"^/api/v1/persons/([A-Za-z0-9]+)/employment-records$")
_APPLICATION_RE = re.compile(r"^/api/v1/applications/([A-Za-z0-9]+)$")


class EmploymentSandbox(SandboxServer):
    department = "employment"
    ref_prefix = "JY"

    def __init__(self, *, session_ttl_s: float = 7200.0, rate_limit_per_s: float | None = None,
                 rate_burst: float | None = None, max_page_size: int = 20, **kw: Any) -> None:
        super().__init__(**kw)
        self.tokens = TokenIssuer(self.accounts, session_ttl_s)
        self.bucket = TokenBucket(rate_limit_per_s, rate_burst) if rate_limit_per_s else None
        self.max_page_size = max_page_size
        self.people = load_people()
        self.throttled = 0

    def set_rate_limit(self, rate_per_s: float | None, burst: float | None = None) -> None:
        self.bucket = TokenBucket(rate_per_s, burst) if rate_per_s else None

    # -- routing ---------------------------------------------------------------------------------
    def handle(self, req: Request) -> Reply:
        if self.bucket is not None:
            wait = self.bucket.take()
            if wait > 0:
                self.throttled += 1
                return problem(429, "too-many-requests", "请求过于频繁",
                               "已超过接口调用频率限制，请稍后重试", **{"Retry-After": retry_after_header(wait)})
        if req.path == "/oauth/token" and req.method == "POST":
            return self._token(req)
        if req.path == "/api/v1/health" and req.method == "GET":
            return Reply.json({"status": "UP", "service": "就业服务中心开放接口"})
        if not req.path.startswith("/api/"):
            return problem(404, "not-found", "接口不存在", f"no route for {req.method} {req.path}")
        denied = self._bearer(req)
        if denied is not None:
            return denied
        if req.path == "/api/v1/persons/search" and req.method == "POST":
            return self._person(req)
        m = _RECORDS_RE.match(req.path)
        if m and req.method == "GET":
            return self._records(req, m.group(1))
        if req.path == "/api/v1/applications" and req.method == "POST":
            return self._submit(req)
        if req.path == "/api/v1/applications" and req.method == "GET":
            return self._find(req)
        m = _APPLICATION_RE.match(req.path)
        if m and req.method == "GET":
            return self._application(m.group(1))
        return problem(404, "not-found", "接口不存在", f"no route for {req.method} {req.path}")

    @staticmethod
    def _header(req: Request, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in req.headers.items() if k.lower() == lname), None)

    # -- OAuth2 ----------------------------------------------------------------------------------
    def _token(self, req: Request) -> Reply:
        cid, secret, grant = self.tokens.client_from(self._header(req, "Authorization"), req.body)
        if grant != "client_credentials":
            return Reply.json({"error": "unsupported_grant_type", "error_description": "仅支持 client_credentials"},
                              status=400)
        if not self.tokens.authenticate(cid, secret):
            return Reply.json({"error": "invalid_client", "error_description": "客户端认证失败"}, status=401,
                              **{"WWW-Authenticate": 'Basic realm="jiuye"'})
        return Reply.json({"access_token": self.tokens.issue(), "token_type": "Bearer",
                           "expires_in": self.tokens.ttl_s, "scope": "person application"},
                          **{"Cache-Control": "no-store"})

    def _bearer(self, req: Request) -> Reply | None:
        why = self.tokens.check(self._header(req, "Authorization"))
        if why is None:
            return None
        challenge = 'Bearer realm="jiuye"' if why == "missing" else \
            f'Bearer realm="jiuye", error="invalid_token", error_description="{why}"'
        return problem(401, "unauthorized", "访问令牌无效或已过期", why, **{"WWW-Authenticate": challenge})

    # -- persons ---------------------------------------------------------------------------------
    def _person(self, req: Request) -> Reply:
        if not (self._header(req, "X-Consent-Ref") or "").strip():
            return problem(403, "consent-required", "缺少群众授权", "查询个人信息须携带群众授权编号 X-Consent-Ref")
        try:
            id_number = str(req.json()["idNumber"])
        except (ValueError, KeyError, TypeError):
            return problem(400, "invalid-request", "请求格式错误", "body must be JSON with idNumber")
        person = self.people.get(id_number.upper())
        if person is None:
            return problem(404, "person-not-found", "查无此人", "就业服务中心无该人员的就业登记信息")
        code = person.status
        resource: dict[str, Any] = {
            "personId": person.person_id, "idNumber": person.id_number, "name": person.name,
            "registrationNo": person.registration_no,
            "employmentStatus": {"code": code, "name": {"11": "单位就业", "12": "灵活就业", "21": "登记失业",
                                                         "31": "退休"}.get(code, "")},
            "education": {"code": person.education},
            "residenceAddress": person.residence_address, "mobile": person.mobile,
            "links": {"employmentRecords": f"/api/v1/persons/{person.person_id}/employment-records"},
        }
        embed = {e.strip() for value in req.query.get("embed", []) for e in value.split(",")}
        if "employment-records" in embed:
            paging = self._paging(req, first_page_only=True)
            if isinstance(paging, Reply):
                return paging
            resource["_embedded"] = {"employment-records": self._page(person, *paging)}
        return Reply.json(resource)

    def _records(self, req: Request, person_id: str) -> Reply:
        person = next((p for p in self.people.values() if p.person_id == person_id), None)
        if person is None:
            return problem(404, "person-not-found", "查无此人", "就业服务中心无该人员的就业登记信息")
        paging = self._paging(req)
        return paging if isinstance(paging, Reply) else Reply.json(self._page(person, *paging))

    def _paging(self, req: Request, *, first_page_only: bool = False) -> tuple[int, int] | Reply:
        """(page, page_size) of a list request, the size capped at the gateway's maximum; a problem reply when
        they are not positive integers."""
        try:
            page = 1 if first_page_only else int(req.query.get("page", ["1"])[0])
            size = min(int(req.query.get("page_size", [str(self.max_page_size)])[0]), self.max_page_size)
        except ValueError:
            return problem(400, "invalid-request", "请求格式错误", "page and page_size must be integers")
        if page < 1 or size < 1:
            return problem(400, "invalid-request", "请求格式错误", "page and page_size start at 1")
        return page, size

    @staticmethod
    def _page(person: Person, page: int, size: int) -> dict[str, Any]:
        total = len(person.records)
        items = [r.resource() for r in person.records[(page - 1) * size: page * size]]
        base = f"/api/v1/persons/{person.person_id}/employment-records"
        nxt = f"{base}?page={page + 1}&page_size={size}" if page * size < total else None
        return {"total": total, "page": page, "page_size": size, "items": items, "next": nxt}

    # -- applications ----------------------------------------------------------------------------
    def _submit(self, req: Request) -> Reply:
        key = (self._header(req, "Idempotency-Key") or "").strip()
        if not key:
            return problem(400, "idempotency-key-required", "缺少幂等键", "提交申请须携带 Idempotency-Key 请求头")
        try:
            body = req.json()
            id_number = str(body["applicant"]["idNumber"]).upper()
            services = tuple(str(s["serviceCode"]) for s in body["services"])
        except (ValueError, KeyError, TypeError):
            return problem(400, "invalid-request", "请求格式错误", "body must carry applicant.idNumber and services")
        unknown = [s for s in services if s not in SERVICES]
        if unknown or not services:
            return problem(422, "unknown-service", "不支持的服务事项", f"未知的服务事项编码：{'、'.join(unknown) or '无'}")
        person = self.people.get(id_number)
        if person is None:
            return problem(404, "person-not-found", "查无此人", "就业服务中心无该申请人的就业登记信息")
        existing = self.store.find(key)
        if existing is not None and _digest(existing.payload) != _digest(body):
            return problem(409, "idempotency-conflict", "幂等键冲突", "该幂等键已用于内容不同的另一份申请")
        outcome, reason = self.decide(services, body)
        sub, duplicate = self.store.submit(key, services, body, outcome=outcome, outcome_reason=reason)
        return Reply.json(self._resource(sub), status=200 if duplicate else 201,
                          Location=f"/api/v1/applications/{sub.ref}")

    def decide(self, items: tuple[str, ...], payload: Any) -> tuple[str, str]:
        person = self.people.get(str(payload["applicant"]["idNumber"]).upper())
        applied_on = str(payload.get("submittedAt", ""))[:8]
        for service in payload["services"]:
            form = service.get("form") or {}
            code = service["serviceCode"]
            if code == "JY0201":
                sep = form.get("separationDate")
                if not sep:
                    return "rejected", "申请材料不全：缺少离职日期"
                if applied_on and sep > applied_on:
                    return "rejected", "离职日期晚于申请日期，劳动关系尚未解除，不能办理失业登记"
            elif code == "JY0105":
                if not form.get("closeDate"):
                    return "rejected", "申请材料不全：缺少退休日期"
                if person is not None and not person.has_open_record():
                    return "rejected", "该人员无在档就业登记，无需办理就业登记注销"
            elif code == "JY0103":
                if not form.get("startDate") or not form.get("flexJobType"):
                    return "rejected", "申请材料不全：缺少灵活就业形式或开始日期"
        return "approved", ""

    def _find(self, req: Request) -> Reply:
        key = req.query.get("idempotency_key", [""])[0]
        if not key:
            return problem(400, "invalid-request", "请求格式错误", "idempotency_key is required")
        sub = self.store.find(key)
        items = [self._resource(sub)] if sub is not None else []
        return Reply.json({"total": len(items), "page": 1, "page_size": self.max_page_size, "items": items,
                           "next": None})

    def _application(self, ref: str) -> Reply:
        sub = self.store.get(ref)
        if sub is None:
            return problem(404, "application-not-found", "申请不存在", "未找到该申请编号")
        return Reply.json(self._resource(sub))

    @staticmethod
    def _resource(sub: Submission) -> dict[str, Any]:
        code, name = STATUS_CODES[sub.state]
        stamp = sub.updated_at or sub.created_at
        return {"applicationId": sub.ref, "idempotencyKey": sub.key, "services": list(sub.items),
                "status": {"code": code, "name": name}, "statusReason": sub.reason,
                "createdAt": sub.created_at.astimezone(CST).strftime("%Y%m%d%H%M%S"),
                "updatedAt": stamp.astimezone(CST).strftime("%Y%m%d%H%M%S")}

    # -- failures that look like this department's -----------------------------------------------
    def error_reply(self, req: Request) -> Reply:
        return problem(503, "service-unavailable", "服务暂不可用", "系统繁忙，请稍后再试")

    def malformed_reply(self, req: Request) -> Reply:
        return Reply(200, b'{"personId": "JYP00001", "employmentStatus": {"code": ', "application/json; charset=utf-8")

    # -- control API: the gateway's own knobs ----------------------------------------------------
    def _control(self, req: Request) -> Reply:
        action = req.path[len("/_control/"):]
        if action == "tokens":
            return Reply.json({"issued": self.tokens.issued, "active": self.tokens.active()})
        if action == "revoke_tokens" and req.method == "POST":
            return Reply.json({"revoked": self.tokens.revoke_all()})
        if action == "rate_limit" and req.method == "POST":
            try:
                data = req.json() if req.body else {}
                self.set_rate_limit(data.get("rate_limit_per_s"), data.get("burst"))
            except (ValueError, TypeError) as exc:
                return Reply.json({"error": str(exc)}, status=400)
            return Reply.json({"rate_limit_per_s": self.bucket.rate if self.bucket else None,
                               "throttled": self.throttled})
        return super()._control(req)


def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

