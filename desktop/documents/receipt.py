"""The acceptance receipt (受理回执) the citizen takes home: what it says and how it reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from desktop.documents.errors import DocumentDataError
from desktop.documents.formatting import format_date_zh, format_datetime_zh
from desktop.documents.layout import Block, Document, FieldGrid, Paragraph, SignatureLine, Table
from desktop.documents.validation import require_masked_phone, require_printable, require_text

_DOC_ZH = "受理回执"
DeliveryMethod = Literal["pickup", "courier"]


@dataclass(frozen=True)
class ReceiptItem:
    code: str
    name: str
    department_name: str
    time_limit_days: int  # working days promised by the department; 0 means done on the spot


@dataclass(frozen=True)
class ToleratedMaterial:
    """A material accepted as missing (容缺受理) against the citizen's commitment to bring it."""

    name: str
    due_date: date
    commitment: str


@dataclass(frozen=True)
class Delivery:
    method: DeliveryMethod
    address: str = ""
    phone_masked: str = ""


@dataclass(frozen=True)
class ReceiptData:
    case_no: str
    hall_name: str
    counter: str
    clerk_name: str
    accepted_at: datetime
    applicant_name: str
    applicant_id_masked: str
    one_thing_name: str
    items: tuple[ReceiptItem, ...]
    materials_received: tuple[str, ...]
    materials_tolerated: tuple[ToleratedMaterial, ...]
    due_date: date  # computed by the caller in working days (holidays and adjusted days included)
    delivery: Delivery
    hall_phone: str = ""
    notes: tuple[str, ...] = ()

    def validate(self) -> None:
        """Raise DocumentDataError if this receipt must not be printed."""
        require_printable(self, _DOC_ZH, case_no=self.case_no, person_name=self.applicant_name,
                          person_id_masked=self.applicant_id_masked, hall_name=self.hall_name,
                          clerk_name=self.clerk_name)
        require_text(self.one_thing_name, "one_thing_name", "办理事项", _DOC_ZH)
        if not self.items:
            raise DocumentDataError("a receipt needs at least one item", "受理回执没有任何办理事项，不能打印。")
        if any(item.time_limit_days < 0 for item in self.items):
            raise DocumentDataError("an item has a negative time limit", "办理事项的承诺时限不能为负数。")
        if self.due_date < self.accepted_at.date():
            raise DocumentDataError(
                "due date lies before the acceptance day", "承诺办结日期早于受理日期，请检查。"
            )
        for index, material in enumerate(self.materials_tolerated):
            if material.due_date < self.accepted_at.date():
                raise DocumentDataError(
                    f"materials_tolerated[{index}] is due before the acceptance day",
                    f"容缺材料“{material.name}”的补交期限早于受理日期，请检查。",
                )
        _validate_delivery(self.delivery)


def _validate_delivery(delivery: Delivery) -> None:
    if delivery.method not in ("pickup", "courier"):
        raise DocumentDataError(
            f"unknown delivery method {delivery.method!r}", "送达方式只能是窗口领取或邮寄送达。"
        )
    if delivery.method == "courier":
        require_text(delivery.address, "delivery.address", "邮寄地址", _DOC_ZH)
        require_text(delivery.phone_masked, "delivery.phone_masked", "收件电话", _DOC_ZH)
    require_masked_phone(delivery.phone_masked, "delivery.phone_masked", _DOC_ZH)


def _time_limit_zh(days: int) -> str:
    return "即办" if days == 0 else f"{days}个工作日"


def delivery_text_zh(data: ReceiptData) -> str:
    if data.delivery.method == "courier":
        return (f"邮寄送达：办结后寄往 {data.delivery.address}"
                f"（收件电话 {data.delivery.phone_masked}）。")
    return f"窗口领取：办结后请凭本回执到{data.hall_name}{data.counter}领取办理结果。"


def receipt_document(data: ReceiptData) -> Document:
    """The receipt as printable blocks; validates first, so nothing unfit is ever laid out."""
    data.validate()
    blocks: list[Block] = [
        FieldGrid(pairs=(
            ("受理编号", data.case_no),
            ("受理时间", format_datetime_zh(data.accepted_at)),
            ("申请人", data.applicant_name),
            ("证件号码", data.applicant_id_masked),
            ("一件事", data.one_thing_name),
            ("承诺办结", f"{format_date_zh(data.due_date)}前"),
            ("受理窗口", data.counter),
            ("经办人", data.clerk_name),
        )),
        Table(
            title="办理事项",
            headers=("序号", "事项编码", "事项名称", "办理部门", "承诺时限"),
            rows=tuple((str(i), item.code, item.name, item.department_name, _time_limit_zh(item.time_limit_days))
                       for i, item in enumerate(data.items, start=1)),
            weights=(0.7, 2.2, 3.6, 2.8, 1.5),
        ),
        Table(
            title="已收取材料",
            headers=("序号", "材料名称"),
            rows=tuple((str(i), name) for i, name in enumerate(data.materials_received, start=1)),
            weights=(0.7, 10.1),
        ),
    ]
    if data.materials_tolerated:
        blocks.append(Table(
            title="容缺受理材料（须按期补交）",
            headers=("序号", "材料名称", "补交期限", "申请人承诺"),
            rows=tuple((str(i), m.name, format_date_zh(m.due_date), m.commitment)
                       for i, m in enumerate(data.materials_tolerated, start=1)),
            weights=(0.7, 3.3, 2.0, 4.8),
        ))
    blocks.append(Paragraph(heading="送达方式", text=delivery_text_zh(data)))
    reminders = list(data.notes)
    if data.materials_tolerated:
        reminders.append("请在补交期限前补齐容缺材料，所需材料详见《一次性告知书》。")
    reminders.append("凭本回执条码可在任一综合窗口查询办理进度。")
    if data.hall_phone:
        reminders.append(f"咨询电话：{data.hall_phone}")
    blocks.append(Paragraph(heading="温馨提示", text="\n".join(reminders)))
    blocks.append(SignatureLine(labels=("申请人签收", "日期")))
    return Document(title="受理回执", issuer=data.hall_name, reference=data.case_no, blocks=tuple(blocks))
