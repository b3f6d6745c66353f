"""The catalog's plain data: items (事项), their materials, and one-things (一件事) that bundle items."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class MaterialSource(str, Enum):
    PULLED = "pulled"      # shared data fetched from a supplier (a department or the ID card)
    PRODUCED = "produced"  # issued by a department while the case is handled
    BROUGHT = "brought"    # the applicant brings it to the counter


SOURCE_LABELS_ZH = {MaterialSource.PULLED: "共享获取", MaterialSource.PRODUCED: "部门出具",
                    MaterialSource.BROUGHT: "申请人提交"}


@dataclass(frozen=True)
class Origin:
    """Where an entry was written, for messages: file name and 1-based line (None if unknown)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file} 第 {self.line} 行"


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    source: MaterialSource | None  # None: the file gave no (valid) source; check_catalog reports it
    supplier: str = ""  # pulled: a department id or "id_card"
    producer: str = ""  # produced: the department that issues it
    tolerable: bool = False  # may be missing at acceptance (容缺受理) against a commitment
    fields: tuple[str, ...] = ()  # canonical fields a pulled material carries
    note: str = ""

    @property
    def department(self) -> str:
        """The supplier of a pulled material or the producer of a produced one."""
        if self.source is MaterialSource.PULLED:
            return self.supplier
        if self.source is MaterialSource.PRODUCED:
            return self.producer
        return ""


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    department: str
    legal_basis: str
    time_limit_days: int  # working days
    fields: tuple[str, ...]
    materials: tuple[Material, ...]
    prerequisites: tuple[str, ...]  # item codes whose result this item needs
    origin: Origin


@dataclass(frozen=True)
class OneThing:
    code: str
    name: str
    description: str
    items: tuple[str, ...]
    keywords: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True)
class CatalogProblem:
    kind: str  # e.g. unknown_field, unknown_department, duplicate_code, no_source, cycle
    subject: str  # the item or one-thing code concerned
    message_zh: str
    origin: Origin

    def __str__(self) -> str:
        return f"{self.origin}：{self.message_zh}"
