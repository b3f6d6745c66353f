"""The audit log: append-only, hash-chained entries, and a verifier that says which entry was
edited, deleted, inserted or moved.

Each entry's hash covers its own content and the previous entry's hash, so any change breaks
the chain where it happened. The chain head (table audit_head, one row) names the last entry: an
append locks it, which serialises appends across every workstation on one PostgreSQL database
(and SQLite's BEGIN IMMEDIATE does the same locally); verify compares it with the table's tail so
a deleted last entry is noticed. Limit: the hash is keyless, so someone who rewrites every later
entry AND the head escapes notice; `audit verify` prints the head hash so it can be noted
elsewhere (printed daily report) and compared later.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from desktop.clock import Clock, utc_now
from desktop.identity import mask_id_number
from desktop.security.redact import mask_id_numbers_in
from desktop.storage.db import Database
from desktop.storage.models import AuditEntry, AuditHead

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
HEAD_ID = 1
# How far from its stored seq the verifier looks for the seq an entry was written with.
_MOVE_WINDOW = 64
_RECENT = 256
_LIMITS = {"actor": 100, "action": 100, "subject": 200}
# Every personal-data step of a case appends inside its own unit of work, so an append is on the clerk's
# path many times per case: plain statements built once cost a third of the ORM's object and flush work.
_HEAD = AuditHead.__table__
_READ_HEAD = select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_INSERT_ENTRY = insert(AuditEntry.__table__)
_MOVE_HEAD = (update(_HEAD).where(_HEAD.c.id == HEAD_ID)
              .values(last_seq=bindparam("b_seq"), last_hash=bindparam("b_hash")))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_time(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(*, seq: int, at: datetime, actor: str, action: str, subject: str,
               citizen_id_masked: str | None, detail: Any, prev_hash: str) -> str:
    payload = {"seq": seq, "time": canonical_time(at), "actor": actor, "action": action,
               "subject": subject, "citizen_id": citizen_id_masked, "detail": detail,
               "prev_hash": prev_hash}
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditRecord:
    """A read-only copy of an entry for screens and reports."""

    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    citizen_id_masked: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class Finding:
    kind: str  # "edited" | "deleted" | "inserted" | "reordered" | "renumbered"
    seq: int | None  # the position in the table where it shows (for deleted: the original seq)
    entry_id: int | None
    message_zh: str


@dataclass
class VerifyReport:
    checked: int = 0
    head_hash: str = GENESIS_HASH
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def problems(self) -> list[str]:
        return [f.message_zh for f in self.findings]


class AuditLog:
    """Append and verify. There is deliberately no update or delete."""

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    def append(self, actor: str, action: str, subject: str = "", citizen_id: str | None = None,
               detail: dict[str, Any] | None = None, session: Session | None = None) -> int:
        """Add an entry and return its seq. With `session` it joins the caller's unit of work (and
        holds the chain head until that commits: append last in a long transaction)."""
        if session is not None:
            return self._append(session, actor, action, subject, citizen_id, detail)
        with self._db.unit_of_work() as uow:
            return self._append(uow.session, actor, action, subject, citizen_id, detail)

    def _append(self, session: Session, actor: str, action: str, subject: str,
                citizen_id: str | None, detail: dict[str, Any] | None) -> int:
        session.flush()  # the caller's pending changes go first, as they did when this used the ORM
        last_seq, last_hash = session.execute(_READ_HEAD).one()
        values = {"actor": actor[:_LIMITS["actor"]], "action": action[:_LIMITS["action"]],
                  "subject": mask_id_numbers_in(subject)[:_LIMITS["subject"]]}
        masked = mask_id_number(citizen_id) if citizen_id else None
        detail_value = mask_id_numbers_in(detail or {})
        # Round trip through JSON so the hash sees exactly what verify will read back.
        detail_text = canonical_json(detail_value)
        detail_value = json.loads(detail_text)
        at = self._clock().astimezone(timezone.utc)
        seq = last_seq + 1
        digest = entry_hash(seq=seq, at=at, citizen_id_masked=masked, detail=detail_value,
                            prev_hash=last_hash, **values)
        session.execute(_INSERT_ENTRY, {"seq": seq, "at": at, "citizen_id_masked": masked, "detail": detail_text,
                                        "prev_hash": last_hash, "hash": digest, **values})
        session.execute(_MOVE_HEAD, {"b_seq": seq, "b_hash": digest})
        return seq

    def recent(self, limit: int = 100) -> list[AuditRecord]:
        with self._db.unit_of_work(read_only=True) as uow:
            rows = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit))
            return [_record(row) for row in rows]

    def verify(self) -> VerifyReport:
        with self._db.unit_of_work(read_only=True) as uow:
            return _Verifier(uow.session).run()


def _record(row: AuditEntry) -> AuditRecord:
    try:
        detail = json.loads(row.detail)
    except ValueError:
        detail = {"unreadable": row.detail[:100]}
    return AuditRecord(seq=row.seq, at=row.at, actor=row.actor, action=row.action, subject=row.subject,
                       citizen_id_masked=row.citizen_id_masked,
                       detail=detail if isinstance(detail, dict) else {"value": detail})


def _hash_with_seq(row: AuditEntry, seq: int) -> str | None:
    try:
        detail = json.loads(row.detail)
    except ValueError:
        return None
    return entry_hash(seq=seq, at=row.at, actor=row.actor, action=row.action, subject=row.subject,
                      citizen_id_masked=row.citizen_id_masked, detail=detail, prev_hash=row.prev_hash)


@dataclass
class _Walked:
    seq: int
    entry_id: int
    hash: str
    true_seq: int  # the seq it was written with (a guess for an edited entry)
    inserted: bool = False


class _Verifier:
    """Walks the table in seq order once (streaming) and looks things up only where it breaks."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.report = VerifyReport()
        self.recent: deque[_Walked] = deque(maxlen=_RECENT)
        self.max_true = 0  # highest original seq seen among genuine entries
        self.offset = 0  # stored seq minus original seq in the current run
        self.missing: list[tuple[int, int]] = []  # original seqs not seen (yet), as ranges
        self.edited: dict[int, Finding] = {}  # by entry id, dropped if it proves to be inserted

    def run(self) -> VerifyReport:
        head = self.s.get(AuditHead, HEAD_ID)
        prev: _Walked | None = None
        for row in self._rows():
            prev = self._check(row, prev)
            self.report.checked += 1
        self._check_tail(head, prev)
        for a, b in self.missing:
            where = f"第 {a} 条" if a == b else f"第 {a} 至 {b} 条"
            self._add(Finding("deleted", a, None, f"{where}记录被删除"))
        self.report.findings.extend(self.edited.values())
        self.report.findings.sort(key=lambda f: (f.seq or 0, f.kind))
        self.report.head_hash = head.last_hash if head else GENESIS_HASH
        for finding in self.report.findings:
            log.warning("audit chain problem: %s at seq %s (id %s)", finding.kind, finding.seq,
                        finding.entry_id)
        return self.report

    def _rows(self) -> Iterator[AuditEntry]:
        result = self.s.scalars(select(AuditEntry).order_by(AuditEntry.seq)
                                .execution_options(yield_per=500))
        yield from result

    def _check(self, row: AuditEntry, prev: _Walked | None) -> _Walked:
        true_seq = self._original_seq(row)
        link = "ok"
        if row.prev_hash != (prev.hash if prev else GENESIS_HASH):
            link = self._broken_link(row, prev)
        if true_seq is None:
            self.edited[row.id] = Finding("edited", row.seq, row.id,
                                          f"第 {row.seq} 条记录（id {row.id}）内容被修改，与其哈希不符")
            true_seq = row.seq - self.offset
        elif true_seq != row.seq - self.offset:
            if link in ("inserted", "gone"):
                # An insertion or deletion that renumbered everything after it: say it once.
                self.offset = row.seq - true_seq
                self._add(Finding("renumbered", row.seq, row.id,
                                  f"自第 {row.seq} 条起，后续记录的序号被整体改动（原为第 {true_seq} 条起）"))
            else:
                self._add(Finding("reordered", row.seq, row.id,
                                  f"第 {row.seq} 条记录（id {row.id}）原为第 {true_seq} 条，顺序被调换"))
        if link == "gone" and prev is not None and true_seq == prev.true_seq + 1:
            # Nothing is missing, yet the link is broken: the previous entry was rewritten and re-hashed.
            self._add(Finding("edited", prev.seq, prev.entry_id,
                              f"第 {prev.seq} 条记录（id {prev.entry_id}）被改写（哈希被重新计算）"))
        self._account_for(true_seq)
        walked = _Walked(row.seq, row.id, row.hash, true_seq)
        self.max_true = max(self.max_true, true_seq)
        self.recent.append(walked)
        return walked

    def _original_seq(self, row: AuditEntry) -> int | None:
        if _hash_with_seq(row, row.seq) == row.hash:
            return row.seq
        guess = row.seq - self.offset
        candidates = [guess] + [row.seq + d for d in range(-_MOVE_WINDOW, _MOVE_WINDOW + 1) if d]
        for seq in candidates:
            if seq > 0 and _hash_with_seq(row, seq) == row.hash:
                return seq
        return None

    def _broken_link(self, row: AuditEntry, prev: _Walked | None) -> str:
        """Why `row` does not follow `prev`: "gone" (its predecessor no longer exists), "later" (its
        predecessor sits after it: a reorder), "inserted" (entries were slipped in before it) or
        "earlier" (its predecessor is earlier, nothing slipped in: a reorder)."""
        if prev is None or row.prev_hash == GENESIS_HASH:
            return "earlier"
        target = self.s.scalars(select(AuditEntry.seq).where(AuditEntry.hash == row.prev_hash)
                                .order_by(AuditEntry.seq).limit(1)).first()
        if target is None:
            return "gone"
        if target >= row.seq:
            return "later"
        intruders = [w for w in self.recent
                     if target < w.seq < row.seq and not self._is_referenced(w.hash)]
        for w in intruders:
            w.inserted = True
            self.edited.pop(w.entry_id, None)
            self._add(Finding("inserted", w.seq, w.entry_id,
                              f"第 {w.seq} 条记录（id {w.entry_id}）是后来插入的，不属于原链条"))
        if not intruders:
            return "earlier"
        self.max_true = max((w.true_seq for w in self.recent if not w.inserted), default=0)
        return "inserted"

    def _is_referenced(self, digest: str) -> bool:
        head = self.s.get(AuditHead, HEAD_ID)
        if head is not None and head.last_hash == digest:
            return True
        return self.s.scalars(select(AuditEntry.id).where(AuditEntry.prev_hash == digest).limit(1)).first() \
            is not None

    def _account_for(self, true_seq: int) -> None:
        if true_seq > self.max_true + 1:
            self.missing.append((self.max_true + 1, true_seq - 1))
            return
        for i, (a, b) in enumerate(self.missing):
            if a <= true_seq <= b:
                parts = [(a, true_seq - 1), (true_seq + 1, b)]
                self.missing[i:i + 1] = [(x, y) for x, y in parts if x <= y]
                return

    def _check_tail(self, head: AuditHead | None, last: _Walked | None) -> None:
        if head is None:
            self._add(Finding("deleted", None, None, "审计链头记录丢失"))
            return
        if head.last_seq > self.max_true:
            self._account_for(head.last_seq + 1)  # records the deleted tail as a missing range
        if last is None or last.hash == head.last_hash:
            return
        tail_seq = self.s.scalars(select(AuditEntry.seq).where(AuditEntry.hash == head.last_hash)
                                  .limit(1)).first()
        if tail_seq is None:
            return  # the last entry itself was deleted or rewritten: already reported above
        for w in self.recent:
            if w.seq > tail_seq and not w.inserted:
                self.edited.pop(w.entry_id, None)
                self._add(Finding("inserted", w.seq, w.entry_id,
                                  f"第 {w.seq} 条记录（id {w.entry_id}）是绕过审计日志追加的"))

    def _add(self, finding: Finding) -> None:
        self.report.findings.append(finding)
