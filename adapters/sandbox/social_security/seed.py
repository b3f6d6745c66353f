"""The 人社 sandbox's own records, in the department's codes (see server.py for the code tables).

Built from the synthetic demo citizens plus what only 人社 knows. Planted on purpose:
周建国 (retiree_m) has an OLD household address and marital status 20, while the public data platform
says 30; 赵德明 (retiree_m2) has fewer than 180 contribution months, so his pension claim is rejected;
欧阳喆 exists only here and carries a rarer GBK character (喆) for the encoding round-trip.
"""

from __future__ import annotations

from typing import Any

from adapters.sandbox.base import load_demo_citizens

_GENDER_TEXT = {"1": "男", "2": "女", "0": "未知", "9": "未说明"}

#: citizen key -> what 人社 holds beyond the card (department codes, dates YYYYMMDD)
_DEPARTMENT_RECORDS: dict[str, dict[str, str]] = {
    "retiree_m": {
        "AAC001": "33010600012601", "AAC010": "浙江省杭州市西湖区文二路55号1幢101室", "AAC017": "20",
        "AAE005": "13957112345", "AAE009": "中国工商银行杭州西湖支行", "AAE010": "6222021202041234567",
        "AAB004": "杭州西湖建设工程有限公司", "AAC049": "19880701", "AAC008": "11",
        "AIC090": "456", "AJC090": "300",
    },
    "retiree_f": {
        "AAC001": "33010200023702", "AAC017": "22",
        "AAE005": "13867154321", "AAE009": "中国建设银行杭州解放路支行", "AAE010": "6217001540012345678",
        "AAB004": "杭州解放路百货有限公司", "AAC049": "19920301", "AAC008": "11",
        "AIC090": "408", "AJC090": "360",
    },
    "unemployed": {
        "AAC001": "33010500034813", "AAC017": "10",
        "AAE005": "13758198765", "AAE009": "杭州银行拱墅支行", "AAE010": "6228480321234567890",
        "AAB004": "杭州运河数码科技有限公司", "AAC049": "20110801", "AAC008": "21",
        "AIC090": "152", "AJC090": "152",
    },
    "flexjob": {
        "AAC001": "33010800045924", "AAC017": "10",
        "AAE005": "15088776655", "AAE009": "中国农业银行杭州滨江支行", "AAE010": "6228480398765432101",
        "AAB004": "杭州滨江物流有限公司", "AAC049": "20170901", "AAC008": "21",
        "AIC090": "64", "AJC090": "64",
    },
    "retiree_m2": {
        "AAC001": "11010500056035", "AAC017": "21",
        "AAE005": "13901012345", "AAE009": "中国银行北京建国门支行", "AAE010": "6216610100012345678",
        "AAB004": "北京朝阳商贸有限公司", "AAC049": "20140101", "AAC008": "11",
        "AIC090": "150", "AJC090": "150",
    },
    "hk_permit": {
        "AAC001": "33010600067146", "AAC017": "20",
        "AAE005": "13516881234", "AAE009": "中国银行杭州曙光支行", "AAE010": "6216613300098765432",
        "AAB004": "杭州港杭贸易有限公司", "AAC049": "20180601", "AAC008": "11",
        "AIC090": "96", "AJC090": "96",
    },
}

#: people only 人社 knows (no demo ID card); synthetic, with valid check characters
_DEPARTMENT_ONLY: dict[str, dict[str, str]] = {
    "330106199001011233": {
        "AAC001": "33010600078257", "AAC002": "330106199001011233", "AAC003": "欧阳喆", "AAC004": "男",
        "AAC006": "19900101", "AAC010": "浙江省杭州市西湖区玉古路20号3幢502室", "AAC017": "10",
        "AAE005": "13666661234", "AAE009": "招商银行杭州分行", "AAE010": "6225881234567890",
        "AAB004": "杭州求是软件有限公司", "AAC049": "20120701", "AAC008": "11",
        "AIC090": "168", "AJC090": "168",
    },
}


def build_people() -> dict[str, dict[str, str]]:
    """ID number -> the person's 人社 record (every value a string, as it travels in the XML)."""
    people: dict[str, dict[str, str]] = {}
    for key, card in load_demo_citizens().items():
        extra = _DEPARTMENT_RECORDS.get(key)
        if extra is None:
            continue
        record: dict[str, Any] = {
            "AAC002": card["id_number"], "AAC003": card["name"], "AAC004": _GENDER_TEXT[card["gender"]],
            "AAC006": str(card["birth_date"]).replace("-", ""), "AAC010": card["address"],
        }
        record.update(extra)
        people[card["id_number"]] = record
    for id_number, record in _DEPARTMENT_ONLY.items():
        people[id_number] = dict(record)
    return people
