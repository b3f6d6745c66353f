"""The national medical insurance platform envelope (PROTOCOLS.md §3; the sandbox's server.py documents the
transactions). Builds requests, reads replies in both shapes real gateways send, and classifies failures."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.api import MalformedReplyError, format_china_time

#: how the platform writes times (China Standard Time): inf_time, aply_time, begntime, updt_time
PLATFORM_TIME = "%Y-%m-%d %H:%M:%S"
SERVICE_PATH = "/fsi/api/rsfComIfsService/callService"
CONTENT_TYPE = "application/json; charset=utf-8"
INFVER = "V1.0"
OPTER_TYPE_CLERK = "1"
#: infcode of a message refused unprocessed because its msgid was already used
DUPLICATE_MSGID = -6
#: the ``[-2]`` prefix some gateways put in err_msg when infcode is only "1"
_CODE_PREFIX = re.compile(r"^\s*\[(-?\d+)\]\s*")


class MessageIds:
    """msgid = institution code (12) + yyyyMMddHHmmss + 4-digit sequence: unique within one generator for up to
    10 000 messages a second. Several workstations (or adapter instances) share an institution code, so the
    sequence starts at a random point, and a collision the platform reports is resent (adapter). Thread-safe."""

    def __init__(self, institution_code: str, *, start: int | None = None) -> None:
        if len(institution_code) != 12:
            raise ValueError(f"fixmedins_code must have 12 characters, got {len(institution_code)}")
        self._inst = institution_code
        self._seq = itertools.count(secrets.randbelow(10_000) if start is None else start)
        self._lock = threading.Lock()

    def next(self, now: datetime) -> str:
        with self._lock:
            n = next(self._seq) % 10_000
        return f"{self._inst}{format_china_time(now, '%Y%m%d%H%M%S')}{n:04d}"


@dataclass(frozen=True)
class Station:
    """Who is calling, as every envelope states it (from the adapter's configuration)."""

    fixmedins_code: str
    fixmedins_name: str
    mdtrtarea_admvs: str
    insuplc_admdvs: str
    recer_sys_code: str
    dev_no: str
    opter: str
    opter_name: str


def envelope(infno: str, data_input: Mapping[str, Any], *, station: Station, msgid: str, now: datetime,
             sign_no: str = "", cainfo: str = "") -> dict[str, Any]:
    return {
        "infno": infno, "msgid": msgid, "mdtrtarea_admvs": station.mdtrtarea_admvs,
        "insuplc_admdvs": station.insuplc_admdvs, "recer_sys_code": station.recer_sys_code,
        "dev_no": station.dev_no, "dev_safe_info": "", "cainfo": cainfo, "signtype": "HMAC-SHA256" if cainfo else "",
        "infver": INFVER, "opter_type": OPTER_TYPE_CLERK, "opter": station.opter, "opter_name": station.opter_name,
        "inf_time": format_china_time(now, PLATFORM_TIME), "fixmedins_code": station.fixmedins_code,
        "fixmedins_name": station.fixmedins_name, "sign_no": sign_no, "input": dict(data_input),
    }


def sign_in_cainfo(secret: str, msgid: str) -> str:
    """The 9001 proof of the operator's password: hex HMAC-SHA256 of the msgid (the password never travels)."""
    return hmac.new(secret.encode("utf-8"), msgid.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PlatformReply:
    #: 0 on success; the platform's (negative) failure code otherwise
    code: int
    err_msg: str
    output: Any
    inf_refmsgid: str


def parse_reply(raw: bytes, *, adapter_id: str) -> PlatformReply:
    """Read a reply. ``infcode`` may be a number (the published shape) or a string ("0" success, "1" failure
    with the real code as an ``[-n]`` prefix of err_msg, as some deployments send)."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedReplyError(f"reply is not UTF-8 (byte {exc.start} of {len(raw)})", adapter_id=adapter_id,
                                  message_zh="医保平台返回的报文编码无法识别") from exc
    except json.JSONDecodeError as exc:
        raise MalformedReplyError(f"reply is not JSON: {exc}", adapter_id=adapter_id,
                                  message_zh="医保平台返回的报文不完整或格式错误") from exc
    if not isinstance(doc, dict) or "infcode" not in doc:
        raise MalformedReplyError("reply has no infcode", adapter_id=adapter_id,
                                  message_zh="医保平台返回的报文缺少交易状态码（infcode）")
    raw_code = doc["infcode"]
    try:
        if isinstance(raw_code, bool) or not isinstance(raw_code, (int, str)):
            raise ValueError
        code = int(str(raw_code).strip())
    except ValueError:
        raise MalformedReplyError(f"infcode {raw_code!r} is not a number", adapter_id=adapter_id,
                                  message_zh=f"医保平台返回的交易状态码“{raw_code}”无法识别") from None
    err_msg = str(doc.get("err_msg") or "")
    if code > 0:
        prefix = _CODE_PREFIX.match(err_msg)
        code = int(prefix.group(1)) if prefix and int(prefix.group(1)) < 0 else -1
        err_msg = err_msg[prefix.end():] if prefix else err_msg
    return PlatformReply(code=code, err_msg=err_msg, output=doc.get("output"),
                         inf_refmsgid=str(doc.get("inf_refmsgid") or ""))
