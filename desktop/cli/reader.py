"""`python main.py reader test [PORT]`: for IT staff setting up a counter's ID card reader.

Opens the reader, prints its SAM id, waits for a card and prints what was read (masked), or
the precise fault. PORT is a device path (/dev/ttyUSB0, taken as a SAM reader) or a reader spec
(sam:/dev/pts/3, demo, manual); without it, the configured reader is used.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TextIO

from desktop.devices.base import CardReader
from desktop.devices.document import IdentityDocument
from desktop.devices.errors import ReaderError
from desktop.devices.registry import create_reader, discover_readers

log = logging.getLogger(__name__)

DEFAULT_SPEC = "sam:/dev/ttyUSB0"
EXIT_FAULT = 1
EXIT_NO_CARD = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("reader", help="身份证读卡器：测试读卡", description="身份证读卡器工具")
    actions = parser.add_subparsers(dest="reader_action", required=True, metavar="{test}")
    test = actions.add_parser("test", help="打开读卡器，显示安全模块号，放卡后显示读到的信息（已脱敏）")
    test.add_argument("port", nargs="?", default=None, metavar="PORT",
                      help="串口（如 /dev/ttyUSB0）或读卡器规格（如 sam:/dev/ttyUSB0、demo）；默认：设置中的读卡器")
    test.add_argument("--timeout", type=float, default=30.0, help="等待放卡的秒数（默认 30）")
    test.add_argument("--poll-interval", type=float, default=0.2, help="寻卡间隔秒数（默认 0.2）")
    parser.set_defaults(handler=run)


def resolve_spec(port: str | None, configured: str | None, known: set[str]) -> str:
    if port:
        name = port.partition(":")[0]
        return port if name in known else f"sam:{port}"
    return configured or DEFAULT_SPEC


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    readers = discover_readers()
    settings = getattr(args, "settings", None)
    configured = getattr(args, "reader", None) or getattr(settings, "reader", None)
    spec = resolve_spec(getattr(args, "port", None), configured, set(readers))
    print(f"读卡器：{spec}", file=out)
    reader: CardReader | None = None
    try:
        reader = create_reader(spec, {"poll_interval": args.poll_interval, "demo_interval": 0.0}, readers=readers)
        reader.open()
        print(f"安全模块号（SAM）：{reader.sam_id() or '（无）'}", file=out)
        print(f"请放置身份证（等待 {args.timeout:g} 秒）……", file=out, flush=True)
        doc = reader.wait_for_card(args.timeout)
    except ReaderError as exc:
        log.error("reader test on %s failed: %s", spec, exc)
        print(f"读卡失败：{exc.message_zh}", file=out)
        print(f"详情：[{exc.code}] {exc.detail}", file=out)
        return EXIT_FAULT
    finally:
        if reader is not None:
            reader.close()
    if doc is None:
        print(f"等待超时：{args.timeout:g} 秒内未检测到身份证", file=out)
        return EXIT_NO_CARD
    print_document(doc, out)
    return 0


def print_document(doc: IdentityDocument, out: TextIO) -> None:
    rows = [
        ("证件类型", doc.card_type.label_zh),
        ("姓名", mask_name(doc.name)),
        ("英文姓名", mask_name(doc.english_name)),
        ("性别", doc.gender_name),
        ("民族", doc.nation_name),
        ("出生日期", f"{doc.birth_date:%Y}-**-**"),
        ("住址", mask_text(doc.address, 6)),
        ("证件号码", doc.masked_id),
        ("国籍", doc.nationality),
        ("签发机关", doc.issuing_authority),
        ("有效期限", doc.validity_text),
        ("通行证号码", mask_text(doc.permit_number, 1)),
        ("签发次数", doc.issue_count),
        ("照片", doc.photo_note),
    ]
    print("读卡成功：", file=out)
    for label, value in rows:
        if value:
            print(f"  {label}：{value}", file=out)
    if doc.problems:
        print("注意：", file=out)
        for problem in doc.problems:
            print(f"  - {problem.message_zh}", file=out)


def mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_text(text: str, keep: int) -> str:
    return text[:keep] + "*" * max(0, min(len(text) - keep, 8)) if text else ""
