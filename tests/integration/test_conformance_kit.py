"""The conformance kit catches each kind of contract breach: the example adapter with one defect planted
at a time, run against the example's real HTTP server. A kit that passed these would pass anything."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

import pytest

from adapters.api import (
    Adapter, AdapterContext, AdapterError, AdapterTimeout, Credentials, HealthResult, LookupRequest, Manifest,
    NotFoundError, RenderedPayload, StatusResult, SubmitResult, UnavailableError,
)
from adapters.api.schema import validate_manifest_text
from adapters.conformance import (
    CHECK_NAMES, CheckResult, load_demo_citizens, load_field_dictionary, run_checks, sample_application,
    sample_request,
)

example_adapter = pytest.importorskip("onewindow_example_adapter.adapter",
                                      reason="pip install -e adapters/examples/onewindow_example_adapter")
example_server = pytest.importorskip("onewindow_example_adapter.server")
Base = example_adapter.CivilAffairsAdapter


class NondeterministicRender(Base):
    def render(self, application: Any) -> RenderedPayload:
        p = super().render(application)
        return dataclasses.replace(p, body=p.body + str(time.perf_counter_ns()).encode())


class ImpureRender(Base):
    def render(self, application: Any) -> RenderedPayload:
        self._request("GET", "/v1/ping")  # looks the department up while rendering
        return super().render(application)


class ForgetfulSubmit(Base):
    def submit(self, payload: RenderedPayload, idempotency_key: str) -> SubmitResult:
        return super().submit(payload, f"{idempotency_key}-{uuid.uuid4().hex}")


class VagueStatus(Base):
    def status(self, department_ref: str) -> StatusResult:
        try:
            return super().status(department_ref)
        except NotFoundError as exc:
            raise AdapterError(f"status failed: {exc.detail}") from None


class NoConsentGuard(Base):
    def lookup(self, request: LookupRequest) -> Any:
        return super().lookup(dataclasses.replace(request, consent_ref=request.consent_ref or "N/A"))


class TimeoutAsUnavailable(Base):
    def _request(self, *args: Any, **kw: Any) -> Any:
        try:
            return super()._request(*args, **kw)
        except AdapterTimeout as exc:
            raise UnavailableError(exc.detail) from None


class CrashesOnGarbage(Base):
    def _request(self, method: str, path: str, **kw: Any) -> Any:
        response = self.http.request(method, self.base + path, timeout=self.timeout, **kw)
        try:
            return response.status_code, response.json()
        except ValueError:
            raise ValueError("cannot parse") from None  # not an AdapterError


class LyingHealth(Base):
    def health(self) -> HealthResult:
        return HealthResult(True, 0.0, "always fine")


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    with example_server.CivilAffairsServer() as running:
        yield running


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    text = (resources.files("onewindow_example_adapter") / "manifest.toml").read_text(encoding="utf-8")
    return validate_manifest_text(text)


def run(adapter_class: type[Adapter], manifest: Manifest, server: Any) -> dict[str, CheckResult]:
    account, secret = next(iter(server.accounts.items()))

    def factory(overrides: Mapping[str, Any]) -> Adapter:
        config = manifest.resolve_config(dict(overrides))
        return adapter_class(AdapterContext(manifest, config, lambda: Credentials(account, secret)))

    citizen = load_demo_citizens()["retiree_m"]
    results = run_checks(factory, manifest, fields=set(load_field_dictionary()), endpoint=server.url,
                         sample_application=sample_application(manifest, citizen),
                         sample_request=sample_request(manifest, citizen), timeout_s=2.0, short_timeout_s=0.2)
    return {r.name: r for r in results}


def test_the_unmodified_example_passes_every_check(manifest: Manifest, server: Any) -> None:
    results = run(Base, manifest, server)
    assert list(results) == list(CHECK_NAMES)
    assert [r.message for r in results.values() if not r.ok] == []
    assert not any(r.skipped for r in results.values())


MUTANTS = [
    (NondeterministicRender, "render", "两次生成的报文不一致"),
    (ImpureRender, "render", "访问了网络"),
    (ForgetfulSubmit, "submit_idempotency", "不同的受理编号"),
    (VagueStatus, "status_not_found", "应报 NotFoundError"),
    (NoConsentGuard, "consent", "却正常返回了"),
    (TimeoutAsUnavailable, "timeout", "应报 AdapterTimeout"),
    (CrashesOnGarbage, "malformed", "非标准异常"),
    (LyingHealth, "health", "后端不可达时健康检查却报正常"),
]


@pytest.mark.parametrize("mutant, check, words", MUTANTS, ids=[m[0].__name__ for m in MUTANTS])
def test_each_planted_defect_fails_its_check_readably(mutant: type[Adapter], check: str, words: str,
                                                      manifest: Manifest, server: Any) -> None:
    results = run(mutant, manifest, server)
    failed = {name for name, r in results.items() if not r.ok}
    assert check in failed
    message = results[check].message
    assert words in message
    zh, _, en = message.partition(" | ")
    assert zh and en, "a Chinese sentence for the administrator, then the English detail"


def test_fields_outside_the_dictionary_fail_the_field_names_check(manifest: Manifest, server: Any) -> None:
    odd = dataclasses.replace(manifest, fields=("person.name", "person.shoe_size"))
    results = run(Base, odd, server)
    assert not results["field_names"].ok
    assert "person.shoe_size" in results["field_names"].message


def test_without_an_endpoint_only_the_offline_checks_run(manifest: Manifest) -> None:
    def factory(overrides: Mapping[str, Any]) -> Adapter:
        config = manifest.resolve_config(dict(overrides))
        return Base(AdapterContext(manifest, config, lambda: Credentials("x", "y")))

    citizen = load_demo_citizens()["retiree_m"]
    results = run_checks(factory, manifest, fields=set(load_field_dictionary()), endpoint=None,
                         sample_application=sample_application(manifest, citizen),
                         sample_request=sample_request(manifest, citizen))
    ran = [r.name for r in results if not r.skipped]
    assert ran == ["manifest", "field_names", "render", "close"]
    assert all(r.ok for r in results)
