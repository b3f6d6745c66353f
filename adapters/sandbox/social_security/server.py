"""人社 (social security) sandbox: GBK XML packets over HTTP POST.

Protocol (the contract the built-in adapter implements; modelled on provincial 人社 front-end gateways)
-----------------------------------------------------------------------------------------------------
Endpoint ``POST /hrss/gateway``, request and reply ``Content-Type: text/xml; charset=GBK``, the body a
GBK-encoded XML document (``<?xml version="1.0" encoding="GBK"?>``). Text fields hold GBK characters only:
a character outside GBK (e.g. 𠮷 U+20BB7, even when sent as ``&#x20BB7;``) is refused with RETCODE 3002,
because the department's database columns are GBK. Bytes that are not valid GBK are refused with 9001.

Request::

    <PACKET>
      <HEAD><TRANSCODE>2001</TRANSCODE><TICKET>..</TICKET><SEQ>..</SEQ><TIME>yyyyMMddHHmmss</TIME></HEAD>
      <BODY>..</BODY>
    </PACKET>

Reply: the same HEAD (TRANSCODE and SEQ echoed, TIME of the reply) plus ``RETCODE`` and ``RETMSG``.
TICKET is empty for 1001 and 0000. TIME is China Standard Time (UTC+8).

Transactions (TRANSCODE):
  0000 heartbeat, no ticket                       -> RETMSG 服务正常
  1001 login: BODY USERID, PASSWD                 -> BODY TICKET, VALIDSECS (ticket lifetime in seconds)
  1002 logout: the HEAD's TICKET is dropped
  2001 person query: BODY AAC002 (ID number), AUTHNO (the citizen's authorisation reference, required)
       -> BODY PERSON: AAC001 个人编号, AAC002 公民身份号码, AAC003 姓名, AAC004 性别 (text 男/女/未知/未说明),
          AAC006 出生日期, AAC010 户籍地址, AAC017 婚姻状况 (GB/T 2261.2: 10 未婚, 20 已婚, 21 初婚,
          22 再婚, 23 复婚, 30 丧偶, 40 离婚, 90 未说明), AAE005 联系电话, AAE009 开户银行, AAE010 银行账号,
          AAB004 参保单位名称, AAC049 养老保险参保日期, AAC008 参保状态 (11 参保缴费, 21 中断缴费,
          22 欠费暂停, 31 退休终止, 32 死亡终止, 33 转出终止), AIC090 养老保险累计缴费月数,
          AJC090 失业保险累计缴费月数
  3001 business submission: BODY BUSKEY (the caller's idempotency key), PERSON (AAC001, AAC002, AAC003,
       AAC004, AAE005, AAE009, AAE010), ITEMLIST with one ITEM per business, each with SXBM (事项编码):
         YL01 养老待遇申领     AIC162 退休日期 (required), AIC161 退休类别 (1 正常, 2 提前, 3 弹性)
         SY01 失业保险金申领   AJC050 离职日期 (required), AJC093 离职原因 (11 合同期满, 12 单位解除,
                               13 破产关闭, 19 其他非本人意愿)
         LH01 灵活就业参保     AAE030 参保开始日期 (required), AAC062 就业形式, AAE180 缴费基数 (元)
       -> BODY SLBH 受理编号, SLSJ 受理时间, CFBZ 重复标志 (1 when BUSKEY was seen before: same SLBH)
  3002 query by business key: BODY BUSKEY          -> BODY SLBH, BLZT, SLSJ
  3003 status: BODY SLBH                           -> BODY SLBH, BLZT 办理状态 (01 已受理, 02 审核中,
                                                      03 审核通过, 04 不予通过), BLYJ 办理意见, GXSJ 更新时间
Dates are YYYYMMDD, times yyyyMMddHHmmss.

RETCODE: 0000 成功; 1001 用户名或密码错误; 1002 票据无效或已过期 (log in again); 1003 缺少票据;
2001 未查询到人员参保信息; 2002 未查询到业务记录; 2003 缺少授权编号; 3001 业务校验不通过 (RETMSG says
why); 3002 含有GBK字符集以外的字符; 9001 报文格式错误; 9002 不支持的交易代码; 9999 系统繁忙 (HTTP 500).

Review rules (decided at intake, reached by time or /_control/advance): YL01 is refused when AIC090 < 180
("累计缴费不足15年"), SY01 when AJC090 < 12, LH01 when AAE180 is outside 4462–22311 元.

Extra control actions besides the base's: ``POST /_control/expire_sessions`` (every ticket expires now)
and ``GET /_control/stats`` (login count, live tickets).
"""

