"""医保 (medical insurance) sandbox: the national medical insurance platform's JSON envelope (PROTOCOLS.md §3).

Protocol (the contract the built-in adapter implements)
-------------------------------------------------------
``POST /fsi/api/rsfComIfsService/callService``, UTF-8 JSON. Every request carries the full envelope:
``infno, msgid, mdtrtarea_admvs, insuplc_admdvs, recer_sys_code, dev_no, dev_safe_info, cainfo, signtype,
infver, opter_type, opter, opter_name, inf_time, fixmedins_code, fixmedins_name, sign_no, input``.
``msgid`` is 30 characters: ``fixmedins_code`` (12) + ``yyyyMMddHHmmss`` + a 4-digit sequence; a msgid the
platform has already seen is refused. ``infver`` is ``V1.0``, ``inf_time`` is ``yyyy-MM-dd HH:mm:ss``,
``opter_type`` 1 clerk / 2 self-service terminal / 3 mobile.

Reply: ``infcode`` (0 success, negative failure), ``inf_refmsgid`` (the platform's own 30-character message
id), ``refmsg_time`` and ``respond_time`` (``yyyyMMddHHmmssSSS``), ``err_msg``, ``output``.

Failure codes (``infcode``), as this province's gateway uses them:
  -1 业务处理失败 (err_msg is the reason)   -2 签到号无效或已过期 (sign in again)
  -3 操作员认证失败                          -4 未查询到记录 (person, application)
  -5 报文校验失败 (envelope, msgid format)   -6 报文ID重复 (refused unprocessed; resend with a new msgid)
  -9 系统繁忙

Transactions (infno):
  9001 sign-in. input ``{"signIn": {"opter_no", "mac", "ip"}}``. The operator (``opter``) authenticates with
       ``cainfo`` = hex HMAC-SHA256 of the request's ``msgid`` keyed with the operator's password (the
       password itself never travels). output ``{"signinoutb": {"sign_time", "sign_no"}}``. A ``sign_no``
       expires (``session_ttl_s``); every other transaction but 9100 needs a live one.
  9002 sign-out. input ``{"signOut": {"sign_no", "opter_no"}}`` -> ``{"signoutoutb": {"sign_time"}}``.
  9100 heartbeat (provincial extension, no sign_no) -> ``{"status": "正常"}``.
  1101 person information. input ``{"data": {mdtrt_cert_type, mdtrt_cert_no, card_sn, begntime,
       psn_cert_type, certno, psn_name}}`` -> ``{"baseinfo": {psn_no, psn_cert_type, certno, psn_name, gend,
       naty, brdy, age, live_addr}, "insuinfo": [{balc, insutype, psn_type, psn_insu_stas, psn_insu_date,
       paus_insu_date, cvlserv_flag, insuplc_admdvs, emp_name}], "idetinfo": [{psn_idet_type, psn_type_lv,
       begntime, endtime, memo}]}``. ``live_addr`` (居住地址) is a provincial extension of baseinfo.
       gend 1 男 / 2 女 / 9 未说明; naty GB 3304; brdy yyyy-MM-dd; insutype 310 职工基本医疗保险,
       330 大额医疗费用补助, 390 城乡居民基本医疗保险; psn_insu_stas 1 正常参保 / 2 暂停参保 / 4 终止参保.
  2701 参保业务申报 (provincial extension for the service hall's medical items). input ``{"data":
       {ext_biz_sn (the caller's idempotency key), psn_no, psn_cert_type, certno, psn_name, case_no,
       aply_time, aply_list: [{aply_type, ...}]}}`` with aply_type
         01 退休人员医保待遇核定      retr_date (required, yyyy-MM-dd), retr_type (1 正常, 2 提前, 3 弹性)
         02 失业人员参保（失业金期间）unemp_date (required), unemp_rea (11 合同期满, 12 单位解除,
                                      13 破产关闭, 19 其他非本人意愿)
         03 灵活就业人员参加职工医保  begn_date (required), flex_emp_type, clct_base (元)
       -> ``{"aplyinfo": {aply_evt_id, aply_time, dup_flag}}`` (dup_flag "1": ext_biz_sn seen before, same id)
  2702 申报查询 by ext_biz_sn -> ``{"aplyinfo": {aply_evt_id, aply_stas, aply_time}}``
  2703 办理状态查询 by aply_evt_id -> ``{"aplyinfo": {aply_evt_id, aply_stas, chk_opnn, updt_time}}``
       aply_stas 10 已受理 / 20 审核中 / 30 审核通过 / 40 审核不通过; chk_opnn is the reviewer's opinion.

Review rules: 01 and 02 need an employee insurance (310) record; 03 is refused when clct_base is outside
4462–22311 元.

Shape variants. ``variant="spec"`` (default) follows the published document. ``variant="deployment"``
imitates what some real gateways send: ``infcode`` as a string ("0" success, "1" failure, with the failure
code as an ``[-n]`` prefix of err_msg), ``insuinfo`` as a single object (the first record only),
no ``idetinfo``, ``brdy`` as ``yyyyMMdd`` and ``age`` as a string. Switch with the constructor or
``POST /_control/variant {"variant": "deployment"}``. Also ``POST /_control/expire_sessions`` and
``GET /_control/stats``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from adapters.sandbox.base import Reply, Request, SandboxServer

from .seed import build_people

PATH = "/fsi/api/rsfComIfsService/callService"
CST = timezone(timedelta(hours=8))
VARIANTS = ("spec", "deployment")
ENVELOPE_KEYS = ("infno", "msgid", "mdtrtarea_admvs", "insuplc_admdvs", "recer_sys_code", "dev_no", "dev_safe_info",
                 "cainfo", "signtype", "infver", "opter_type", "opter", "opter_name", "inf_time", "fixmedins_code",
                 "fixmedins_name", "sign_no", "input")
_NON_EMPTY = ("infno", "msgid", "mdtrtarea_admvs", "insuplc_admdvs", "infver", "opter_type", "opter", "inf_time",
              "fixmedins_code")
_MSGID = re.compile(r"^(?P<inst>.{12})(?P<time>\d{14})(?P<seq>\d{4})$")
_STAS = {"received": "10", "in_review": "20", "approved": "30", "rejected": "40"}
_REQUIRED = {"01": ("retr_date", "退休日期"), "02": ("unemp_date", "失业日期"), "03": ("begn_date", "参保开始日期")}
_APLY_FIELDS = {"01": ("retr_date", "retr_type"), "02": ("unemp_date", "unemp_rea"),
                "03": ("begn_date", "flex_emp_type", "clct_base")}
FLEX_BASE_RANGE = (4462.0, 22311.0)


class PlatformError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _stamp(moment: datetime) -> str:
    return moment.astimezone(CST).strftime("%Y%m%d%H%M%S%f")[:17]


def _clock_text(moment: datetime) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")


def _is_day(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except (TypeError, ValueError):
        return False
    return True


def sign_in_cainfo(secret: str, msgid: str) -> str:
    """What 9001 expects in ``cainfo``: hex HMAC-SHA256 of the msgid, keyed with the operator's password."""
    return hmac.new(secret.encode("utf-8"), msgid.encode("utf-8"), hashlib.sha256).hexdigest()


