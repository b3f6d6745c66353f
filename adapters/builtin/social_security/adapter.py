"""The built-in 人社 (social security) adapter: GBK XML packets, ticket sessions, 人社 code tables."""

from __future__ import annotations

import itertools
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime, timedelta

from adapters.api import (
    Adapter, AdapterContext, AdapterError, AuthError, BranchState, CanonicalApplication, ConfigError,
    ConsentError, Credentials, HealthResult, LookupRequest, LookupResult, MalformedReplyError, NotFoundError,
    RejectedError, RenderedPayload, SessionAdapter, SessionExpired, StatusResult, SubmitResult, UnavailableError,
    format_china_time, mask_id, parse_china_time, require_consent, requested_fields, values_with_provenance,
)
from adapters.api.http import send

from . import mapping
from .mapping import DEPT_TIME
from .payload import render_application
from .protocol import (
    CONTENT_TYPE, GATEWAY_PATH, ReplyPacket, decode_reply, element, encode_request, parse_gbk_document,
)

_STATES = {"01": BranchState.RECEIVED, "02": BranchState.IN_REVIEW, "03": BranchState.APPROVED,
           "04": BranchState.REJECTED}
_SESSION_CODES = {"1002", "1003"}
_NOT_FOUND_ZH = {"2001": "人社系统中未查到该人员的参保信息", "2002": "人社系统中未查到该业务记录"}


def create(context: AdapterContext) -> Adapter:
    return SocialSecurityAdapter(context)


