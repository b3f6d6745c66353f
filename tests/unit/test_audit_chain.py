"""The audit hash chain: each kind of tampering is detected and the report says which entry.
Runs on a real SQLite file; tampering is done with plain SQL, as an intruder would."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from desktop.security.audit import AuditLog, entry_hash
from desktop.storage.db import open_database


@pytest.fixture
def chain(tmp_path, clock):
    db = open_database(f"sqlite+pysqlite:///{tmp_path / 'audit.db'}")
    audit = AuditLog(db, clock)
    for n in range(1, 7):
        clock.advance(seconds=1)
        audit.append(f"clerk0{n % 3}", "case.viewed", subject=f"CASE-{n}",
                     citizen_id="330106196603151316", detail={"n": n})
    yield audit, db
    db.dispose()


def sql(db, statement, **params):
    with db.engine.begin() as conn:
        return conn.execute(text(statement), params)


def kinds(report):
    return [(f.kind, f.seq) for f in report.findings]


def test_untouched_chain_verifies(chain):
    audit, _ = chain
    report = audit.verify()
    assert report.ok, report.problems
    assert report.checked == 6


def test_full_id_number_is_stored_masked_everywhere(chain):
    audit, db = chain
    audit.append("clerk01", "citizen.viewed", subject="seen 330102197106082427",
                 citizen_id="330102197106082427", detail={"note": "id 330102197106082427"})
    row = sql(db, "SELECT citizen_id_masked, subject, detail FROM audit_log WHERE seq = 7").one()
    assert row.citizen_id_masked == "330102********2427"
    assert "330102197106082427" not in row.subject + row.detail
    assert audit.verify().ok


def test_edited_entry_is_named(chain):
    audit, db = chain
    sql(db, "UPDATE audit_log SET actor = 'someone_else' WHERE seq = 3")
    report = audit.verify()
    assert kinds(report) == [("edited", 3)]
    assert "第 3 条" in report.problems[0]


def test_edited_detail_is_named(chain):
    audit, db = chain
    sql(db, "UPDATE audit_log SET detail = :d WHERE seq = 5", d=json.dumps({"n": 50}))
    assert kinds(audit.verify()) == [("edited", 5)]


def test_rewritten_and_rehashed_entry_is_named(chain):
    """The intruder edits entry 2 and recomputes its hash, but cannot fix entry 3's link."""
    audit, db = chain
    row = sql(db, "SELECT * FROM audit_log WHERE seq = 2").mappings().one()
    forged = dict(row, actor="intruder")
    digest = entry_hash(seq=2, at=_aware(forged["at"]), actor="intruder", action=forged["action"],
                        subject=forged["subject"], citizen_id_masked=forged["citizen_id_masked"],
                        detail=json.loads(forged["detail"]), prev_hash=forged["prev_hash"])
    sql(db, "UPDATE audit_log SET actor = 'intruder', hash = :h WHERE seq = 2", h=digest)
    assert kinds(audit.verify()) == [("edited", 2)]


def test_deleted_entry_is_named(chain):
    audit, db = chain
    sql(db, "DELETE FROM audit_log WHERE seq = 3")
    report = audit.verify()
    assert kinds(report) == [("deleted", 3)]
    assert "第 3 条记录被删除" in report.problems[0]


def test_deleted_last_entry_is_noticed(chain):
    audit, db = chain
    sql(db, "DELETE FROM audit_log WHERE seq = 6")
    assert kinds(audit.verify()) == [("deleted", 6)]


def test_deletion_hidden_by_renumbering_is_named(chain):
    audit, db = chain
    sql(db, "DELETE FROM audit_log WHERE seq = 3")
    _shift(db, from_seq=4, by=-1)
    assert kinds(audit.verify()) == [("deleted", 3), ("renumbered", 3)]


def test_inserted_entry_with_a_valid_hash_is_named(chain):
    """The intruder slips an entry in at position 3 with a correct hash and link, and renumbers
    the rest to make room: the old entry 3 still points at entry 2, which gives it away."""
    audit, db = chain
    _shift(db, from_seq=3, by=1)
    two = sql(db, "SELECT * FROM audit_log WHERE seq = 2").mappings().one()
    at = _aware(two["at"])
    digest = entry_hash(seq=3, at=at, actor="intruder", action="case.viewed", subject="CASE-X",
                        citizen_id_masked=None, detail={}, prev_hash=two["hash"])
    sql(db, "INSERT INTO audit_log (seq, at, actor, action, subject, citizen_id_masked, detail, prev_hash, hash)"
            " VALUES (3, :at, 'intruder', 'case.viewed', 'CASE-X', NULL, '{}', :prev, :h)",
        at=two["at"], prev=two["hash"], h=digest)
    report = audit.verify()
    assert kinds(report) == [("inserted", 3), ("renumbered", 4)]
    assert "第 3 条" in report.problems[0] and "插入" in report.problems[0]


def test_entry_appended_behind_the_logs_back_is_named(chain):
    audit, db = chain
    last = sql(db, "SELECT hash, at FROM audit_log WHERE seq = 6").one()
    sql(db, "INSERT INTO audit_log (seq, at, actor, action, subject, citizen_id_masked, detail, prev_hash, hash)"
            " VALUES (7, :at, 'intruder', 'login', '', NULL, '{}', :prev, :h)",
        at=last.at, prev=last.hash, h="f" * 64)
    assert kinds(audit.verify()) == [("inserted", 7)]


def test_swapped_entries_are_named(chain):
    audit, db = chain
    sql(db, "UPDATE audit_log SET seq = 100 WHERE seq = 2")
    sql(db, "UPDATE audit_log SET seq = 2 WHERE seq = 4")
    sql(db, "UPDATE audit_log SET seq = 4 WHERE seq = 100")
    report = audit.verify()
    assert kinds(report) == [("reordered", 2), ("reordered", 4)]
    assert "原为第 4 条" in report.problems[0]


def test_appends_continue_the_chain_after_verify(chain, clock):
    audit, _ = chain
    assert audit.append("clerk01", "logout") == 7
    assert audit.verify().ok


def _shift(db, *, from_seq: int, by: int) -> None:
    # Two steps, or the unique seq constraint trips halfway.
    sql(db, "UPDATE audit_log SET seq = seq + 100000 WHERE seq >= :s", s=from_seq)
    sql(db, "UPDATE audit_log SET seq = seq - 100000 + :by WHERE seq >= 100000", by=by)


def _aware(value):
    from datetime import datetime, timezone

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc)