class MedicalInsuranceSandbox(SandboxServer):
    department = "medical_insurance"
    ref_prefix = "YB"

    def __init__(self, *, session_ttl_s: float = 1800.0, variant: str = "spec", **kw: Any) -> None:
        super().__init__(**kw)
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r} (known: {', '.join(VARIANTS)})")
        self.variant = variant
        self.session_ttl_s = session_ttl_s
        self.people = build_people()
        self.sign_in_count = 0
        self._signs: dict[str, tuple[str, float]] = {}
        self._msgids: set[str] = set()
        self._lock = threading.Lock()
        self._refseq = itertools.count(1)

    # -- transport -----------------------------------------------------------------------------------
    def handle(self, req: Request) -> Reply:
        received = datetime.now(CST)
        if req.path != PATH:
            return Reply.json({"code": 404, "message": "服务不存在"}, status=404)
        if req.method != "POST":
            return Reply.json({"code": 405, "message": "仅支持POST"}, status=405)
        try:
            envelope = self._envelope(req.body)
            handler = self._transactions().get(envelope["infno"])
            if handler is None:
                raise PlatformError(-5, f"交易编号{envelope['infno']}不存在")
            if envelope["infno"] not in ("9001", "9100"):
                self._check_sign(str(envelope.get("sign_no") or ""), str(envelope["opter"]))
            output = handler(envelope)
            return self._reply(received, 0, "", output)
        except PlatformError as exc:
            return self._reply(received, exc.code, exc.message, None)

    def _reply(self, received: datetime, code: int, message: str, output: Any) -> Reply:
        infcode: int | str = code
        err_msg: str | None = message or None
        if self.variant == "deployment":
            infcode = "0" if code == 0 else "1"
            err_msg = f"[{code}]{message}" if code else ""
        ref = f"330100{_stamp(received)[:14]}{next(self._refseq):010d}"
        return Reply.json({"infcode": infcode, "inf_refmsgid": ref, "refmsg_time": _stamp(received),
                           "respond_time": _stamp(datetime.now(CST)), "err_msg": err_msg, "output": output,
                           "warn_msg": None, "cainfo": None, "signtype": None})

    def _envelope(self, raw: bytes) -> dict[str, Any]:
        try:
            envelope = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PlatformError(-5, f"报文不是有效的JSON：{exc}") from exc
        if not isinstance(envelope, dict):
            raise PlatformError(-5, "报文必须是JSON对象")
        missing = [k for k in ENVELOPE_KEYS if k not in envelope]
        empty = [k for k in _NON_EMPTY if k in envelope and envelope[k] in (None, "")]
        if missing or empty:
            raise PlatformError(-5, f"报文校验失败：缺少字段{','.join(missing + empty)}")
        if envelope["infver"] != "V1.0":
            raise PlatformError(-5, f"接口版本号{envelope['infver']}不支持")
        if str(envelope["opter_type"]) not in ("1", "2", "3"):
            raise PlatformError(-5, f"经办人类别{envelope['opter_type']}无效")
        try:
            datetime.strptime(str(envelope["inf_time"]), "%Y-%m-%d %H:%M:%S")
        except ValueError as exc:
            raise PlatformError(-5, "交易时间inf_time格式应为yyyy-MM-dd HH:mm:ss") from exc
        msgid = str(envelope["msgid"])
        m = _MSGID.match(msgid)
        if m is None or m["inst"] != envelope["fixmedins_code"]:
            raise PlatformError(-5, "报文ID应为30位：机构编码12位+yyyyMMddHHmmss+4位顺序号")
        try:
            datetime.strptime(m["time"], "%Y%m%d%H%M%S")
        except ValueError as exc:
            raise PlatformError(-5, "报文ID中的时间无效") from exc
        with self._lock:
            if msgid in self._msgids:
                raise PlatformError(-6, f"报文ID重复：{msgid}")
            self._msgids.add(msgid)
        if not isinstance(envelope["input"], dict):
            raise PlatformError(-5, "input必须是JSON对象")
        return envelope

    def _transactions(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {"9001": self._sign_in, "9002": self._sign_out, "9100": lambda e: {"status": "正常"},
                "1101": self._person, "2701": self._submit, "2702": self._by_key, "2703": self._status}

    def error_reply(self, req: Request) -> Reply:
        return self._reply(datetime.now(CST), -9, "系统繁忙，请稍后再试", None)

    def malformed_reply(self, req: Request) -> Reply:
        return Reply(200, b'{"infcode": 0, "inf_refmsgid": "3301002026', "application/json; charset=utf-8")

    # -- sign-in -------------------------------------------------------------------------------------
    def _sign_in(self, envelope: dict[str, Any]) -> dict[str, Any]:
        opter = str(envelope["opter"])
        secret = self.accounts.get(opter)
        expected = sign_in_cainfo(secret, str(envelope["msgid"])) if secret is not None else None
        if expected is None or not hmac.compare_digest(expected, str(envelope.get("cainfo") or "")):
            raise PlatformError(-3, "操作员签到失败：操作员编号或认证信息错误")
        sign_no = f"{int(time.time() * 1000)}{secrets.randbelow(10**6):06d}"
        with self._lock:
            self._signs[sign_no] = (opter, time.monotonic() + self.session_ttl_s)
            self.sign_in_count += 1
        return {"signinoutb": {"sign_time": _clock_text(datetime.now(CST)), "sign_no": sign_no}}

    def _sign_out(self, envelope: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._signs.pop(str(envelope.get("sign_no") or ""), None)
        return {"signoutoutb": {"sign_time": _clock_text(datetime.now(CST))}}

    def _check_sign(self, sign_no: str, opter: str) -> None:
        with self._lock:
            entry = self._signs.get(sign_no)
            if entry is None or entry[0] != opter or entry[1] <= time.monotonic():
                self._signs.pop(sign_no, None)
                raise PlatformError(-2, "签到号无效或已过期，请重新签到")

    def expire_sessions(self) -> None:
        with self._lock:
            self._signs.clear()

    # -- business ------------------------------------------------------------------------------------
    @staticmethod
    def _data(envelope: Mapping[str, Any]) -> dict[str, Any]:
        data = envelope["input"].get("data")
        if not isinstance(data, dict):
            raise PlatformError(-5, "input.data必须是JSON对象")
        return data

    def _person(self, envelope: dict[str, Any]) -> dict[str, Any]:
        data = self._data(envelope)
        certno = str(data.get("certno") or "")
        if not certno and str(data.get("mdtrt_cert_type")) == "02":
            certno = str(data.get("mdtrt_cert_no") or "")
        person = self.people.get(certno.upper())
        if person is None:
            raise PlatformError(-4, "未查询到该人员的参保信息")
        base = dict(person["baseinfo"])
        born = date.fromisoformat(base["brdy"])
        today = date.today()
        base["age"] = float(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))
        if self.variant == "deployment":
            base["brdy"] = born.strftime("%Y%m%d")
            base["age"] = f"{base['age']:.0f}"
            return {"baseinfo": base, "insuinfo": dict(person["insuinfo"][0])}
        return {"baseinfo": base, "insuinfo": [dict(r) for r in person["insuinfo"]],
                "idetinfo": [dict(r) for r in person["idetinfo"]]}

    def _submit(self, envelope: dict[str, Any]) -> dict[str, Any]:
        data = self._data(envelope)
        key = str(data.get("ext_biz_sn") or "")
        if not key:
            raise PlatformError(-1, "缺少外部业务流水号ext_biz_sn")
        existing = self.store.find(key)
        if existing is not None:
            return {"aplyinfo": {"aply_evt_id": existing.ref, "aply_time": _clock_text(existing.created_at),
                                 "dup_flag": "1"}}
        certno = str(data.get("certno") or "").upper()
        if certno not in self.people:
            raise PlatformError(-4, "未查询到该人员的参保信息")
        aplys: list[dict[str, str]] = []
        for entry in data.get("aply_list") or []:
            kind = str(entry.get("aply_type") or "") if isinstance(entry, dict) else ""
            if kind not in _APLY_FIELDS:
                raise PlatformError(-1, f"申报类型{kind or '(空)'}不存在")
            aply = {"aply_type": kind, **{k: str(entry.get(k) or "") for k in _APLY_FIELDS[kind]}}
            field_name, label = _REQUIRED[kind]
            if not _is_day(aply[field_name]):
                raise PlatformError(-1, f"{label}（{field_name}）为空或不是yyyy-MM-dd格式")
            aplys.append(aply)
        if not aplys:
            raise PlatformError(-1, "申报事项列表aply_list为空")
        payload = {"certno": certno, "psn_name": str(data.get("psn_name") or ""), "aply_list": aplys}
        kinds = tuple(a["aply_type"] for a in aplys)
        outcome, reason = self.decide(kinds, payload)
        sub, duplicate = self.store.submit(key, kinds, payload, outcome=outcome, outcome_reason=reason)
        return {"aplyinfo": {"aply_evt_id": sub.ref, "aply_time": _clock_text(sub.created_at),
                             "dup_flag": "1" if duplicate else "0"}}

    def decide(self, items: tuple[str, ...], payload: Any) -> tuple[str, str]:
        person = self.people[payload["certno"]]
        employee = any(r["insutype"] == "310" for r in person["insuinfo"])
        for aply in payload["aply_list"]:
            kind = aply["aply_type"]
            if kind == "01" and not employee:
                return "rejected", "该人员未参加职工基本医疗保险，不能办理退休人员医保待遇核定"
            if kind == "02" and not employee:
                return "rejected", "该人员无职工基本医疗保险参保记录，不能办理失业人员参保"
            if kind == "03" and aply.get("clct_base"):
                try:
                    base = float(aply["clct_base"])
                except ValueError:
                    return "rejected", f"缴费基数“{aply['clct_base']}”不是有效金额"
                low, high = FLEX_BASE_RANGE
                if not low <= base <= high:
                    return "rejected", f"缴费基数超出本统筹区上下限（{low:.0f}～{high:.0f}元）"
        return "approved", ""

    def _by_key(self, envelope: dict[str, Any]) -> dict[str, Any]:
        sub = self.store.find(str(self._data(envelope).get("ext_biz_sn") or ""))
        if sub is None:
            raise PlatformError(-4, "未查询到该业务流水号的申报记录")
        return {"aplyinfo": {"aply_evt_id": sub.ref, "aply_stas": _STAS[sub.state],
                             "aply_time": _clock_text(sub.created_at)}}

    def _status(self, envelope: dict[str, Any]) -> dict[str, Any]:
        sub = self.store.get(str(self._data(envelope).get("aply_evt_id") or ""))
        if sub is None:
            raise PlatformError(-4, "未查询到该申报记录")
        return {"aplyinfo": {"aply_evt_id": sub.ref, "aply_stas": _STAS[sub.state], "chk_opnn": sub.reason,
                             "updt_time": _clock_text(sub.updated_at or sub.created_at)}}

    # -- control -------------------------------------------------------------------------------------
    def _control(self, req: Request) -> Reply:
        action = req.path[len("/_control/"):]
        if action == "variant" and req.method == "POST":
            variant = (req.json() if req.body else {}).get("variant")
            if variant not in VARIANTS:
                return Reply.json({"error": f"unknown variant {variant!r}"}, status=400)
            self.variant = variant
            return Reply.json({"variant": variant})
        if action == "expire_sessions" and req.method == "POST":
            self.expire_sessions()
            return Reply.json({"ok": True})
        if action == "stats":
            with self._lock:
                live = sum(1 for _, exp in self._signs.values() if exp > time.monotonic())
            return Reply.json({"sign_ins": self.sign_in_count, "live_sign_nos": live, "variant": self.variant})
        return super()._control(req)
