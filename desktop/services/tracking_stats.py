"""The 最多跑一次 figure: the share of completed cases the citizen finished in at most one visit."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, case, func, select

from desktop.security.accounts import Role, UserInfo
from desktop.services.tracking_base import TrackingBase
from desktop.storage.case_models import Case, Visit


class OneVisitRate(NamedTuple):
    cases_done: int
    done_in_one_visit: int
    #: done_in_one_visit / cases_done; 0.0 when nothing is done yet
    rate: float


class StatsSteps(TrackingBase):
    def one_visit_rate(self, user: UserInfo, since: datetime | None = None) -> OneVisitRate:
        """Cases completed (since ``since``) and how many of them took at most one visit. A supervisor sees
        the hall; a clerk their own cases.

        A case delivered for pickup counts its pickup visit even before the citizen has come: the result
        waits at the counter and the trip is certain, so the rate must not look better until then. Courier
        delivery is how a case gets by with the intake visit alone.
        """
        actor = self._actor(user)
        visits = (select(Visit.case_id, func.count().label("n"),
                         func.sum(case((Visit.reason == "pickup", 1), else_=0)).label("pickups"))
                  .group_by(Visit.case_id).subquery())
        trips = (func.coalesce(visits.c.n, 0)
                 + case((and_(Case.delivery_method == "pickup", func.coalesce(visits.c.pickups, 0) == 0), 1),
                        else_=0))
        query = (select(func.count(), func.sum(case((trips <= 1, 1), else_=0)))
                 .select_from(Case).outerjoin(visits, visits.c.case_id == Case.id)
                 .where(Case.state == "completed"))
        if since is not None:
            query = query.where(Case.completed_at >= since)
        if actor.role is not Role.SUPERVISOR:
            query = query.where(Case.assignee_id == actor.id)
        with self._db.unit_of_work(read_only=True) as uow:
            done, one = uow.session.execute(query).one()
        done, one = int(done or 0), int(one or 0)
        return OneVisitRate(done, one, one / done if done else 0.0)
