"""ORM models of a case: the citizen, the case itself, consent, the unified profile, materials, the
outbox of department branches, the timeline, visits and the satisfaction rating.

Display columns never hold a full ID number: ``Citizen.id_masked`` is for display; ``Citizen.id_number``
is the one column that keeps the full number, because departments are queried and submitted to with it,
and ``Citizen.id_hash`` finds a citizen's record without comparing full numbers in SQL logs.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from desktop.storage.models import Base, UTCDateTime


class Citizen(Base):
    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: sha256 of the normalised 18-character number (lookup key)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_number: Mapped[str] = mapped_column(String(18))
    id_masked: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Case(Base):
    """One citizen's one-thing. ``version`` is the optimistic lock: every update bumps it and checks it."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(40), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    one_thing: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: draft | submitted | in_progress | completed | rejected | cancelled
    state: Mapped[str] = mapped_column(String(20), index=True)
    #: the clerk the case is assigned to (reassigned by a supervisor)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    counter: Mapped[str] = mapped_column(String(50), default="")
    #: the identity document as read (JSON, masked-id free of display concerns: kept for the application)
    card_json: Mapped[str] = mapped_column(Text, default="{}")
    #: draft form values typed by the clerk (JSON canonical field -> value)
    form_json: Mapped[str] = mapped_column(Text, default="{}")
    #: the final canonical application frozen at submission (JSON)
    application_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivery_method: Mapped[str] = mapped_column(String(20), default="pickup")
    delivery_address: Mapped[str] = mapped_column(String(300), default="")
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Consent(Base):
    """The citizen's authorisation: which departments may be asked for which fields, for what purpose."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: reference handed to departments (public data demands it on every query)
    consent_ref: Mapped[str] = mapped_column(String(64), unique=True)
    #: JSON: department id -> list of canonical fields
    scope_json: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(300))
    #: signature | face | sms
    method: Mapped[str] = mapped_column(String(20))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProfileValue(Base):
    """One value of one canonical field from one source. Several sources may disagree; the clerk's pick is
    ``chosen``. Nothing is merged: every source's value stays as it was received."""

    __tablename__ = "profile_values"
    __table_args__ = (UniqueConstraint("case_id", "field", "source", name="uq_profile_values_case_field_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    field: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(Text)
    #: adapter id, "id_card" or "clerk"
    source: Mapped[str] = mapped_column(String(80))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    chosen_by: Mapped[str] = mapped_column(String(64), default="")


class CaseMaterial(Base):
    __tablename__ = "case_materials"
    __table_args__ = (UniqueConstraint("case_id", "code", name="uq_case_materials_case_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    #: pulled | produced | brought (from the catalog)
    source: Mapped[str] = mapped_column(String(20))
    #: pending | pulled | produced | received | tolerated
    status: Mapped[str] = mapped_column(String(20), default="pending")
    commitment: Mapped[str] = mapped_column(String(300), default="")
    owed_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MaterialFile(Base):
    """A scanned file attached to a material; stored in the data dir under its checksum."""

    __tablename__ = "material_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("case_materials.id"), index=True)
    filename: Mapped[str] = mapped_column(String(260))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_path: Mapped[str] = mapped_column(String(500))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxBranch(Base):
    """One department branch of a submitted case: written in the same transaction as the case's final
    application, then sent by a dispatcher. ``state``:

    pending -> sending -> received | in_review | approved | rejected       (department-confirmed)
                        -> unknown (timeout: resolved by find_submission with the same key, never guessed)
                        -> retry_wait (failed, retryable) -> ... -> attention (gave up; a person must look)
    cancelled (the case was cancelled before the branch was sent)
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    adapter_id: Mapped[str] = mapped_column(String(100), index=True)
    item_codes: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    department_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    department_reason: Mapped[str] = mapped_column(Text, default="")
    #: which dispatcher holds the branch, and until when (a lease: a crashed dispatcher's claim expires)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseEvent(Base):
    """The case's timeline (append-only)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100), default="")
    adapter_id: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Visit(Base):
    """A time the citizen came to the hall for this case (最多跑一次 counts cases with at most one)."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: intake | supplement | pickup | other
    reason: Mapped[str] = mapped_column(String(20))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Rating(Base):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())