from __future__ import annotations

import secrets
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from adapters.sandbox.base import Reply, Request, SandboxServer

from .seed import build_people

PATH = "/hrss/gateway"
CONTENT_TYPE = "text/xml; charset=GBK"
CST = timezone(timedelta(hours=8))

PENSION, UNEMPLOYMENT, FLEXIBLE = "YL01", "SY01", "LH01"
_REQUIRED = {PENSION: ("AIC162", "退休日期"), UNEMPLOYMENT: ("AJC050", "离职日期"), FLEXIBLE: ("AAE030", "参保开始日期")}
_ITEM_FIELDS = {PENSION: ("AIC162", "AIC161"), UNEMPLOYMENT: ("AJC050", "AJC093"),
                FLEXIBLE: ("AAE030", "AAC062", "AAE180")}
_PERSON_SUBMITTED = ("AAC001", "AAC002", "AAC003", "AAC004", "AAE005", "AAE009", "AAE010")
_PERSON_ORDER = ("AAC001", "AAC002", "AAC003", "AAC004", "AAC006", "AAC010", "AAC017", "AAE005", "AAE009",
                 "AAE010", "AAB004", "AAC049", "AAC008", "AIC090", "AJC090")
_BLZT = {"received": "01", "in_review": "02", "approved": "03", "rejected": "04"}
FLEX_BASE_RANGE = (4462.0, 22311.0)


class PacketError(Exception):
    def __init__(self, retcode: str, retmsg: str) -> None:
        super().__init__(retmsg)
        self.retcode, self.retmsg = retcode, retmsg


def _now_text() -> str:
    return datetime.now(CST).strftime("%Y%m%d%H%M%S")


def _text(parent: ET.Element | None, tag: str) -> str:
    node = parent.find(tag) if parent is not None else None
    return (node.text or "").strip() if node is not None else ""


def _packet(transcode: str, seq: str, retcode: str, retmsg: str, body: ET.Element | None = None) -> bytes:
    root = ET.Element("PACKET")
    head = ET.SubElement(root, "HEAD")
    for tag, value in (("TRANSCODE", transcode), ("SEQ", seq), ("TIME", _now_text()),
                       ("RETCODE", retcode), ("RETMSG", retmsg)):
        ET.SubElement(head, tag).text = value
    root.append(body if body is not None else ET.Element("BODY"))
    text = '<?xml version="1.0" encoding="GBK"?>\n' + ET.tostring(root, encoding="unicode")
    return text.encode("gbk")


def _body(**children: str) -> ET.Element:
    body = ET.Element("BODY")
    for tag, value in children.items():
        ET.SubElement(body, tag).text = value
    return body


