"""What a clerk or supervisor does to a submitted case: reassign it, send a stuck branch again, cancel it,
count the citizen's visits and record the satisfaction rating."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from desktop.security.accounts import Role, UserInfo
from desktop.services import case_repo
from desktop.services import dispatcher_states as st
from desktop.services.dispatcher_states import branch_view
from desktop.services.dto import BranchView, CaseSummary
from desktop.services.intake_errors import CaseNotFound, InvalidInput
from desktop.services.tracking_base import TrackingBase
from desktop.services.tracking_errors import StaleCase, WrongCaseState
from desktop.storage.case_models import OutboxBranch, Rating
from desktop.storage.models import User

log = logging.getLogger(__name__)

#: Visit.reason values a person may record by hand (intake is recorded when the case is opened)
VISIT_REASONS = {"supplement": "补正材料", "pickup": "领取结果", "other": "其他事由"}
MAX_REASON = 300
MAX_COMMENT = 500


@dataclass(frozen=True)
class CancelOutcome:
    summary: CaseSummary
    #: branches that never reached a department: cancelled here
    cancelled: tuple[BranchView, ...]
    #: branches a department has (or may have): they stay as the department holds them
    already_sent: tuple[BranchView, ...]


class ActionSteps(TrackingBase):
    def reassign(self, user: UserInfo, case_id: int, to_username: str, expected_version: int) -> CaseSummary:
        """Hand the case to another clerk. ``expected_version`` is the version the supervisor's screen
        showed: when two supervisors reassign the same case, the first wins and the second gets StaleCase."""
        actor = self._supervisor(user)
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            target = session.scalar(select(User).where(User.username == to_username.strip()))
            if target is None or target.disabled:
                raise InvalidInput(f"reassign target {to_username!r} unknown or disabled",
                                   f"用户 {to_username} 不存在或已停用")
            if target.role not in (Role.CLERK.value, Role.SUPERVISOR.value):
                raise InvalidInput(f"reassign target {to_username} has role {target.role}",
                                   "办件只能转给窗口人员或值班长")
            case = self._case(session, case_id, lock=True)
            if case.version != expected_version:
                raise StaleCase(f"case {case.case_no}: version {case.version}, screen had {expected_version}")
            if case.state == "cancelled":
                raise WrongCaseState(f"case {case.case_no} is cancelled", "该办件已撤销，不能转办")
            previous = session.get(User, case.assignee_id)
            if case.assignee_id == target.id:
                raise InvalidInput(f"case {case.case_no} already assigned to {target.username}",
                                   f"该办件已由{target.display_name}负责")
            case.assignee_id = target.id
            case.updated_at = now
            try:
                session.flush()  # the version column makes this UPDATE ... WHERE version = read version
            except StaleDataError:
                raise StaleCase(f"case {case.case_no} changed while being reassigned") from None
            old_name = previous.display_name if previous else "（无）"
            case_repo.add_event(session, case, "reassigned", f"由{old_name}转给{target.display_name}",
                                actor=actor.display_name, at=now)
            self._audit.append(actor.username, "case.reassigned", subject=case.case_no,
                               detail={"from": previous.username if previous else "", "to": target.username},
                               session=session)
            summary = self._summary(session, case)
        log.info("case %s reassigned to %s by %s", summary.case_no, target.username, actor.username)
        return summary

    def resend_branch(self, user: UserInfo, branch_id: int) -> BranchView:
        """Send a branch that failed (retry wait, needs attention, or unknown outcome) again, with the SAME
        idempotency key: the department returns its earlier record instead of making a second one."""
        actor = self._actor(user)
        resend = getattr(self._dispatcher, "resend", None)
        if callable(resend):
            resend(actor, branch_id)
            with self._db.unit_of_work(read_only=True) as uow:
                row = uow.session.get(OutboxBranch, branch_id)
                assert row is not None
                return branch_view(row, self.department_name(row.adapter_id))
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            row = session.scalars(select(OutboxBranch).where(OutboxBranch.id == branch_id).with_for_update()
                                  .execution_options(populate_existing=True)).first()
            if row is None:
                raise CaseNotFound(f"branch {branch_id} does not exist", "找不到该部门分支")
            name = self.department_name(row.adapter_id)
            case = self._case(session, row.case_id)
            if case.state == "cancelled":
                raise WrongCaseState(f"case {case.case_no} is cancelled", "该办件已撤销，不能重新发送")
            if row.state not in st.RESENDABLE:
                raise WrongCaseState(f"branch {branch_id} is {row.state}, not resendable",
                                     f"{name}分支当前为“{st.BRANCH_STATE_ZH.get(row.state, row.state)}”，无需重新发送")
            # A branch that needed attention goes back to retry_wait rather than pending: an earlier attempt
            # may have reached the department, so the dispatcher asks it first (same key) before sending.
            if row.state == st.ATTENTION:
                row.state = st.RETRY_WAIT
            row.attempts = 0
            row.next_attempt_at = now
            row.claimed_by, row.claimed_until = None, None
            row.updated_at = now
            case_repo.add_event(session, case, "resend", f"重新发送至{name}", actor=actor.display_name, at=now,
                                adapter_id=row.adapter_id)
            self._audit.append(actor.username, "branch.resend", subject=case.case_no,
                               detail={"adapter": row.adapter_id, "branch": row.id}, session=session)
            session.flush()
            return branch_view(row, name)

    def cancel(self, user: UserInfo, case_id: int, reason: str) -> CancelOutcome:
        """Withdraw the case. Branches no department has seen are cancelled; the ones already sent stay as
        the department holds them (a department withdraws its own record) and are listed for the clerk."""
        actor = self._actor(user)
        reason = reason.strip()
        if not reason:
            raise InvalidInput("cancel without a reason", "请填写撤销原因")
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = self._case(session, case_id, lock=True)
            if case.state in ("completed", "cancelled"):
                raise WrongCaseState(f"case {case.case_no} is {case.state}",
                                     f"办件{case_repo.STATE_ZH.get(case.state, case.state)}，不能撤销")
            cancelled, sent = [], []
            # Locked: a dispatcher claiming a pending branch either got it first (then it is "sending"
            # and listed as sent) or waits and then finds it cancelled.
            for row in self._branches(session, case.id, lock=True):
                if row.state in st.CANCELLABLE:
                    row.state, row.updated_at = st.CANCELLED, now
                    row.claimed_by, row.claimed_until = None, None
                    cancelled.append(branch_view(row, self.department_name(row.adapter_id)))
                elif row.state != st.CANCELLED:
                    sent.append(branch_view(row, self.department_name(row.adapter_id)))
            case.state, case.cancel_reason, case.updated_at = "cancelled", reason[:MAX_REASON], now
            text = f"办件撤销：{reason[:MAX_REASON]}"
            if sent:
                text += "；已送达部门的分支保留：" + "、".join(f"{b.department_name}（{b.state_zh}）" for b in sent)
            case_repo.add_event(session, case, "cancelled", text, actor=actor.display_name, at=now)
            self._audit.append(actor.username, "case.cancelled", subject=case.case_no,
                               detail={"cancelled": [b.adapter_id for b in cancelled],
                                       "already_sent": [b.adapter_id for b in sent]}, session=session)
            session.flush()
            summary = self._summary(session, case)
        log.info("case %s cancelled by %s: %d branch(es) cancelled, %d already sent", summary.case_no,
                 actor.username, len(cancelled), len(sent))
        return CancelOutcome(summary, tuple(cancelled), tuple(sent))

    def record_visit(self, user: UserInfo, case_id: int, reason: str) -> CaseSummary:
        """The citizen came to the hall for this case (the intake visit is recorded when the case opens)."""
        actor = self._actor(user)
        if reason not in VISIT_REASONS:
            raise InvalidInput(f"unknown visit reason {reason!r}", "到访事由只能是补正材料、领取结果或其他事由")
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = self._case(session, case_id, lock=True)
            if reason == "pickup" and case.delivery_method == "courier":
                raise WrongCaseState(f"case {case.case_no} is delivered by courier",
                                     "该办件为邮寄送达，群众无需到窗口领取")
            case_repo.add_visit(session, case, reason, actor.id, now)
            case_repo.add_event(session, case, "visit", f"群众到窗口：{VISIT_REASONS[reason]}",
                                actor=actor.display_name, at=now)
            self._audit.append(actor.username, "case.visit", subject=case.case_no, detail={"reason": reason},
                               session=session)
            session.flush()
            return self._summary(session, case)

    def rate(self, user: UserInfo, case_id: int, score: int, comment: str = "") -> CaseSummary:
        """The citizen's satisfaction (好差评), once, and only when the case is completed."""
        actor = self._actor(user)
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise InvalidInput(f"score {score!r} outside 1..5", "评价分数应为 1 到 5 分")
        now = self._clock()
        with self._db.unit_of_work() as uow:
            session = uow.session
            case = self._case(session, case_id, lock=True)
            if case.state != "completed":
                raise WrongCaseState(f"case {case.case_no} is {case.state}, not completed",
                                     "办件办结后才能进行满意度评价")
            if session.scalar(select(Rating.id).where(Rating.case_id == case.id)) is not None:
                raise WrongCaseState(f"case {case.case_no} already rated", "该办件已评价，不能重复评价")
            session.add(Rating(case_id=case.id, score=score, comment=comment.strip()[:MAX_COMMENT], at=now))
            case_repo.add_event(session, case, "rated", f"群众满意度评价：{score} 分", actor=actor.display_name,
                                at=now)
            self._audit.append(actor.username, "case.rated", subject=case.case_no, detail={"score": score},
                               session=session)
            session.flush()
            return self._summary(session, case)
