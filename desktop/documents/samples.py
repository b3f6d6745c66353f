"""Synthetic sample documents (demo citizen 周建国, retiree_m in resources/demo/citizens.toml).

For the demo mode's print preview, the tests and the screenshots; never a real person's data.
`extra_materials` lengthens the lists to show how a document breaks across pages.
"""

from __future__ import annotations

from datetime import date, datetime

from desktop.documents.consent import ConsentData, ConsentMethod, ConsentScope
from desktop.documents.notice import NoticeData, OwedMaterial
from desktop.documents.receipt import Delivery, ReceiptData, ReceiptItem, ToleratedMaterial

SAMPLE_CASE_NO = "YC330106-20261124-0007"
SAMPLE_HALL = "杭州市西湖区政务服务中心"
SAMPLE_MASKED_ID = "330106********1316"
_ACCEPTED_AT = datetime(2026, 11, 24, 9, 35)


def sample_receipt(*, extra_materials: int = 0, courier: bool = True) -> ReceiptData:
    delivery = (Delivery("courier", "浙江省杭州市西湖区文三路100号2幢301室", "138****5678") if courier
                else Delivery("pickup"))
    return ReceiptData(
        case_no=SAMPLE_CASE_NO,
        hall_name=SAMPLE_HALL,
        counter="综合窗口3号",
        clerk_name="王小明",
        accepted_at=_ACCEPTED_AT,
        applicant_name="周建国",
        applicant_id_masked=SAMPLE_MASKED_ID,
        one_thing_name="退休一件事",
        items=(
            ReceiptItem("330106-SB-0012", "职工基本养老保险退休申请", "人力资源和社会保障局（社保）", 15),
            ReceiptItem("330106-YB-0031", "退休人员医保待遇变更", "医疗保障局", 10),
            ReceiptItem("330106-JY-0007", "就业登记注销", "就业服务中心", 0),
        ),
        materials_received=("居民身份证（已核验）", "户口簿首页及本人页复印件", "退休申请表（一式两份）",
                            *(f"补充证明材料第{i}份（复印件）" for i in range(1, extra_materials + 1))),
        materials_tolerated=(
            ToleratedMaterial("个人人事档案（原件）", date(2026, 12, 4),
                              "本人承诺于补交期限前送交档案原件，逾期未补交的，同意终止办理。"),
        ),
        due_date=date(2026, 12, 15),
        delivery=delivery,
        hall_phone="0571-12345678",
        notes=("办结后将以短信通知您。",),
    )


def sample_notice(*, extra_materials: int = 0) -> NoticeData:
    owed = (
        OwedMaterial("个人人事档案（原件）", "档案存放于原单位，未随身携带", "原工作单位人事部门或区人才服务中心",
                     date(2026, 12, 4)),
        OwedMaterial("独生子女父母光荣证", "申请人称遗失，需补办", "户籍所在地街道计生办", date(2026, 12, 4)),
        *(OwedMaterial(f"补充证明材料第{i}份", "原件需核验", "出具单位", date(2026, 12, 4))
          for i in range(1, extra_materials + 1)),
    )
    return NoticeData(
        case_no=SAMPLE_CASE_NO,
        hall_name=SAMPLE_HALL,
        counter="综合窗口3号",
        clerk_name="王小明",
        issued_on=_ACCEPTED_AT.date(),
        applicant_name="周建国",
        applicant_id_masked=SAMPLE_MASKED_ID,
        one_thing_name="退休一件事",
        owed=owed,
        legal_basis="《优化营商环境条例》第三十五条；《浙江省保障“最多跑一次”改革规定》。",
        hall_phone="0571-12345678",
    )


def sample_consent(*, method: ConsentMethod = "signature") -> ConsentData:
    return ConsentData(
        case_no=SAMPLE_CASE_NO,
        hall_name=SAMPLE_HALL,
        counter="综合窗口3号",
        clerk_name="王小明",
        citizen_name="周建国",
        citizen_id_masked=SAMPLE_MASKED_ID,
        purpose="退休一件事",
        scopes=(
            ConsentScope("人力资源和社会保障局（社保）", ("社保个人编号", "养老保险参保日期", "累计缴费月数", "参保单位")),
            ConsentScope("医疗保障局", ("医保人员编号", "险种类型", "医保参保状态")),
            ConsentScope("就业服务中心", ("就业登记编号", "就业状态", "就业单位")),
            ConsentScope("公共数据平台", ("户籍地址", "婚姻状况", "户口性质")),
        ),
        granted_at=datetime(2026, 11, 24, 9, 21),
        method=method,
    )
