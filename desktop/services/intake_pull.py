"""The parallel pull: every consented department is asked at once, each in its own worker with its own
deadline; each department's answer is stored in its own unit of work the moment it arrives, so a slow or
failed department never holds back the others' results.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from adapters.api import LookupRequest, LookupResult
from desktop.security.accounts import UserInfo
from desktop.security.redact import mask_id_numbers_in_text
from desktop.services import case_repo
from desktop.services.dto import PullStatus
from desktop.services.intake_case import CaseSteps
from desktop.services.intake_consent import coverage
from desktop.services.intake_errors import ConsentRequired

log = logging.getLogger(__name__)

StatusCallback = Callable[[PullStatus], None]

#: the host waits this much longer than the adapter's own timeout before giving a department up
HOST_GRACE_S = 5.0
_DEFAULT_ADAPTER_TIMEOUT_S = 10.0


@dataclass
class _Ask:
    adapter_id: str
    department_name: str
    fields: tuple[str, ...]
    consent_ref: str
    purpose: str
    #: set by whoever finishes the ask first: the worker (an answer) or the host (deadline passed)
    settled: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def settle(self) -> bool:
        with self.lock:
            if self.settled:
                return False
            self.settled = True
            return True


@dataclass
class _Plan:
    case_id: int
    case_no: str
    id_number: str
    name: str
    asks: list[_Ask]
    refused: list[PullStatus]


class PullSteps(CaseSteps):
    def pull(self, user: UserInfo, case_id: int, on_status: StatusCallback | None = None,
             timeout_s: float | None = None) -> list[PullStatus]:
        """Ask every consented department at once; returns each one's final status (adapter order).

        ``on_status`` is called from worker threads as each department starts and finishes. Departments the
        case needs but the consent does not name are reported ``refused`` and not asked. Raises
        ConsentRequired when no department is covered by a consent (nothing is sent anywhere).
        ``timeout_s`` replaces the host deadline (default: the adapter's timeout plus HOST_GRACE_S).
        """
        actor = self._actor(user)
        plan = self._plan(case_id, only=None)
        if not plan.asks:
            raise ConsentRequired(f"case {plan.case_no}: no consent covers any department",
                                  "尚未取得群众授权，不能向部门调取数据。请先完成授权步骤",
                                  tuple(s.adapter_id for s in plan.refused))
        return self._run(actor, plan, on_status, timeout_s)

    def pull_one(self, user: UserInfo, case_id: int, adapter_id: str, on_status: StatusCallback | None = None,
                 timeout_s: float | None = None) -> PullStatus:
        """Ask one department again (the clerk's retry after a failure)."""
        actor = self._actor(user)
        plan = self._plan(case_id, only=adapter_id)
        if not plan.asks:
            name = self._source_name(adapter_id)
            raise ConsentRequired(f"case {plan.case_no}: no consent covers {adapter_id}",
                                  f"群众未授权向{name}调取数据，不能调取", (adapter_id,))
        return self._run(actor, plan, on_status, timeout_s)[0]

    # -- planning -------------------------------------------------------------------------------------
    def _plan(self, case_id: int, only: str | None) -> _Plan:
        with self._db.unit_of_work(read_only=True) as uow:
            session = uow.session
            case = case_repo.case_head(session, case_id)
            case_repo.require_draft(case)
            wanted = self._catalog.fields_for(self._one_thing(case).code)
            consented = coverage(session, case.id)
            asks: list[_Ask] = []
            refused: list[PullStatus] = []
            for manifest in self._lookup_adapters():
                if only is not None and manifest.id != only:
                    continue
                needed = [f for f in wanted if f in manifest.fields]
                if not needed and only is None:
                    continue
                name = self._department_name(manifest)
                covered = consented.get(manifest.id)
                if covered is None:
                    refused.append(PullStatus(manifest.id, name, "refused",
                                              message_zh=f"群众未授权向{name}调取数据"))
                    continue
                fields = [f for f in covered.fields if f in manifest.fields]
                if fields:
                    asks.append(_Ask(manifest.id, name, tuple(fields), covered.consent_ref, covered.purpose))
            return _Plan(case.id, case.case_no, case.citizen_id_number, case.citizen_name, asks, refused)

    # -- running ---------------------------------------------------------------------------------------
    def _run(self, actor: UserInfo, plan: _Plan, on_status: StatusCallback | None,
             timeout_s: float | None) -> list[PullStatus]:
        final: dict[str, PullStatus] = {}
        final_lock = threading.Lock()

        def emit(status: PullStatus) -> None:
            with final_lock:
                final[status.adapter_id] = status
            if on_status is not None:
                try:
                    on_status(status)
                except Exception:  # the caller's display bug must not lose a department's result
                    log.exception("pull status callback failed for %s", status.adapter_id)

        for status in plan.refused:
            emit(status)
        started = time.monotonic()
        deadlines: dict[cf.Future[None], tuple[_Ask, float]] = {}
        executor = cf.ThreadPoolExecutor(max_workers=max(1, len(plan.asks)), thread_name_prefix="pull")
        given_up = False
        try:
            for ask in plan.asks:
                emit(PullStatus(ask.adapter_id, ask.department_name, "pending"))
                future = executor.submit(self._ask, actor, plan, ask, emit)
                deadlines[future] = (ask, started + self._deadline(ask.adapter_id, timeout_s))
            waiting = set(deadlines)
            while waiting:
                nearest = min(deadlines[f][1] for f in waiting)
                done, waiting = cf.wait(waiting, timeout=max(0.0, nearest - time.monotonic()),
                                        return_when=cf.FIRST_COMPLETED)
                now = time.monotonic()
                for future in list(waiting):
                    ask, deadline = deadlines[future]
                    if now >= deadline and ask.settle():
                        waiting.discard(future)
                        given_up = True
                        elapsed = (now - started) * 1000
                        log.warning("pull %s from %s: no answer within the host deadline", plan.case_no,
                                    ask.adapter_id)
                        self._record_failure(actor, plan, ask, "部门系统响应超时，请稍后重试该部门",
                                             "host deadline passed before the adapter answered")
                        emit(PullStatus(ask.adapter_id, ask.department_name, "failed",
                                        message_zh="部门系统响应超时，请稍后重试该部门",
                                        detail="host deadline passed before the adapter answered",
                                        elapsed_ms=elapsed))
        finally:
            # A worker past its deadline finishes on its own (its adapter's timeout ends it); it stores nothing.
            # Once every answer is in, the idle workers end by themselves: waiting for that would only keep
            # the clerk waiting.
            executor.shutdown(wait=not given_up and not all(f.done() for f in deadlines), cancel_futures=True)
        return [final[a.adapter_id] for a in plan.asks] + [final[s.adapter_id] for s in plan.refused]

    def _deadline(self, adapter_id: str, timeout_s: float | None) -> float:
        if timeout_s is not None:
            return timeout_s
        try:
            configured = self._backends.adapter(adapter_id).context.config.get("timeout_s")
            return float(configured or _DEFAULT_ADAPTER_TIMEOUT_S) + HOST_GRACE_S
        except Exception:  # noqa: BLE001 - the worker reports why the adapter is unusable
            return _DEFAULT_ADAPTER_TIMEOUT_S + HOST_GRACE_S

    def _ask(self, actor: UserInfo, plan: _Plan, ask: _Ask, emit: StatusCallback) -> None:
        started = time.monotonic()
        running = PullStatus(ask.adapter_id, ask.department_name, "running")
        emit(running)
        try:
            adapter = self._backends.adapter(ask.adapter_id)
            result = adapter.lookup(LookupRequest(id_number=plan.id_number, name=plan.name,
                                                  consent_ref=ask.consent_ref, purpose=ask.purpose,
                                                  fields=ask.fields))
        except Exception as exc:  # noqa: BLE001 - every failure is this department's alone
            if not ask.settle():
                return
            message = _naming(ask.department_name,
                              str(getattr(exc, "message_zh", "") or "部门接口发生内部错误，请联系管理员"))
            detail = mask_id_numbers_in_text(f"{type(exc).__name__}: {exc}")
            if not hasattr(exc, "message_zh"):
                log.exception("pull %s from %s: adapter raised", plan.case_no, ask.adapter_id)
            else:
                log.info("pull %s from %s failed: %s", plan.case_no, ask.adapter_id, detail)
            self._record_failure(actor, plan, ask, message, detail)
            emit(replace(running, state="failed", message_zh=message, detail=detail,
                         elapsed_ms=(time.monotonic() - started) * 1000))
            return
        if not ask.settle():
            log.info("pull %s from %s answered after the deadline; result dropped", plan.case_no, ask.adapter_id)
            return
        try:
            count = self._store(actor, plan, ask, result)
        except Exception as exc:  # noqa: BLE001 - a database failure loses this department's answer only
            log.exception("pull %s from %s: storing the answer failed", plan.case_no, ask.adapter_id)
            emit(replace(running, state="failed", message_zh="调取结果保存失败，请重试该部门",
                         detail=f"{type(exc).__name__}", elapsed_ms=(time.monotonic() - started) * 1000))
            return
        emit(replace(running, state="done", field_count=count, message_zh="；".join(result.warnings),
                     elapsed_ms=(time.monotonic() - started) * 1000))

    # -- storing (one unit of work per department) ---------------------------------------------------
    def _store(self, actor: UserInfo, plan: _Plan, ask: _Ask, result: LookupResult) -> int:
        allowed = set(ask.fields)
        now = self._clock()
        entries = [case_repo.NewValue(value.field, value.value.strip(),
                                      value.provenance.fetched_at
                                      if isinstance(value.provenance.fetched_at, datetime) else now,
                                      value.provenance.verified)
                   for value in result.values
                   # never keep what the citizen did not authorise
                   if value.field in allowed and value.value.strip()]
        count = len({e.field for e in entries})
        # The case is not read again here (one deleted meanwhile fails on its foreign key, and nothing is kept).
        with self._db.unit_of_work() as uow:
            session = uow.session
            case_repo.store_values(session, plan.case_id, ask.adapter_id, entries)
            case_repo.add_case_event(session, plan.case_id, "pull", f"已从{ask.department_name}调取 {count} 项信息",
                                     actor=actor.display_name, at=now, adapter_id=ask.adapter_id)
            self._refresh_pulled_materials(session, plan.case_id, now)
            self._audit.append(actor.username, "department.pull", subject=plan.case_no, citizen_id=plan.id_number,
                               detail={"adapter": ask.adapter_id, "fields": count, "outcome": "done",
                                       "consent_ref": ask.consent_ref},
                               session=session)
        return count

    def _record_failure(self, actor: UserInfo, plan: _Plan, ask: _Ask, message_zh: str, detail: str) -> None:
        now = self._clock()
        try:
            with self._db.unit_of_work() as uow:
                session = uow.session
                case = case_repo.get_case(session, plan.case_id)
                case_repo.add_event(session, case, "pull_failed", f"向{ask.department_name}调取失败：{message_zh}",
                                    actor=actor.display_name, at=now, adapter_id=ask.adapter_id)
                self._audit.append(actor.username, "department.pull", subject=plan.case_no,
                                   citizen_id=plan.id_number,
                                   detail={"adapter": ask.adapter_id, "fields": 0, "outcome": "failed",
                                           "error": detail[:200], "consent_ref": ask.consent_ref},
                                   session=session)
        except Exception:  # noqa: BLE001 - the clerk still sees the failure; the log keeps the rest
            log.exception("recording the failed pull of %s from %s failed", plan.case_no, ask.adapter_id)


def _naming(department_name: str, message_zh: str) -> str:
    """The SDK's generic messages say "部门系统..."; the clerk is told which department."""
    if message_zh.startswith("部门"):
        return department_name + message_zh[len("部门"):]
    return message_zh
