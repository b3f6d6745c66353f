"""pytest plugin: the conformance kit as fixtures for adapter authors.

Enable it in your ``conftest.py`` (``pytest_plugins = ["adapters.conformance.pytest_plugin"]``) or with
``-p adapters.conformance.pytest_plugin``, name your adapter (``--adapter-id ID`` or the ini option
``onewindow_adapter_id``, or override the ``adapter_id`` fixture), then::

    def test_contract(conformance_check):           # one test per check, named after it
        assert conformance_check.ok, conformance_check.message

    def test_my_own_thing(adapter_under_test):       # a fresh adapter on the test back-end
        assert adapter_under_test.health().ok

The test back-end is ``--adapter-endpoint URL`` when given, else the one your manifest's ``sandbox`` key
starts; override the ``adapter_endpoint`` fixture to start your own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.api import Adapter, CanonicalApplication, Credentials, LookupRequest, Manifest
from adapters.registry import AdapterRegistry, InMemoryStateStore, PluginRecord

from .backends import DEFAULT_CREDENTIALS, CheckBackend, registry_factory, start_check_backend
from .checks import CHECK_NAMES, AdapterFactory, CheckResult, run_checks
from .samples import DEFAULT_CITIZEN, citizen_or_error, load_field_dictionary, sample_application, sample_request


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("onewindow-adapter", "OneWindow adapter conformance kit")
    group.addoption("--adapter-id", default=None, help="id of the installed adapter plugin to check")
    group.addoption("--adapter-endpoint", default=None, help="URL of a test back-end (never production)")
    group.addoption("--adapter-citizen", default=DEFAULT_CITIZEN,
                    help="demo citizen key (resources/demo/citizens.toml) the test back-end knows")
    parser.addini("onewindow_adapter_id", "id of the installed adapter plugin to check", default="")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "conformance_check" in metafunc.fixturenames:
        metafunc.parametrize("conformance_check", CHECK_NAMES, indirect=True, ids=list(CHECK_NAMES))


@pytest.fixture(scope="session")
def adapter_id(pytestconfig: pytest.Config) -> str:
    value = pytestconfig.getoption("--adapter-id") or pytestconfig.getini("onewindow_adapter_id")
    if not value:
        raise pytest.UsageError("name the adapter: --adapter-id ID, ini onewindow_adapter_id, or an adapter_id fixture")
    return str(value)


@pytest.fixture(scope="session")
def adapter_registry() -> AdapterRegistry:
    registry = AdapterRegistry(state=InMemoryStateStore())
    registry.discover()
    return registry


@pytest.fixture(scope="session")
def adapter_record(adapter_registry: AdapterRegistry, adapter_id: str) -> PluginRecord:
    record = adapter_registry.get(adapter_id)
    if record.manifest is None or (record.error is not None and record.error.kind in ("manifest", "api_range", "duplicate")):
        error = record.error
        pytest.fail(f"plugin {adapter_id} is not usable: {error.message_zh if error else ''}\n"
                    f"{error.details if error else ''}", pytrace=False)
    return record


@pytest.fixture(scope="session")
def adapter_manifest(adapter_record: PluginRecord) -> Manifest:
    assert adapter_record.manifest is not None
    return adapter_record.manifest


@pytest.fixture(scope="session")
def adapter_backend(pytestconfig: pytest.Config, adapter_record: PluginRecord) -> Iterator[CheckBackend | None]:
    if pytestconfig.getoption("--adapter-endpoint"):
        yield None
        return
    backend = start_check_backend(adapter_record)
    try:
        yield backend
    finally:
        if backend is not None:
            backend.stop()


@pytest.fixture(scope="session")
def adapter_endpoint(pytestconfig: pytest.Config, adapter_backend: CheckBackend | None) -> str:
    given = pytestconfig.getoption("--adapter-endpoint")
    if given:
        return str(given)
    if adapter_backend is None:
        pytest.skip("no test back-end: pass --adapter-endpoint, declare 'sandbox' in the manifest, "
                    "or override the adapter_endpoint fixture")
    return adapter_backend.url


@pytest.fixture(scope="session")
def adapter_credentials(adapter_backend: CheckBackend | None) -> Credentials:
    return (adapter_backend.credentials if adapter_backend else None) or DEFAULT_CREDENTIALS


@pytest.fixture(scope="session")
def adapter_factory(adapter_registry: AdapterRegistry, adapter_record: PluginRecord,
                    adapter_credentials: Credentials) -> AdapterFactory:
    return registry_factory(adapter_registry, adapter_record.id, adapter_credentials)


@pytest.fixture(scope="session")
def adapter_citizen(pytestconfig: pytest.Config) -> dict[str, Any]:
    return citizen_or_error(pytestconfig.getoption("--adapter-citizen"))


@pytest.fixture(scope="session")
def adapter_sample_application(adapter_manifest: Manifest, adapter_citizen: dict[str, Any]) -> CanonicalApplication:
    return sample_application(adapter_manifest, adapter_citizen)


@pytest.fixture(scope="session")
def adapter_sample_request(adapter_manifest: Manifest, adapter_citizen: dict[str, Any]) -> LookupRequest:
    return sample_request(adapter_manifest, adapter_citizen)


@pytest.fixture
def adapter_under_test(adapter_factory: AdapterFactory, adapter_manifest: Manifest,
                       adapter_endpoint: str) -> Iterator[Adapter]:
    overrides = {"endpoint": adapter_endpoint} if adapter_manifest.option("endpoint") else {}
    adapter = adapter_factory(overrides)
    try:
        yield adapter
    finally:
        adapter.close()


@pytest.fixture(scope="session")
def conformance_results(adapter_factory: AdapterFactory, adapter_manifest: Manifest, adapter_endpoint: str,
                        adapter_sample_application: CanonicalApplication,
                        adapter_sample_request: LookupRequest) -> dict[str, CheckResult]:
    results = run_checks(adapter_factory, adapter_manifest, fields=set(load_field_dictionary()),
                         endpoint=adapter_endpoint, sample_application=adapter_sample_application,
                         sample_request=adapter_sample_request)
    return {r.name: r for r in results}


@pytest.fixture
def conformance_check(request: pytest.FixtureRequest, conformance_results: dict[str, CheckResult]) -> CheckResult:
    result = conformance_results[request.param]
    if result.skipped:
        pytest.skip(result.message)
    return result