class SocialSecuritySandbox(SandboxServer):
    department = "social_security"
    ref_prefix = "RS"

    def __init__(self, *, session_ttl_s: float = 1800.0, **kw: Any) -> None:
        super().__init__(**kw)
        self.session_ttl_s = session_ttl_s
        self.people = build_people()
        self.login_count = 0
        self._tickets: dict[str, float] = {}
        self._ticket_lock = threading.Lock()

    # -- transport -----------------------------------------------------------------------------------
    def handle(self, req: Request) -> Reply:
        if req.path != PATH:
            return Reply(404, "未找到服务地址".encode("gbk"), "text/plain; charset=GBK")
        if req.method != "POST":
            return Reply(405, "仅支持POST".encode("gbk"), "text/plain; charset=GBK")
        transcode, seq = "", ""
        try:
            root = self._parse(req.body)
            head = root.find("HEAD")
            transcode, seq = _text(head, "TRANSCODE"), _text(head, "SEQ")
            handler = self._transactions().get(transcode)
            if handler is None:
                raise PacketError("9002", f"不支持的交易代码：{transcode or '(空)'}")
            if transcode not in ("0000", "1001"):
                self._check_ticket(_text(head, "TICKET"))
            body = root.find("BODY")
            reply_body = handler(body if body is not None else ET.Element("BODY"), head)
            return Reply(200, _packet(transcode, seq, "0000", "成功", reply_body), CONTENT_TYPE)
        except PacketError as exc:
            return Reply(200, _packet(transcode, seq, exc.retcode, exc.retmsg), CONTENT_TYPE)

    @staticmethod
    def _parse(raw: bytes) -> ET.Element:
        try:
            text = raw.decode("gbk")
        except UnicodeDecodeError as exc:
            raise PacketError("9001", f"报文不是有效的GBK编码（第{exc.start}字节）") from exc
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise PacketError("9001", f"报文格式错误：{exc}") from exc
        if root.tag != "PACKET" or root.find("HEAD") is None:
            raise PacketError("9001", "报文格式错误：缺少PACKET/HEAD")
        for node in root.iter():
            for value in (node.text or "", *node.attrib.values()):
                try:
                    value.encode("gbk")
                except UnicodeEncodeError as exc:
                    bad = value[exc.start]
                    raise PacketError("3002", f"{node.tag}含有GBK字符集以外的字符（U+{ord(bad):04X}）") from exc
        return root

    def _transactions(self) -> dict[str, Callable[[ET.Element, ET.Element | None], ET.Element]]:
        return {"0000": lambda b, h: _body(STATUS="服务正常"), "1001": self._login, "1002": self._logout,
                "2001": self._person, "3001": self._submit, "3002": self._by_key, "3003": self._status}

    def error_reply(self, req: Request) -> Reply:
        return Reply(500, _packet("", "", "9999", "系统繁忙，请稍后再试"), CONTENT_TYPE)

    def malformed_reply(self, req: Request) -> Reply:
        half = _packet("2001", "", "0000", "成功", _body(AAC003="欧阳喆"))
        return Reply(200, half[: len(half) // 2], CONTENT_TYPE)

    # -- sessions ------------------------------------------------------------------------------------
    def _login(self, body: ET.Element, head: ET.Element | None) -> ET.Element:
        user, password = _text(body, "USERID"), _text(body, "PASSWD")
        if not user or self.accounts.get(user) != password:
            raise PacketError("1001", "用户名或密码错误")
        ticket = secrets.token_hex(16).upper()
        with self._ticket_lock:
            self._tickets[ticket] = time.monotonic() + self.session_ttl_s
            self.login_count += 1
        return _body(TICKET=ticket, VALIDSECS=f"{self.session_ttl_s:g}")

    def _logout(self, body: ET.Element, head: ET.Element | None) -> ET.Element:
        with self._ticket_lock:
            self._tickets.pop(_text(head, "TICKET"), None)
        return _body()

    def _check_ticket(self, ticket: str) -> None:
        if not ticket:
            raise PacketError("1003", "缺少票据，请先登录")
        with self._ticket_lock:
            expires = self._tickets.get(ticket)
            if expires is None or expires <= time.monotonic():
                self._tickets.pop(ticket, None)
                raise PacketError("1002", "票据无效或已过期，请重新登录")

    def expire_sessions(self) -> None:
        with self._ticket_lock:
            self._tickets.clear()

    # -- business ------------------------------------------------------------------------------------
    def _person(self, body: ET.Element, head: ET.Element | None) -> ET.Element:
        if not _text(body, "AUTHNO"):
            raise PacketError("2003", "缺少授权编号，不能查询个人信息")
        record = self.people.get(_text(body, "AAC002").upper())
        if record is None:
            raise PacketError("2001", "未查询到该人员的参保信息")
        out = ET.Element("BODY")
        person = ET.SubElement(out, "PERSON")
        for tag in _PERSON_ORDER:
            ET.SubElement(person, tag).text = record.get(tag, "")
        return out

    def _submit(self, body: ET.Element, head: ET.Element | None) -> ET.Element:
        key = _text(body, "BUSKEY")
        if not key:
            raise PacketError("3001", "缺少业务流水号BUSKEY")
        existing = self.store.find(key)
        if existing is not None:
            return _body(SLBH=existing.ref, SLSJ=existing.created_at.astimezone(CST).strftime("%Y%m%d%H%M%S"),
                         CFBZ="1")
        person_node = body.find("PERSON")
        person = {tag: _text(person_node, tag) for tag in _PERSON_SUBMITTED}
        record = self.people.get(person["AAC002"].upper())
        if record is None:
            raise PacketError("2001", "未查询到该人员的参保信息")
        if person["AAC003"] != record["AAC003"]:
            raise PacketError("3001", "姓名与公民身份号码不一致")
        items: list[dict[str, str]] = []
        for node in body.findall("ITEMLIST/ITEM"):
            code = _text(node, "SXBM")
            if code not in _ITEM_FIELDS:
                raise PacketError("3001", f"不支持的事项编码：{code or '(空)'}")
            item = {"SXBM": code, **{tag: _text(node, tag) for tag in _ITEM_FIELDS[code]}}
            tag, label = _REQUIRED[code]
            if not item[tag]:
                raise PacketError("3001", f"缺少必填项：{label}（{tag}）")
            if not _is_date(item[tag]):
                raise PacketError("3001", f"{label}（{tag}）应为YYYYMMDD格式")
            items.append(item)
        if not items:
            raise PacketError("3001", "未包含申报事项")
        payload = {"PERSON": person, "ITEMS": items}
        codes = tuple(i["SXBM"] for i in items)
        outcome, reason = self.decide(codes, payload)
        sub, duplicate = self.store.submit(key, codes, payload, outcome=outcome, outcome_reason=reason)
        return _body(SLBH=sub.ref, SLSJ=sub.created_at.astimezone(CST).strftime("%Y%m%d%H%M%S"),
                     CFBZ="1" if duplicate else "0")

    def decide(self, items: tuple[str, ...], payload: Any) -> tuple[str, str]:
        record = self.people[payload["PERSON"]["AAC002"].upper()]
        for item in payload["ITEMS"]:
            code = item["SXBM"]
            if code == PENSION and int(record["AIC090"]) < 180:
                return "rejected", f"累计缴费不足15年（现累计{record['AIC090']}个月，需满180个月），不符合按月领取基本养老金条件"
            if code == UNEMPLOYMENT and int(record["AJC090"]) < 12:
                return "rejected", "失业前累计缴纳失业保险费不满1年，不符合领取失业保险金条件"
            if code == FLEXIBLE and item.get("AAE180"):
                try:
                    base = float(item["AAE180"])
                except ValueError:
                    return "rejected", f"缴费基数“{item['AAE180']}”不是有效金额"
                low, high = FLEX_BASE_RANGE
                if not low <= base <= high:
                    return "rejected", f"申报缴费基数超出本地上下限（{low:.0f}～{high:.0f}元）"
        return "approved", ""

    def _by_key(self, body: ET.Element, head: ET.Element | None) -> ET.Element:
        sub = self.store.find(_text(body, "BUSKEY"))
        if sub is None:
            raise PacketError("2002", "未查询到该业务流水号的业务记录")
        return _body(SLBH=sub.ref, BLZT=_BLZT[sub.state],
                     SLSJ=sub.created_at.astimezone(CST).strftime("%Y%m%d%H%M%S"))

    def _status(self, body: ET.Element, head: ET.Element | None) -> ET.Element:
        sub = self.store.get(_text(body, "SLBH"))
        if sub is None:
            raise PacketError("2002", "未查询到该受理编号的业务记录")
        updated = (sub.updated_at or sub.created_at).astimezone(CST).strftime("%Y%m%d%H%M%S")
        return _body(SLBH=sub.ref, BLZT=_BLZT[sub.state], BLYJ=sub.reason, GXSJ=updated)

    # -- control -------------------------------------------------------------------------------------
    def _control(self, req: Request) -> Reply:
        action = req.path[len("/_control/"):]
        if action == "expire_sessions" and req.method == "POST":
            self.expire_sessions()
            return Reply.json({"ok": True})
        if action == "stats":
            with self._ticket_lock:
                live = sum(1 for t in self._tickets.values() if t > time.monotonic())
            return Reply.json({"logins": self.login_count, "live_tickets": live})
        return super()._control(req)


def _is_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y%m%d")
    except ValueError:
        return False
    return len(text) == 8
