"""The citizen's authorisation (授权书) to read named fields from named departments, printed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from desktop.documents.errors import DocumentDataError
from desktop.documents.formatting import format_datetime_zh
from desktop.documents.layout import Block, Document, FieldGrid, Paragraph, SignatureLine, Table
from desktop.documents.validation import require_printable, require_text

_DOC_ZH = "授权书"
ConsentMethod = Literal["signature", "face", "sms"]
CONSENT_METHOD_ZH: dict[str, str] = {"signature": "签字", "face": "刷脸核验", "sms": "短信验证码"}


@dataclass(frozen=True)
class ConsentScope:
    department_name: str
    field_labels: tuple[str, ...]  # Chinese labels from the field dictionary, e.g. 社保个人编号


@dataclass(frozen=True)
class ConsentData:
    case_no: str
    hall_name: str
    counter: str
    clerk_name: str
    citizen_name: str
    citizen_id_masked: str
    purpose: str
    scopes: tuple[ConsentScope, ...]
    granted_at: datetime
    method: ConsentMethod

    def validate(self) -> None:
        require_printable(self, _DOC_ZH, case_no=self.case_no, person_name=self.citizen_name,
                          person_id_masked=self.citizen_id_masked, hall_name=self.hall_name,
                          clerk_name=self.clerk_name, person_zh="授权人")
        require_text(self.purpose, "purpose", "授权用途", _DOC_ZH)
        if self.method not in CONSENT_METHOD_ZH:
            raise DocumentDataError(
                f"unknown consent method {self.method!r}", "授权方式只能是签字、刷脸核验或短信验证码。"
            )
        if not self.scopes or any(not scope.field_labels for scope in self.scopes):
            raise DocumentDataError(
                "consent lists a department without fields, or no department", "授权范围为空，不能打印授权书。"
            )


def consent_document(data: ConsentData) -> Document:
    data.validate()
    method_zh = CONSENT_METHOD_ZH[data.method]
    blocks: list[Block] = [
        FieldGrid(pairs=(
            ("授权人", data.citizen_name),
            ("证件号码", data.citizen_id_masked),
            ("受理编号", data.case_no),
            ("授权时间", format_datetime_zh(data.granted_at)),
            ("授权方式", method_zh),
            ("经办人", f"{data.clerk_name}（{data.counter}）" if data.counter else data.clerk_name),
        )),
        Paragraph(text=(
            f"本人{data.citizen_name}（证件号码 {data.citizen_id_masked}）为办理“{data.purpose}”，"
            f"同意{data.hall_name}经办人员在本次办理期间，向下列部门查询本人的下列信息。"
            "上述信息仅用于本次办理，不作他用；每次查询均留有记录，本人可申请查阅。"
        )),
        Table(
            title="授权查询范围",
            headers=("序号", "查询部门", "查询信息"),
            rows=tuple((str(i), scope.department_name, "、".join(scope.field_labels))
                       for i, scope in enumerate(data.scopes, start=1)),
            weights=(0.7, 3.0, 7.1),
        ),
    ]
    if data.method == "signature":
        blocks.append(SignatureLine(labels=("授权人（签字）", "日期")))
    else:
        blocks.append(Paragraph(
            text=f"本授权已于{format_datetime_zh(data.granted_at)}经{method_zh}确认，无需另行签字。"
        ))
    return Document(title="个人信息查询授权书", issuer=data.hall_name, reference=data.case_no,
                    blocks=tuple(blocks))
