"""The one-time notice (一次性告知书): everything the citizen still owes, said once and in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.documents.errors import DocumentDataError
from desktop.documents.formatting import format_date_zh
from desktop.documents.layout import Document, FieldGrid, Paragraph, SignatureLine, Table
from desktop.documents.validation import require_printable, require_text

_DOC_ZH = "一次性告知书"


@dataclass(frozen=True)
class OwedMaterial:
    name: str
    reason: str  # why it is still owed, e.g. 原件遗失
    where_to_get: str  # the office or online service that issues it
    due_date: date


@dataclass(frozen=True)
class NoticeData:
    case_no: str
    hall_name: str
    counter: str
    clerk_name: str
    issued_on: date
    applicant_name: str
    applicant_id_masked: str
    one_thing_name: str
    owed: tuple[OwedMaterial, ...]
    legal_basis: str  # the regulation the notice rests on, printed as one line
    hall_phone: str = ""

    def validate(self) -> None:
        require_printable(self, _DOC_ZH, case_no=self.case_no, person_name=self.applicant_name,
                          person_id_masked=self.applicant_id_masked, hall_name=self.hall_name,
                          clerk_name=self.clerk_name)
        require_text(self.legal_basis, "legal_basis", "告知依据", _DOC_ZH)
        if not self.owed:
            raise DocumentDataError(
                "a one-time notice needs at least one owed material", "没有需要补交的材料，无需打印一次性告知书。"
            )
        for index, material in enumerate(self.owed):
            if material.due_date < self.issued_on:
                raise DocumentDataError(
                    f"owed[{index}] is due before the notice is issued",
                    f"材料“{material.name}”的补交期限早于告知日期，请检查。",
                )


def notice_document(data: NoticeData) -> Document:
    data.validate()
    contact = f"咨询电话：{data.hall_phone}。" if data.hall_phone else ""
    return Document(
        title="一次性告知书",
        issuer=data.hall_name,
        reference=data.case_no,
        blocks=(
            FieldGrid(pairs=(
                ("受理编号", data.case_no),
                ("告知日期", format_date_zh(data.issued_on)),
                ("申请人", data.applicant_name),
                ("证件号码", data.applicant_id_masked),
                ("一件事", data.one_thing_name),
                ("经办人", f"{data.clerk_name}（{data.counter}）" if data.counter else data.clerk_name),
            )),
            Paragraph(text=(
                f"{data.applicant_name}：您申请办理的“{data.one_thing_name}”已容缺受理。"
                "现将尚需补交的全部材料一次性告知如下，请在补交期限前补齐。"
            )),
            Table(
                title="尚需补交的材料",
                headers=("序号", "材料名称", "原因", "获取途径", "补交期限"),
                rows=tuple((str(i), m.name, m.reason, m.where_to_get, format_date_zh(m.due_date))
                           for i, m in enumerate(data.owed, start=1)),
                weights=(0.7, 2.6, 2.4, 3.2, 1.9),
            ),
            Paragraph(text=(
                f"请将上述材料送至{data.hall_name}任一综合窗口，或按回执所列方式邮寄。"
                f"除上述材料外，不再要求您补交其他材料。{contact}"
            )),
            Paragraph(heading="告知依据", text=data.legal_basis),
            SignatureLine(labels=("申请人签收", "日期")),
        ),
    )
