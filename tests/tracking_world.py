"""Submitted cases for the tracking tests, written the way a submission leaves them: citizen, case with its
frozen application, materials, the intake visit, and one outbox branch per department with the payload
the real built-in adapter renders. Synthetic demo citizens only.

Used by tests/integration/test_tracking*.py and tests/ui/test_cases*.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest

from adapters.sandbox.base import DEFAULT_ACCOUNTS
from adapters.sandbox.servers import start_sandbox
from desktop.adapter_host import build_registry
from desktop.security.accounts import Role, UserInfo
from desktop.services import case_repo
from desktop.services.application import application_to_json, build_application
from desktop.services.tracking import TrackingService
from desktop.storage.case_models import Case, CaseEvent, CaseMaterial, OutboxBranch

CITIZEN = ("330106196603151316", "周建国")  # retiree_m of resources/demo/citizens.toml
HALL_CODE = "330106"
ACCOUNT = next(iter(DEFAULT_ACCOUNTS))
USERS = (("clerk01", "王小明", Role.CLERK, "3号窗口"), ("clerk02", "陈晓", Role.CLERK, "5号窗口"),
         ("super01", "李值班", Role.SUPERVISOR, ""), ("super02", "张值班", Role.SUPERVISOR, ""),
         ("admin01", "赵管理", Role.ADMIN, ""))
PASSWORD = "Tracking2024a"
#: OT-RETIRE's items by department
RETIRE_BRANCHES = {"social_security": "SS-PENSION-CLAIM", "medical_insurance": "MI-RETIREE-STATUS",
                   "employment": "EMP-RECORD-CLOSE"}


@pytest.fixture
def sandbox():
    """The 人社 sandbox on an ephemeral loopback port (the one department whose real adapter renders here)."""
    server = start_sandbox("social_security")
    yield server
    server.stop()


@dataclass
class World:
    app: Any
    users: dict[str, UserInfo]
    tracking: TrackingService
    sandboxes: dict[str, Any] = field(default_factory=dict)


def build_world(app: Any, sandboxes: dict[str, Any] | None = None, *, add_users: bool = True) -> World:
    """Users of every role (``add_users``: the UI tests' gui_app has its own), the hall's settings, and a
    registry whose adapters point at ``sandboxes``."""
    app.settings = replace(app.settings, counter="3号窗口", hall_name="西湖区政务服务中心")
    existing = {s.user.username for s in app.accounts.list_users(None)}
    for username, name, role, counter in USERS if add_users else ():
        if username not in existing:
            app.accounts.add_user(None, username, name, role, counter, PASSWORD)
    registry = build_registry(app.db)
    for department, server in (sandboxes or {}).items():
        registry.configure(department, {"endpoint": server.url, "account": ACCOUNT, "timeout_s": 2}, by="test")
    app.registry = registry
    users = {s.user.username: s.user for s in app.accounts.list_users(None)}
    return World(app, users, TrackingService(app), dict(sandboxes or {}))


def submitted_case(world: World, clerk: str = "clerk01", *, branches: dict[str, str] | None = None,
                   delivery: str = "pickup", state: str = "in_progress", phone: str = "13812345678",
                   tolerated: tuple[str, ...] = ("M-PHOTO",), citizen: tuple[str, str] = CITIZEN,
                   reasons: dict[str, str] | None = None) -> int:
    """A submitted 退休一件事 case of ``clerk``; ``branches`` maps adapter id -> branch state (default: all
    three departments ``received``). Returns the case id."""
    app, user = world.app, world.users[clerk]
    branches = branches if branches is not None else {a: "received" for a in RETIRE_BRANCHES}
    reasons = reasons or {}
    now = app.clock()
    with app.db.unit_of_work() as uow:
        s = uow.session
        person = case_repo.get_or_create_citizen(s, citizen[0], citizen[1], now)
        s.flush()
        case = Case(citizen_id=person.id, one_thing="OT-RETIRE", state="draft", assignee_id=user.id,
                    counter=user.counter, card_json="{}", form_json="{}", created_at=now, updated_at=now,
                    delivery_method=delivery,
                    delivery_address="浙江省杭州市西湖区文三路100号2幢301室" if delivery == "courier" else "")
        case_repo.insert_case_with_number(s, case, HALL_CODE, case_repo.local_day(now))
        case_repo.add_visit(s, case, "intake", user.id, now)
        case_repo.add_event(s, case, "opened", "新建办件（身份证）", actor=user.display_name, at=now)
        for name, value in (("person.id_number", citizen[0]), ("person.name", citizen[1]),
                            ("person.phone", phone), ("app.retirement_date", "2026-03-15")):
            case_repo.upsert_value(s, case.id, name, "id_card" if name.startswith("person.") else "clerk", value,
                                   fetched_at=now, verified=True)
        for material in world.tracking._catalog.materials_for("OT-RETIRE"):
            status = {"pulled": "pulled", "produced": "pending"}.get(material.source.value, "received")
            owed = case_repo.local_day(now) + timedelta(days=14) if material.code in tolerated else None
            s.add(CaseMaterial(case_id=case.id, code=material.code, name=material.name, source=material.source.value,
                               status="tolerated" if owed else status, owed_by=owed,
                               commitment="本人承诺两周内补交" if owed else "", updated_at=now))
        s.flush()
        application = build_application(s, case, submitted_at=now, clerk=user.display_name,
                                         catalog=world.tracking._catalog)
        case.application_json = application_to_json(application)
        case.state, case.submitted_at = state, now
        case.due_date = case_repo.local_day(now) + timedelta(days=21)
        if state == "completed":
            case.completed_at = now
        for adapter_id, branch_state in branches.items():
            payload = render(world, adapter_id, application)
            s.add(OutboxBranch(case_id=case.id, adapter_id=adapter_id, item_codes=RETIRE_BRANCHES[adapter_id],
                               content_type=payload[0], payload=payload[1],
                               idempotency_key=f"{case.case_no}:{adapter_id}:1", state=branch_state, attempts=1,
                               next_attempt_at=now, department_ref=f"REF-{adapter_id}" if branch_state in (
                                   "received", "in_review", "approved", "rejected") else None,
                               department_reason=reasons.get(adapter_id, ""), created_at=now, updated_at=now))
        s.add(CaseEvent(case_id=case.id, at=now, kind="submitted", text="已提交，分送各部门", actor=user.display_name))
        return case.id


def render(world: World, adapter_id: str, application: Any) -> tuple[str, bytes]:
    """The branch payload: the real adapter's rendering where a sandbox is configured, else a stand-in."""
    if adapter_id in world.sandboxes:
        adapter, _ = world.tracking._adapter(adapter_id)
        try:
            payload = adapter.render(application)
        finally:
            adapter.close()
        return payload.content_type, payload.body
    return "application/json", json.dumps({"case_no": application.case_no}).encode()


def set_branch(world: World, case_id: int, adapter_id: str, state: str, reason: str = "",
               case_state: str | None = None) -> None:
    """What a dispatcher's status poll writes (the dispatcher is another helper's part)."""
    with world.app.db.unit_of_work() as uow:
        row = uow.session.query(OutboxBranch).filter_by(case_id=case_id, adapter_id=adapter_id).one()
        row.state, row.department_reason, row.updated_at = state, reason, world.app.clock()
        if case_state is not None:
            case = uow.session.get(Case, case_id)
            case.state = case_state
            if case_state == "completed":
                case.completed_at = world.app.clock()
