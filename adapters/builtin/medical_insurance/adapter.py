"""The built-in 医保 (medical insurance) adapter: the national platform's JSON envelope, 9001 sign-in."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.api import (
    Adapter, AdapterContext, AdapterError, AuthError, BranchState, CanonicalApplication, ConfigError,
    Credentials, HealthResult, LookupRequest, LookupResult, MalformedReplyError, NotFoundError, RejectedError,
    RenderedPayload, SessionAdapter, SessionExpired, StatusResult, SubmitResult, UnavailableError,
    format_china_time, mask_id, parse_china_time, require_consent, requested_fields, values_with_provenance,
)
from adapters.api.http import send

from . import mapping
from .payload import cert_type, render_application
from .protocol import (
    CONTENT_TYPE, DUPLICATE_MSGID, PLATFORM_TIME, SERVICE_PATH, MessageIds, PlatformReply, Station, envelope,
    parse_reply, sign_in_cainfo,
)

_STATES = {"10": BranchState.RECEIVED, "20": BranchState.IN_REVIEW, "30": BranchState.APPROVED,
           "40": BranchState.REJECTED}
_DEFAULTS = {"fixmedins_code": "H33010600001", "fixmedins_name": "一窗通综合受理窗口", "mdtrtarea_admvs": "330100",
             "insuplc_admdvs": "330100", "recer_sys_code": "OWYCT", "dev_no": "", "opter_name": ""}


def create(context: AdapterContext) -> Adapter:
    return MedicalInsuranceAdapter(context)


class MedicalInsuranceAdapter(SessionAdapter):
    def __init__(self, context: AdapterContext) -> None:
        cfg = context.config
        endpoint = str(cfg.get("endpoint") or "").rstrip("/")
        if not endpoint:
            raise ConfigError("endpoint is not configured", adapter_id=context.manifest.id)
        settings = {k: str(cfg.get(k) or d) for k, d in _DEFAULTS.items()}
        try:
            msgids = MessageIds(settings["fixmedins_code"])
        except ValueError as exc:
            raise ConfigError(str(exc), adapter_id=context.manifest.id, message_zh="医保定点机构编码应为12位") from exc
        super().__init__(context)
        self._url = endpoint if endpoint.endswith(SERVICE_PATH) else endpoint + SERVICE_PATH
        self._settings = settings
        self._msgids = msgids
        self._log = context.logger
        self._sign_no = ""
        self._opter = str(cfg.get("account") or "")

    # -- transport -----------------------------------------------------------------------------------
    def _station(self) -> Station:
        s = self._settings
        return Station(fixmedins_code=s["fixmedins_code"], fixmedins_name=s["fixmedins_name"],
                       mdtrtarea_admvs=s["mdtrtarea_admvs"], insuplc_admdvs=s["insuplc_admdvs"],
                       recer_sys_code=s["recer_sys_code"], dev_no=s["dev_no"], opter=self._opter,
                       opter_name=s["opter_name"] or self._opter)

    def next_msgid(self) -> str:
        return self._msgids.next(self.context.clock())

    def _exchange(self, infno: str, data_input: Mapping[str, Any], *, sign_no: str = "",
                  secret: str | None = None) -> PlatformReply:
        reply = self._send_once(infno, data_input, sign_no=sign_no, secret=secret)
        if reply.code == DUPLICATE_MSGID:
            # Another client of the same institution used this msgid in the same second; the platform refused
            # the message unprocessed, so sending it again under a fresh msgid is safe.
            self._log.info("%s: msgid collision on %s, resending with a new msgid", self.id, infno)
            reply = self._send_once(infno, data_input, sign_no=sign_no, secret=secret)
        if reply.code != 0:
            self._raise(infno, reply)
        return reply

    def _send_once(self, infno: str, data_input: Mapping[str, Any], *, sign_no: str,
                   secret: str | None) -> PlatformReply:
        msgid = self.next_msgid()
        cainfo = sign_in_cainfo(secret, msgid) if secret is not None else ""
        doc = envelope(infno, data_input, station=self._station(), msgid=msgid, now=self.context.clock(),
                       sign_no=sign_no, cainfo=cainfo)
        response = send(self.http, "POST", self._url, adapter_id=self.id, timeout=self.timeout,
                        data=json.dumps(doc, ensure_ascii=False).encode("utf-8"),
                        headers={"Content-Type": CONTENT_TYPE, "Accept": "application/json"})
        if response.status_code == 404:
            raise ConfigError(f"POST {self._url}: 404, no platform service at this address", adapter_id=self.id,
                              message_zh="医保接口地址配置有误（服务地址不存在）")
        if response.status_code >= 500:
            raise UnavailableError(f"infno {infno}: HTTP {response.status_code}", adapter_id=self.id,
                                   message_zh="医保平台暂时无法访问")
        if response.status_code != 200:
            raise MalformedReplyError(f"infno {infno}: unexpected HTTP {response.status_code}", adapter_id=self.id)
        reply = parse_reply(response.content, adapter_id=self.id)
        self._log.debug("%s: %s msgid %s -> infcode %s", self.id, infno, msgid, reply.code)
        return reply

    def _raise(self, infno: str, reply: PlatformReply) -> None:
        code, msg = reply.code, reply.err_msg
        detail = f"infno {infno}: infcode {code}"
        kw: dict[str, Any] = {"adapter_id": self.id, "department_code": str(code)}
        if code == -2:
            raise SessionExpired(detail)
        if code == -3:
            raise AuthError(detail + " (operator sign-in refused)", message_zh=f"医保平台签到失败：{msg}", **kw)
        if code == -4:
            raise NotFoundError(detail, message_zh=f"医保平台中未查到：{msg}" if msg else None, **kw)
        if code in (-5, DUPLICATE_MSGID):
            raise ConfigError(f"{detail}: envelope refused: {msg}", message_zh=f"医保平台拒收报文：{msg}", **kw)
        if code == -9:
            raise UnavailableError(detail, message_zh=f"医保平台暂时无法访问：{msg}", **kw)
        reason = msg or f"医保平台返回失败代码{code}，未说明原因"
        raise RejectedError(detail, reason=reason, message_zh=f"医保平台退回：{reason}", **kw)

    def _output(self, infno: str, reply: PlatformReply, key: str) -> Mapping[str, Any]:
        out = reply.output.get(key) if isinstance(reply.output, Mapping) else None
        if not isinstance(out, Mapping):
            raise MalformedReplyError(f"infno {infno}: output has no {key!r} object", adapter_id=self.id,
                                      message_zh=f"医保平台返回的报文缺少{key}")
        return out

    # -- session -------------------------------------------------------------------------------------
    def login(self, credentials: Credentials) -> tuple[str, datetime | None]:
        self._opter = credentials.account
        reply = self._exchange("9001", {"signIn": {"opter_no": credentials.account, "mac": "", "ip": ""}},
                               secret=credentials.secret)
        sign_no = str(self._output("9001", reply, "signinoutb").get("sign_no") or "")
        if not sign_no:
            raise MalformedReplyError("9001 reply has no sign_no", adapter_id=self.id,
                                      message_zh="医保平台签到未返回签到号")
        self._sign_no = sign_no
        # the platform does not say how long a sign_no lives: renewed when it says the sign_no expired (-2)
        return sign_no, None

    def logout(self) -> None:
        sign_no, self._sign_no = self._sign_no, ""
        if sign_no:
            self._exchange("9002", {"signOut": {"sign_no": sign_no, "opter_no": self._opter}}, sign_no=sign_no)

    def _call(self, infno: str, data: Mapping[str, Any]) -> PlatformReply:
        return self.keeper.call(lambda sign_no: self._exchange(infno, {"data": dict(data)}, sign_no=sign_no))

    # -- contract ------------------------------------------------------------------------------------
    def lookup(self, request: LookupRequest) -> LookupResult:
        require_consent(request, self.id)
        number = request.id_number.upper()
        self._log.info("%s: 1101 person information for %s", self.id, mask_id(number))
        reply = self._call("1101", {
            "mdtrt_cert_type": "02", "mdtrt_cert_no": number, "card_sn": "",
            "begntime": format_china_time(self.context.clock(), PLATFORM_TIME),
            "psn_cert_type": cert_type(number), "certno": number, "psn_name": request.name,
        })
        if not isinstance(reply.output, Mapping):
            raise MalformedReplyError("1101 reply has no output object", adapter_id=self.id,
                                      message_zh="医保平台返回的人员信息为空")
        try:
            values, warnings = mapping.person_to_canonical(reply.output)
        except ValueError as exc:
            raise MalformedReplyError(str(exc), adapter_id=self.id,
                                      message_zh="医保平台返回的人员信息缺少基本信息（baseinfo）") from exc
        found = values_with_provenance(self.id, self.context.clock(), values, requested_fields(request, self.manifest),
                                       source_ref=values.get("mi.psn_no"))
        return LookupResult(self.id, found, tuple(warnings))

    def render(self, application: CanonicalApplication) -> RenderedPayload:
        return render_application(application, self.id)

    def submit(self, payload: RenderedPayload, idempotency_key: str) -> SubmitResult:
        self.ensure_own_payload(payload)
        data = json.loads(payload.body.decode("utf-8"))
        data["ext_biz_sn"] = idempotency_key
        info = self._output("2701", self._call("2701", data), "aplyinfo")
        ref = str(info.get("aply_evt_id") or "")
        if not ref:
            raise MalformedReplyError("2701 reply has no aply_evt_id", adapter_id=self.id,
                                      message_zh="医保平台受理后未返回申报编号")
        self._log.info("%s: submitted %s as %s (dup_flag=%s)", self.id, idempotency_key, ref, info.get("dup_flag"))
        return SubmitResult(ref, duplicate=str(info.get("dup_flag")) == "1",
                            accepted_at=parse_china_time(info.get("aply_time"), PLATFORM_TIME))

    def find_submission(self, idempotency_key: str) -> SubmitResult | None:
        try:
            reply = self._call("2702", {"ext_biz_sn": idempotency_key})
        except NotFoundError:
            return None
        info = self._output("2702", reply, "aplyinfo")
        return SubmitResult(str(info.get("aply_evt_id") or ""), duplicate=True,
                            accepted_at=parse_china_time(info.get("aply_time"), PLATFORM_TIME))

    def status(self, department_ref: str) -> StatusResult:
        info = self._output("2703", self._call("2703", {"aply_evt_id": department_ref}), "aplyinfo")
        code = str(info.get("aply_stas") or "")
        state = _STATES.get(code)
        if state is None:
            raise MalformedReplyError(f"2703 reply has unknown aply_stas {code!r}", adapter_id=self.id,
                                      message_zh=f"医保平台返回了无法识别的办理状态“{code}”")
        return StatusResult(department_ref, state, reason=str(info.get("chk_opnn") or ""),
                            updated_at=parse_china_time(info.get("updt_time"), PLATFORM_TIME))

    def health(self) -> HealthResult:
        started = time.perf_counter()
        try:
            self._exchange("9100", {})
        except AdapterError as exc:
            return HealthResult(False, (time.perf_counter() - started) * 1000, detail=exc.message_zh)
        return HealthResult(True, (time.perf_counter() - started) * 1000, detail="医保平台联通正常")
