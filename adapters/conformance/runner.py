"""Check one installed plugin end to end: find it in the registry, start its test back-end (or use the
endpoint given), build the samples, run every check, stop the back-end. Used by ``adapters check``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.api import Adapter, AdapterError, Credentials, Manifest
from adapters.registry import AdapterRegistry, PluginLoadError

from .backends import DEFAULT_CREDENTIALS, CheckBackend, registry_factory, start_check_backend
from .checks import CheckResult, run_checks
from .samples import DEFAULT_CITIZEN, citizen_or_error, load_field_dictionary, sample_application, sample_request

log = logging.getLogger("onewindow.conformance")


@dataclass
class ConformanceReport:
    adapter_id: str
    endpoint: str | None
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if not r.ok]

    def text(self) -> str:
        lines = [f"插件 {self.adapter_id} 合规检查（conformance check）" + (f"，测试后端 {self.endpoint}" if self.endpoint else "")]
        for r in self.results:
            mark = "SKIP" if r.skipped else ("PASS" if r.ok else "FAIL")
            lines.append(f"[{mark}] {r.name} {r.title}: {r.message}")
        passed = sum(1 for r in self.results if r.ok and not r.skipped)
        skipped = sum(1 for r in self.results if r.skipped)
        verdict = "全部通过" if self.ok else f"{len(self.failures)} 项未通过"
        lines.append(f"{verdict}：{passed} passed, {len(self.failures)} failed, {skipped} skipped")
        return "\n".join(lines)


def check_installed(registry: AdapterRegistry, adapter_id: str, *, endpoint: str | None = None,
                    citizen: str = DEFAULT_CITIZEN, credentials: Credentials | None = None,
                    timeout_s: float = 5.0, short_timeout_s: float = 0.5) -> ConformanceReport:
    """Raises UnknownPluginError for an id nobody installed; every other failure is in the report."""
    record = registry.get(adapter_id)
    report = ConformanceReport(adapter_id, endpoint)
    if record.manifest is None or (record.error is not None and record.error.kind != "import"
                                   and record.error.kind != "factory"):
        error = record.error
        report.results.append(CheckResult("manifest", False, f"{error.message_zh if error else '插件清单不可用'} | "
                                                              f"{error.details if error else ''}"))
        return report
    manifest = record.manifest
    backend: CheckBackend | None = None
    try:
        if endpoint is None:
            try:
                backend = start_check_backend(record)
            except Exception as exc:
                log.exception("starting the test back-end of %s failed", adapter_id)
                report.results.append(CheckResult("backend", False, f"测试后端启动失败 | {type(exc).__name__}: {exc}"))
                return report
            if backend is None:
                report.results.append(CheckResult(
                    "backend", False, "该插件没有自带测试后端，请用 --endpoint 指定测试地址（切勿指向生产系统）"
                    " | no test back-end: pass --endpoint URL of a test system (never production)"))
                return report
            report.endpoint = backend.url
        creds = credentials or (backend.credentials if backend else None) or DEFAULT_CREDENTIALS
        factory = registry_factory(registry, adapter_id, creds)

        load_problem = _try_load(factory, manifest, report.endpoint)
        if load_problem is not None:
            report.results.append(load_problem)
            return report
        person = citizen_or_error(citizen)
        report.results = run_checks(
            factory, manifest, fields=set(load_field_dictionary()), endpoint=report.endpoint,
            sample_application=sample_application(manifest, person), sample_request=sample_request(manifest, person),
            timeout_s=timeout_s, short_timeout_s=short_timeout_s, api_version=registry.api_version)
        return report
    finally:
        if backend is not None:
            backend.stop()


def _try_load(factory: Callable[[Mapping[str, Any]], Adapter], manifest: Manifest,
              endpoint: str | None) -> CheckResult | None:
    """Import the plugin and build one adapter before the checks, so a broken plugin gives one clear failure."""
    try:
        adapter = factory({"endpoint": endpoint} if manifest.option("endpoint") else {})
    except PluginLoadError as exc:
        return CheckResult("load", False, f"{exc.message_zh} | {exc.error.kind} error:\n{exc.details}")
    except AdapterError as exc:
        return CheckResult("load", False, f"{exc.message_zh} | {exc}")
    try:
        adapter.close()
    except Exception:
        pass  # the close check reports this properly
    return None
