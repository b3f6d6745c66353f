"""The clerk's intake of one case, as one service the intake screen calls (always off the GUI thread).

Every method takes the acting user and checks the role (clerk or supervisor) here in the core; each user
action is one unit of work; what comes back is plain dto dataclasses. The steps live in their own modules:

- intake_case      open a case from the card or typed fields; choose the one-thing
- intake_consent   the citizen's authorisation (recorded, printable)
- intake_pull      the parallel pull from every consented department; retry one
- intake_profile   the unified profile with conflicts and the clerk's picks
- intake_materials the one set of materials: pulled, produced, received with scans, tolerated; the notice
- intake_form      only what nobody supplied
- intake_preview   each department's payload, and what still stops the submission

A draft lives entirely in the database, so it survives a restart of the workstation.
"""

from __future__ import annotations

from desktop.services.intake_consent import ConsentSteps
from desktop.services.intake_materials import MaterialSteps
from desktop.services.intake_preview import PreviewSteps
from desktop.services.intake_profile import ProfileSteps
from desktop.services.intake_pull import PullSteps, StatusCallback


class IntakeService(PullSteps, ConsentSteps, ProfileSteps, MaterialSteps, PreviewSteps):
    """``IntakeService(app, backends)``: ``app`` is desktop.bootstrap.App, ``backends`` its BackendSessions."""


__all__ = ["IntakeService", "StatusCallback"]