class SocialSecurityAdapter(SessionAdapter):
    # The department reports the ticket lifetime; login keeps a safety margin relative to it, so the
    # keeper itself needs none (a fixed margin would exceed the short tickets of a test sandbox).
    renew_margin = timedelta(0)

    def __init__(self, context: AdapterContext) -> None:
        endpoint = str(context.config.get("endpoint") or "").rstrip("/")
        if not endpoint:
            raise ConfigError("endpoint is not configured", adapter_id=context.manifest.id)
        super().__init__(context)
        self._url = endpoint if endpoint.endswith(GATEWAY_PATH) else endpoint + GATEWAY_PATH
        self._log = context.logger
        self._seq = itertools.count(1)
        self._seq_lock = threading.Lock()
        #: the last ticket issued, only so close() can log it out without logging in again
        self._last_ticket = ""

    # -- transport -----------------------------------------------------------------------------------
    def _next_seq(self) -> str:
        with self._seq_lock:
            n = next(self._seq) % 1_000_000
        return format_china_time(self.context.clock(), DEPT_TIME) + f"{n:06d}"

    def _exchange(self, transcode: str, body: ET.Element, ticket: str = "") -> ReplyPacket:
        seq = self._next_seq()
        data = encode_request(transcode, ticket, seq, seq[:14], body)
        response = send(self.http, "POST", self._url, adapter_id=self.id, timeout=self.timeout, data=data,
                        headers={"Content-Type": CONTENT_TYPE, "Accept": "text/xml"})
        if response.status_code == 404:
            raise ConfigError(f"POST {self._url}: 404, no 人社 gateway at this address", adapter_id=self.id,
                              message_zh="人社接口地址配置有误（服务地址不存在）")
        if response.status_code >= 500:
            reason = self._server_message(response.content)
            raise UnavailableError(f"transaction {transcode}: HTTP {response.status_code} {reason}".strip(),
                                   adapter_id=self.id, message_zh=f"人社系统暂时无法访问{('：' + reason) if reason else ''}")
        if response.status_code != 200:
            raise MalformedReplyError(f"transaction {transcode}: unexpected HTTP {response.status_code}",
                                      adapter_id=self.id)
        reply = decode_reply(response.content, adapter_id=self.id)
        self._log.debug("%s: %s -> %s", self.id, transcode, reply.retcode)
        if reply.retcode != "0000":
            self._raise(transcode, reply)
        return reply

    def _server_message(self, raw: bytes) -> str:
        try:
            return decode_reply(raw, adapter_id=self.id).retmsg
        except MalformedReplyError:
            return ""

    def _raise(self, transcode: str, reply: ReplyPacket) -> None:
        code, msg = reply.retcode, reply.retmsg
        detail = f"transaction {transcode}: RETCODE {code}"
        kw: dict[str, str] = {"adapter_id": self.id, "department_code": code}
        if code in _SESSION_CODES:
            raise SessionExpired(detail)
        if code == "1001":
            raise AuthError(detail + " (account or password refused)", message_zh=f"人社系统登录失败：{msg}", **kw)
        if code in _NOT_FOUND_ZH:
            raise NotFoundError(detail, message_zh=_NOT_FOUND_ZH[code], **kw)
        if code == "2003":
            raise ConsentError(detail, message_zh=f"人社系统拒绝查询：{msg}", **kw)
        if code == "9002":
            raise ConfigError(detail + " (transaction not offered at this endpoint)", message_zh=f"人社接口版本不符：{msg}",
                              **kw)
        if code == "9999":
            raise UnavailableError(detail, message_zh=f"人社系统暂时无法访问：{msg}", **kw)
        raise RejectedError(detail, reason=msg, message_zh=f"人社系统退回：{msg}", **kw)

    # -- session -------------------------------------------------------------------------------------
    def login(self, credentials: Credentials) -> tuple[str, datetime | None]:
        body = element("BODY", {"USERID": credentials.account, "PASSWD": credentials.secret})
        reply = self._exchange("1001", body)
        ticket = reply.text("TICKET")
        if not ticket:
            raise MalformedReplyError("login reply has no TICKET", adapter_id=self.id)
        self._last_ticket = ticket
        try:
            lifetime = float(reply.text("VALIDSECS"))
        except ValueError:
            return ticket, None  # unknown lifetime: renew only when the department says the ticket expired
        margin = min(5.0, lifetime * 0.1)
        return ticket, self.context.clock() + timedelta(seconds=lifetime - margin)

    def logout(self) -> None:
        ticket, self._last_ticket = self._last_ticket, ""
        if ticket:
            self._exchange("1002", ET.Element("BODY"), ticket)

    def _call(self, transcode: str, body: ET.Element) -> ReplyPacket:
        return self.keeper.call(lambda ticket: self._exchange(transcode, body, ticket))

    # -- contract ------------------------------------------------------------------------------------
    def lookup(self, request: LookupRequest) -> LookupResult:
        consent = require_consent(request, self.id)
        self._log.info("%s: person query for %s", self.id, mask_id(request.id_number))
        reply = self._call("2001", element("BODY", {"AAC002": request.id_number.upper(), "AUTHNO": consent}))
        person = reply.body.find("PERSON")
        if person is None:
            raise MalformedReplyError("2001 reply has no PERSON", adapter_id=self.id,
                                      message_zh="人社系统返回的人员信息缺少PERSON节点")
        record: Mapping[str, str] = {child.tag: (child.text or "") for child in person}
        values, warnings = mapping.person_to_canonical(record)
        found = values_with_provenance(self.id, self.context.clock(), values, requested_fields(request, self.manifest),
                                       source_ref=values.get("ss.person_no"))
        return LookupResult(self.id, found, tuple(warnings))

    def render(self, application: CanonicalApplication) -> RenderedPayload:
        return render_application(application, self.id)

    def submit(self, payload: RenderedPayload, idempotency_key: str) -> SubmitResult:
        self.ensure_own_payload(payload)
        body = parse_gbk_document(payload.body, adapter_id=self.id, what="rendered payload")
        buskey = ET.Element("BUSKEY")
        buskey.text = idempotency_key
        body.insert(0, buskey)
        reply = self._call("3001", body)
        ref = reply.text("SLBH")
        if not ref:
            raise MalformedReplyError("3001 reply has no SLBH (acceptance number)", adapter_id=self.id)
        self._log.info("%s: submitted %s as %s (duplicate=%s)", self.id, idempotency_key, ref, reply.text("CFBZ"))
        return SubmitResult(ref, duplicate=reply.text("CFBZ") == "1",
                            accepted_at=parse_china_time(reply.text("SLSJ"), DEPT_TIME))

    def find_submission(self, idempotency_key: str) -> SubmitResult | None:
        try:
            reply = self._call("3002", element("BODY", {"BUSKEY": idempotency_key}))
        except NotFoundError:
            return None
        return SubmitResult(reply.text("SLBH"), duplicate=True,
                            accepted_at=parse_china_time(reply.text("SLSJ"), DEPT_TIME))

    def status(self, department_ref: str) -> StatusResult:
        reply = self._call("3003", element("BODY", {"SLBH": department_ref}))
        code = reply.text("BLZT")
        state = _STATES.get(code)
        if state is None:
            raise MalformedReplyError(f"3003 reply has unknown BLZT {code!r}", adapter_id=self.id,
                                      message_zh=f"人社系统返回了无法识别的办理状态“{code}”")
        return StatusResult(department_ref, state, reason=reply.text("BLYJ"),
                            updated_at=parse_china_time(reply.text("GXSJ"), DEPT_TIME))

    def health(self) -> HealthResult:
        started = time.perf_counter()
        try:
            reply = self._exchange("0000", ET.Element("BODY"))
        except AdapterError as exc:
            return HealthResult(False, (time.perf_counter() - started) * 1000, detail=exc.message_zh)
        return HealthResult(True, (time.perf_counter() - started) * 1000, detail=reply.text("STATUS") or reply.retmsg)
