"""The 医保 sandbox's own records, in the national platform's shapes (1101 baseinfo/insuinfo/idetinfo).

Planted on purpose: 陈秀英 (retiree_f) is registered under her former name 陈秀瑛; 王志强 (unemployed)
lives at 湖墅南路 while the employment service still has 莫干山路; 赵德明 (retiree_m2) has only resident
insurance (390), so his retirement status application is rejected.
"""

from __future__ import annotations

from typing import Any

from adapters.sandbox.base import load_demo_citizens

#: citizen key -> what 医保 holds beyond the card
_DEPARTMENT_RECORDS: dict[str, dict[str, Any]] = {
    "retiree_m": {
        "psn_no": "33000000000000001001", "live_addr": "浙江省杭州市西湖区文三路100号2幢301室",
        "insuinfo": [
            {"balc": 12850.36, "insutype": "310", "psn_type": "11", "psn_insu_stas": "1", "psn_insu_date": "1998-12-01",
             "paus_insu_date": None, "cvlserv_flag": "0", "insuplc_admdvs": "330106", "emp_name": "杭州西湖建设工程有限公司"},
            {"balc": 0, "insutype": "330", "psn_type": "11", "psn_insu_stas": "1", "psn_insu_date": "2005-01-01",
             "paus_insu_date": None, "cvlserv_flag": "0", "insuplc_admdvs": "330106", "emp_name": "杭州西湖建设工程有限公司"},
        ],
        "idetinfo": [],
    },
    "retiree_f": {
        "psn_no": "33000000000000001002", "psn_name": "陈秀瑛", "live_addr": "浙江省杭州市上城区解放路58号5单元602室",
        "insuinfo": [
            {"balc": 9031.5, "insutype": "310", "psn_type": "11", "psn_insu_stas": "1", "psn_insu_date": "1999-03-01",
             "paus_insu_date": None, "cvlserv_flag": "0", "insuplc_admdvs": "330102", "emp_name": "杭州解放路百货有限公司"},
        ],
        "idetinfo": [{"psn_idet_type": "2101", "psn_type_lv": "1", "begntime": "2015-01-01 00:00:00", "endtime": None,
                      "memo": "劳动模范"}],
    },
    "unemployed": {
        "psn_no": "33000000000000001003", "live_addr": "浙江省杭州市拱墅区湖墅南路12号1幢1101室",
        "insuinfo": [
            {"balc": 2210.08, "insutype": "310", "psn_type": "11", "psn_insu_stas": "2", "psn_insu_date": "2011-08-01",
             "paus_insu_date": "2024-03-31", "cvlserv_flag": "0", "insuplc_admdvs": "330105",
             "emp_name": "杭州运河数码科技有限公司"},
        ],
        "idetinfo": [],
    },
    "flexjob": {
        "psn_no": "33000000000000001004", "live_addr": "浙江省杭州市滨江区江南大道300号3幢902室",
        "insuinfo": [
            {"balc": 0, "insutype": "390", "psn_type": "15", "psn_insu_stas": "1", "psn_insu_date": "2024-01-01",
             "paus_insu_date": None, "cvlserv_flag": "0", "insuplc_admdvs": "330108", "emp_name": ""},
        ],
        "idetinfo": [],
    },
    "retiree_m2": {
        "psn_no": "11000000000000002001", "live_addr": "北京市朝阳区建国路88号院6号楼1203",
        "insuinfo": [
            {"balc": 0, "insutype": "390", "psn_type": "15", "psn_insu_stas": "1", "psn_insu_date": "2016-01-01",
             "paus_insu_date": None, "cvlserv_flag": "0", "insuplc_admdvs": "110105", "emp_name": ""},
        ],
        "idetinfo": [],
    },
    "hk_permit": {
        "psn_no": "33000000000000001006", "live_addr": "浙江省杭州市西湖区曙光路66号8幢201室",
        "insuinfo": [
            {"balc": 3560.0, "insutype": "310", "psn_type": "11", "psn_insu_stas": "1", "psn_insu_date": "2018-06-01",
             "paus_insu_date": None, "cvlserv_flag": "0", "insuplc_admdvs": "330106", "emp_name": "杭州港杭贸易有限公司"},
        ],
        "idetinfo": [],
    },
}


def build_people() -> dict[str, dict[str, Any]]:
    """ID number -> {"baseinfo": {...}, "insuinfo": [...], "idetinfo": [...], "live_addr": ...}."""
    people: dict[str, dict[str, Any]] = {}
    for key, card in load_demo_citizens().items():
        extra = _DEPARTMENT_RECORDS.get(key)
        if extra is None:
            continue
        certno = str(card["id_number"])
        baseinfo = {
            "psn_no": extra["psn_no"], "psn_cert_type": "07" if certno[:2] in ("81", "82", "83") else "01",
            "certno": certno, "psn_name": extra.get("psn_name", card["name"]), "gend": str(card["gender"]),
            "naty": str(card.get("nation", "")), "brdy": str(card["birth_date"]), "live_addr": extra["live_addr"],
        }
        people[certno] = {"baseinfo": baseinfo, "insuinfo": [dict(r) for r in extra["insuinfo"]],
                          "idetinfo": [dict(r) for r in extra["idetinfo"]]}
    return people
