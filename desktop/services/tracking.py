"""Case tracking after submission, as one service the case screens call (always off the GUI thread).

Every method takes the acting user and checks the role here in the core; each user action is one unit of
work; what comes back is plain dataclasses. The steps live in their own modules:

- tracking_views      the case list, one case's detail (audited), the scanned-barcode lookup
- tracking_actions    reassign (supervisors, optimistic version), resend a branch, cancel, visits, rating
- tracking_supplement materials after a rejection: the affected branches are rendered again and re-queued
- tracking_documents  what the receipt and the one-time notice of a submitted case say
- tracking_stats      the 最多跑一次 rate
"""

from __future__ import annotations

from desktop.services.tracking_actions import VISIT_REASONS, ActionSteps, CancelOutcome
from desktop.services.tracking_documents import DocumentSteps
from desktop.services.tracking_errors import StaleCase, TrackingError, WrongCaseState
from desktop.services.tracking_stats import OneVisitRate, StatsSteps
from desktop.services.tracking_supplement import SupplementOutcome, SupplementSteps
from desktop.services.tracking_views import ViewSteps


class TrackingService(ViewSteps, ActionSteps, SupplementSteps, DocumentSteps, StatsSteps):
    """``TrackingService(app, *, adapters=None, dispatcher=None)``; see TrackingBase."""


__all__ = ["VISIT_REASONS", "CancelOutcome", "OneVisitRate", "StaleCase", "SupplementOutcome", "TrackingError",
           "TrackingService", "WrongCaseState"]
