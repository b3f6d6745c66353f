"""The example third-party adapter, pip-installed into the venv (installer/bootstrap.sh), is found through
its own distribution's entry point and passes the conformance kit, from code and from its own pytest suite."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from adapters.conformance import CHECK_NAMES, check_installed
from adapters.registry import AdapterRegistry, InMemoryStateStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "adapters" / "examples" / "onewindow_example_adapter"


@pytest.fixture(scope="module")
def registry() -> AdapterRegistry:
    try:
        metadata.distribution("onewindow-example-adapter")
    except metadata.PackageNotFoundError:
        pytest.fail("the example adapter is not installed: run installer/bootstrap.sh "
                    "(pip install -e adapters/examples/onewindow_example_adapter)")
    found = AdapterRegistry(state=InMemoryStateStore())
    found.discover()
    return found


def test_the_example_is_found_through_its_own_distribution_s_entry_point(registry: AdapterRegistry) -> None:
    dist = metadata.distribution("onewindow-example-adapter")
    assert [(ep.name, ep.value) for ep in dist.entry_points if ep.group == "onewindow.adapters"] == [
        ("example_civil", "onewindow_example_adapter:manifest.toml")]
    record = registry.get("example_civil")
    assert record.error is None
    assert (record.distribution, record.builtin, record.enabled) == ("onewindow-example-adapter", False, False)
    assert record.manifest is not None and record.manifest.department == "civil_affairs"


def test_the_example_passes_the_kit_against_its_own_test_server(registry: AdapterRegistry) -> None:
    report = check_installed(registry, "example_civil", short_timeout_s=0.2)
    assert report.ok, report.text()
    assert [r.name for r in report.results] == list(CHECK_NAMES)
    assert not any(r.skipped for r in report.results)
    assert report.endpoint and report.endpoint.startswith("http://127.0.0.1:")


def test_the_example_s_own_suite_passes_through_the_pytest_plugin() -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider"], cwd=EXAMPLE,
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    # one test per contract check, named after it
    for name in CHECK_NAMES:
        assert f"test_contract[{name}] PASSED" in done.stdout, name
