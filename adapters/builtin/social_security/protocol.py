"""The 人社 packet: GBK XML with a HEAD/BODY envelope (documented in adapters/sandbox/social_security/server.py).

Encoding is strict both ways: a character outside GBK is refused with a message naming it, and a reply
that is not valid GBK is a MalformedReplyError, so a name can never turn into mojibake or a silent '?'.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from adapters.api import MalformedReplyError, RejectedError

XML_DECLARATION = '<?xml version="1.0" encoding="GBK"?>\n'
CONTENT_TYPE = "text/xml; charset=GBK"
GATEWAY_PATH = "/hrss/gateway"


class CharsetError(RejectedError):
    """Text the department cannot store because it is not in GBK (e.g. 𠮷 U+20BB7)."""


@dataclass(frozen=True)
class ReplyPacket:
    transcode: str
    seq: str
    retcode: str
    retmsg: str
    body: ET.Element

    def text(self, tag: str) -> str:
        return child_text(self.body, tag)


def child_text(parent: ET.Element | None, tag: str) -> str:
    node = parent.find(tag) if parent is not None else None
    return (node.text or "").strip() if node is not None and node.text else ""


def element(tag: str, children: Mapping[str, str]) -> ET.Element:
    node = ET.Element(tag)
    for name, value in children.items():
        ET.SubElement(node, name).text = value
    return node


def check_gbk(root: ET.Element, *, adapter_id: str, labels: Mapping[str, str] | None = None) -> None:
    """Raise CharsetError for the first text outside GBK, naming the field, the character and its code point.

    ``labels`` maps an element path (``PERSON/AAC003``) to the Chinese name of the field it holds."""
    labels = labels or {}
    for path, node in _walk(root, ""):
        value = node.text or ""
        try:
            value.encode("gbk")
        except UnicodeEncodeError as exc:
            bad = value[exc.start]
            label = labels.get(path, node.tag)
            raise CharsetError(
                f"{path}: character U+{ord(bad):04X} is not in GBK", adapter_id=adapter_id, department_code="GBK",
                reason=(f"{label}中的“{bad}”（U+{ord(bad):04X}）不在人社系统字符集（GBK）内，人社系统无法录入。"
                        "请按人社生僻字处理办法在人社系统登记后再报送，或使用人社系统已登记的写法。"),
                message_zh=f"{label}中含有人社系统无法录入的生僻字“{bad}”",
            ) from exc


def _walk(node: ET.Element, prefix: str) -> Iterator[tuple[str, ET.Element]]:
    for child in node:
        path = f"{prefix}{child.tag}"
        yield path, child
        yield from _walk(child, path + "/")


def to_gbk_document(root: ET.Element) -> bytes:
    """Serialise an element as a GBK XML document. Call check_gbk first for a message naming the field."""
    return (XML_DECLARATION + ET.tostring(root, encoding="unicode")).encode("gbk")


def encode_request(transcode: str, ticket: str, seq: str, time_text: str, body: ET.Element) -> bytes:
    packet = ET.Element("PACKET")
    packet.append(element("HEAD", {"TRANSCODE": transcode, "TICKET": ticket, "SEQ": seq, "TIME": time_text}))
    packet.append(body)
    return to_gbk_document(packet)


def parse_gbk_document(raw: bytes, *, adapter_id: str, what: str = "reply") -> ET.Element:
    """GBK bytes -> root element. The expat parser cannot read multi-byte encodings itself, so the bytes are
    decoded strictly first; any byte that is not GBK is reported with its offset."""
    try:
        text = raw.decode("gbk")
    except UnicodeDecodeError as exc:
        raise MalformedReplyError(f"{what} is not valid GBK at byte {exc.start} of {len(raw)}",
                                  adapter_id=adapter_id, message_zh="人社系统返回的报文编码无法识别（不是GBK）") from exc
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise MalformedReplyError(f"{what} is not well-formed XML: {exc}", adapter_id=adapter_id,
                                  message_zh="人社系统返回的报文不完整或格式错误") from exc


def decode_reply(raw: bytes, *, adapter_id: str) -> ReplyPacket:
    root = parse_gbk_document(raw, adapter_id=adapter_id)
    head = root.find("HEAD")
    if root.tag != "PACKET" or head is None:
        raise MalformedReplyError(f"reply root is <{root.tag}>, expected <PACKET> with <HEAD>", adapter_id=adapter_id,
                                  message_zh="人社系统返回的报文缺少报文头")
    retcode = child_text(head, "RETCODE")
    if not retcode:
        raise MalformedReplyError("reply HEAD has no RETCODE", adapter_id=adapter_id,
                                  message_zh="人社系统返回的报文缺少返回码")
    body = root.find("BODY")
    return ReplyPacket(transcode=child_text(head, "TRANSCODE"), seq=child_text(head, "SEQ"), retcode=retcode,
                       retmsg=child_text(head, "RETMSG"), body=body if body is not None else ET.Element("BODY"))
