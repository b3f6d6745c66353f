"""公共数据平台 public data platform sandbox: signed REST JSON.

Every request carries X-App-Key, X-Timestamp (ms), X-Nonce and X-Signature (see verifier.py). Queries of a
citizen's data must carry the citizen's authorisation reference (header X-Auth-Ref or body ``auth_ref``).
Replies are ``{"code": "0", "msg": ..., "trace_id": ..., "data": ...}``; failures use a non-zero ``code``.

- ``GET  /api/v1/ping``                         cheap signed call (session check)
- ``POST /api/v1/household/query``              户籍 household registration
- ``POST /api/v1/marital/query``                婚姻状况 marital status
- ``POST /api/v1/former-names/query``           曾用名 former names
- ``PUT  /api/v1/archive-requests/{request_id}`` archive a case's certificates (idempotent by request_id);
  items PD-CERT-ARCHIVE (every result certificate) and PD-RETIRE-ARCHIVE (the 退休证, a retiree's only)
- ``GET  /api/v1/archive-requests/{request_id}`` find an archive request by its request_id
- ``GET  /api/v1/archives/{archive_id}``        archive status
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import timedelta, timezone
from typing import Any
from urllib.parse import unquote

from adapters.sandbox.base import Reply, Request, SandboxServer, Submission

from .seed import Resident, load_residents
from .verifier import Denial, RequestVerifier

CST = timezone(timedelta(hours=8))
#: the archive items the platform handles: 办件结果电子证照归集, 退休证电子证照归集
ITEMS = ("PD-CERT-ARCHIVE", "PD-RETIRE-ARCHIVE")
#: the retirement certificate (退休证) 人社 issues, as the licence identifier the archive request names it by
RETIRE_CERT = "M-RETIRE-CERT"
#: nobody retires before 50 (the earliest statutory age, female workers): an earlier 退休证 is not filed
MIN_RETIREMENT_AGE = 50
#: archive state -> (platform status code, name)
STATUS_CODES = {"received": ("1", "已接收"), "in_review": ("2", "归档中"), "approved": ("3", "已归档"),
                "rejected": ("9", "归档失败")}
_REQUEST_RE = re.compile(r"^/api/v1/archive-requests/([^/]+)$")
_ARCHIVE_RE = re.compile(r"^/api/v1/archives/([A-Za-z0-9]+)$")
_QUERIES = ("/api/v1/household/query", "/api/v1/marital/query", "/api/v1/former-names/query")


class PublicDataSandbox(SandboxServer):
    department = "public_data"
    ref_prefix = "GX"

    def __init__(self, *, max_skew_s: float = 300.0, session_ttl_s: float | None = None, **kw: Any) -> None:
        # session_ttl_s is accepted for a uniform start_sandbox() call; this platform has no sessions
        super().__init__(**kw)
        self.verifier = RequestVerifier(self.accounts, max_skew_s=max_skew_s)
        self.residents = load_residents()
        self.revoked_auth_refs: set[str] = set()
        self.denials: dict[str, int] = {}
        self._trace = itertools.count(1)

    # -- envelope --------------------------------------------------------------------------------
    def _reply(self, data: Any, *, code: str = "0", msg: str = "成功", status: int = 200) -> Reply:
        body = {"code": code, "msg": msg, "trace_id": f"PDT{next(self._trace):010d}", "data": data}
        return Reply.json(body, status=status)

    def _deny(self, denial: Denial) -> Reply:
        self.denials[denial.code] = self.denials.get(denial.code, 0) + 1
        return self._reply(None, code=denial.code, msg=denial.msg, status=denial.http_status)

    # -- routing ---------------------------------------------------------------------------------
    def handle(self, req: Request) -> Reply:
        headers = {k.lower(): v for k, v in req.headers.items()}
        denial = self.verifier.verify(req.method, req.path, headers, req.body)
        if denial is not None:
            return self._deny(denial)
        if req.path == "/api/v1/ping" and req.method == "GET":
            return self._reply({"app_key": headers["x-app-key"], "service": "公共数据平台共享接口"})
        try:
            body = json.loads(req.body.decode("utf-8")) if req.body else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            return self._reply(None, code="40001", msg="请求报文不是合法的 JSON", status=400)
        if not isinstance(body, dict):
            return self._reply(None, code="40001", msg="请求报文须为 JSON 对象", status=400)
        if req.path in _QUERIES and req.method == "POST":
            return self._query(req.path, headers, body)
        m = _REQUEST_RE.match(req.path)
        if m and req.method == "PUT":
            return self._archive(unquote(m.group(1)), body)
        if m and req.method == "GET":
            sub = self.store.find(unquote(m.group(1)))
            if sub is None:
                return self._reply(None, code="40402", msg="未找到该归档请求", status=404)
            return self._reply(self._archive_view(sub))
        m = _ARCHIVE_RE.match(req.path)
        if m and req.method == "GET":
            sub = self.store.get(m.group(1))
            if sub is None:
                return self._reply(None, code="40402", msg="未找到该归档记录", status=404)
            return self._reply(self._archive_view(sub))
        return self._reply(None, code="40400", msg="接口不存在", status=404)

    # -- shared data queries ---------------------------------------------------------------------
    def _query(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        auth_ref = str(headers.get("x-auth-ref") or body.get("auth_ref") or "").strip()
        if not auth_ref:
            return self._deny(Denial(403, "40301", "缺少群众授权凭证，不能查询个人数据"))
        if auth_ref in self.revoked_auth_refs:
            return self._deny(Denial(403, "40302", "群众授权凭证无效或已撤销"))
        id_number = str(body.get("gmsfhm", "")).upper()
        if not id_number:
            return self._reply(None, code="40002", msg="缺少公民身份号码", status=400)
        person = self.residents.get(id_number)
        if person is None:
            return self._reply(None, code="40401", msg="查无此人户籍信息", status=404)
        if path.endswith("/household/query"):
            return self._reply(_household(person))
        if path.endswith("/marital/query"):
            return self._reply({"gmsfhm": person.id_number, "hyzk": person.marital_status,
                                "djrq": person.marital_registered})
        return self._reply({"gmsfhm": person.id_number, "cym": list(person.former_names)})

    # -- certificate archiving -------------------------------------------------------------------
    def _archive(self, request_id: str, body: dict[str, Any]) -> Reply:
        try:
            holder = body["holder"]
            id_number = str(holder["gmsfhm"]).upper()
            items = tuple(str(i) for i in body["items"])
        except (KeyError, TypeError):
            return self._reply(None, code="40003", msg="归档请求缺少持证人或事项", status=400)
        unknown = [i for i in items if i not in ITEMS]
        if unknown or not items:
            return self._reply(None, code="42201", msg=f"不支持的事项：{'、'.join(unknown) or '无'}", status=422)
        if id_number not in self.residents:
            return self._reply(None, code="40401", msg="查无此人户籍信息", status=404)
        existing = self.store.find(request_id)
        if existing is not None and existing.payload != body:
            return self._reply(None, code="40901", msg="该请求编号已用于内容不同的归档请求", status=409)
        outcome, reason = self.decide(items, body)
        sub, duplicate = self.store.submit(request_id, items, body, outcome=outcome, outcome_reason=reason)
        view = self._archive_view(sub) | {"duplicate": duplicate}
        return self._reply(view, status=200 if duplicate else 201)

    def decide(self, items: tuple[str, ...], payload: Any) -> tuple[str, str]:
        person = self.residents[str(payload["holder"]["gmsfhm"]).upper()]
        name = str(payload["holder"].get("xm", ""))
        if name not in (person.name, *person.former_names):
            return "rejected", "持证人姓名与户籍登记不一致，不能归档至其电子证照库"
        licenses = payload.get("licenses") or []
        if not licenses:
            return "rejected", "无可归档的电子证照"
        if "PD-RETIRE-ARCHIVE" in items:
            if not any(isinstance(lic, dict) and lic.get("zzbs") == RETIRE_CERT for lic in licenses):
                return "rejected", "未收到人社部门出具的退休证，不能归集退休证电子证照"
            age = _age_at(person.birth_date, str(payload.get("submit_time", "")))
            if age is not None and age < MIN_RETIREMENT_AGE:
                return "rejected", "持证人未达法定退休年龄，退休证信息存疑，不予归集"
        return "approved", ""

    @staticmethod
    def _archive_view(sub: Submission) -> dict[str, Any]:
        code, name = STATUS_CODES[sub.state]
        stamp = (sub.updated_at or sub.created_at).astimezone(CST)
        return {"archive_id": sub.ref, "request_id": sub.key, "zt": code, "ztmc": name, "sbyy": sub.reason,
                "jssj": sub.created_at.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S"),
                "gxsj": stamp.strftime("%Y-%m-%d %H:%M:%S")}

    # -- failures that look like this platform's -------------------------------------------------
    def error_reply(self, req: Request) -> Reply:
        return self._reply(None, code="50001", msg="系统繁忙，请稍后重试", status=503)

    def malformed_reply(self, req: Request) -> Reply:
        return Reply(200, b'{"code": "0", "msg": "\xe6\x88\x90\xe5\x8a\x9f", "data": {"gmsfhm": "3301',
                     "application/json; charset=utf-8")

    # -- control API: the citizen withdraws an authorisation in the 浙里办 app ----------------------
    def _control(self, req: Request) -> Reply:
        action = req.path[len("/_control/"):]
        if action == "revoke_auth" and req.method == "POST":
            try:
                ref = str(req.json()["auth_ref"])
            except (ValueError, KeyError, TypeError):
                return Reply.json({"error": "auth_ref required"}, status=400)
            self.revoked_auth_refs.add(ref)
            return Reply.json({"revoked": ref})
        if action == "denials":
            return Reply.json(self.denials)
        return super()._control(req)


def _age_at(birth_yyyymmdd: str, when: str) -> int | None:
    """Whole years from a yyyyMMdd birth date to a ``yyyy-MM-dd ...`` time; None when either is unreadable."""
    digits = when[:10].replace("-", "")
    if len(birth_yyyymmdd) != 8 or len(digits) != 8 or not (birth_yyyymmdd + digits).isdigit():
        return None
    return (int(digits) - int(birth_yyyymmdd)) // 10000


def _household(p: Resident) -> dict[str, Any]:
    return {"gmsfhm": p.id_number, "xm": p.name, "xb": p.gender, "mz": p.nation, "csrq": p.birth_date,
            "hjdz": p.address, "hh": p.household_no, "hkxz": p.household_type, "hjdqh": p.household_region}
