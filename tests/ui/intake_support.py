"""Shared by the intake screen tests, the screenshot tool and the gui_stall benchmark: real department
sandboxes on ephemeral ports, the adapters pointed at them with the sandbox account in the (test)
keyring, and the simulated SAM reader on a pseudo-terminal as the workstation's card reader."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from adapters.sandbox.base import DEFAULT_ACCOUNTS, SandboxServer
from adapters.sandbox.servers import SANDBOXES, start_sandbox
from desktop.devices.sam.simulator import SimulatedSamDevice
from desktop.services.demo_backends import seed_backend_accounts

HALL_CODE = "330106"


@contextlib.contextmanager
def sandboxes(options: Mapping[str, Mapping[str, Any]] | None = None) -> Iterator[dict[str, SandboxServer]]:
    started: dict[str, SandboxServer] = {}
    try:
        for department in SANDBOXES:
            started[department] = start_sandbox(department, **dict((options or {}).get(department, {})))
        yield started
    finally:
        for server in started.values():
            server.stop()


@contextlib.contextmanager
def sam_reader(directory: Path) -> Iterator[SimulatedSamDevice]:
    device = SimulatedSamDevice(link_path=directory / "ttyIDR0").start()
    try:
        yield device
    finally:
        device.stop()


def configure(app: Any, servers: Mapping[str, SandboxServer], *, reader: str, timeout_s: float = 3.0) -> Any:
    """Point the app's adapters at ``servers`` and its card reader at ``reader`` (as an admin would)."""
    app.settings = replace(app.settings, hall_code=HALL_CODE, reader=reader,
                           counter=app.settings.counter or "3号窗口",
                           hall_name=app.settings.hall_name or "西湖区政务服务中心")
    seed_backend_accounts(app.registry, app.secrets, {d: s.url for d, s in servers.items()}, DEFAULT_ACCOUNTS,
                          by="test", extra_config={d: {"timeout_s": timeout_s} for d in servers})
    return app


# -- pytest fixtures and walking helpers for tests/ui/test_intake*.py ---------------------------------
import pytest  # noqa: E402

WAIT_MS = 15000


@pytest.fixture
def servers() -> Iterator[dict[str, SandboxServer]]:
    with sandboxes() as started:
        yield started


@pytest.fixture
def sam(tmp_path: Path) -> Iterator[SimulatedSamDevice]:
    with sam_reader(tmp_path) as device:
        yield device


@pytest.fixture
def intake_window(open_window: Any, gui_app: Any, servers: dict[str, SandboxServer], sam: SimulatedSamDevice,
                  qtbot: Any) -> Any:
    """``make(timeout_s=3.0)`` -> (main window, intake page) for clerk01 with the reader ready."""

    def make(timeout_s: float = 3.0) -> tuple[Any, Any]:
        configure(gui_app, servers, reader=f"sam:{sam.port}", timeout_s=timeout_s)
        window = open_window("clerk01")
        page = window.open_page("intake")
        page.ctx.open_file = lambda path: True
        qtbot.waitUntil(lambda: page.card.reader.ready, timeout=WAIT_MS)
        return window, page

    return make


def read_card(page: Any, qtbot: Any, sam: SimulatedSamDevice, citizen: str = "retiree_m") -> None:
    """The citizen's card on the reader; returns once the case is open and the page moved on."""
    sam.present_card(citizen)
    qtbot.waitUntil(lambda: page.case is not None and page.current > 1, timeout=WAIT_MS)
    sam.remove_card()


def choose_retirement(page: Any, qtbot: Any) -> None:
    page.go(2)
    page.one_thing.search.setText("退休")
    qtbot.waitUntil(lambda: page.one_thing.selected_code() == "OT-RETIRE", timeout=WAIT_MS)
    page.advance()
    qtbot.waitUntil(lambda: page.current == 3, timeout=WAIT_MS)


def consent_all(page: Any, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: bool(page.consent.department_boxes), timeout=WAIT_MS)
    page.advance()
    qtbot.waitUntil(lambda: page.current == 4, timeout=WAIT_MS)


def pull_settled(page: Any) -> bool:
    return bool(page.pull.rows) and page.pull.running == 0 and all(
        r.status is not None and r.status.state in ("done", "failed", "refused") for r in page.pull.rows.values())
