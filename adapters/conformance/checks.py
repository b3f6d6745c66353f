"""The contract checks an adapter must pass, runnable against any adapter factory and test endpoint.

Each check gives a CheckResult whose message has a Chinese sentence for the administrator, then `` | ``
and the English detail for the author. Every adapter call runs in a daemon thread with a hard cap, so a
hanging adapter fails its check instead of hanging the kit.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from adapters.api import (
    API_VERSION, Adapter, AdapterError, AdapterTimeout, BranchState, CanonicalApplication, ConsentError,
    HealthResult, LookupRequest, LookupResult, MalformedReplyError, Manifest, NotFoundError, RenderedPayload,
    SessionState, StatusResult, SubmitResult, UnavailableError,
)
from adapters.api.schema import schema_problems

from .samples import unknown_id_number
from .servers import BlackHole, ClosedPort, GarbageServer

T = TypeVar("T")
#: given config overrides (endpoint, timeout_s), a fresh adapter instance
AdapterFactory = Callable[[Mapping[str, Any]], Adapter]

CHECK_TITLES: dict[str, str] = {
    "manifest": "插件清单与接口版本",
    "field_names": "字段名均在标准字段字典中",
    "render": "报文生成确定且不联网",
    "session": "登录会话",
    "lookup": "查询群众信息",
    "consent": "无授权不得查询",
    "lookup_not_found": "查无此人时报“未查到”",
    "submit_idempotency": "同一幂等键重复提交只受理一次",
    "find_submission": "按幂等键找回提交",
    "status": "查询办理状态",
    "status_not_found": "未知受理编号报“未查到”",
    "unreachable": "后端不可达时报“无法访问”",
    "timeout": "后端不应答时按配置超时",
    "malformed": "后端返回乱码时报“无法识别”",
    "health": "健康检查",
    "close": "关闭连接不报错",
}
CHECK_NAMES: tuple[str, ...] = tuple(CHECK_TITLES)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    #: Chinese sentence | English detail
    message: str
    #: the check did not apply (capability not declared, no endpoint); ``ok`` is True then
    skipped: bool = False

    @property
    def title(self) -> str:
        return CHECK_TITLES.get(self.name, self.name)


class _Hung(Exception):
    def __init__(self, cap: float) -> None:
        super().__init__(f"the call did not return within {cap:g}s")
        self.cap = cap


def _bounded(fn: Callable[[], T], cap: float) -> T:
    """Run ``fn`` with a hard cap. The worker is a daemon: a hung adapter cannot keep the process alive."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller as is
            box["error"] = exc

    worker = threading.Thread(target=target, name="conformance-call", daemon=True)
    worker.start()
    worker.join(cap)
    if worker.is_alive():
        raise _Hung(cap)
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, AdapterError):
        return f"{type(exc).__name__}({exc.detail!r}, message_zh={exc.message_zh!r})"
    return f"{type(exc).__name__}: {exc}"


class _Problems:
    def __init__(self) -> None:
        self.zh: list[str] = []
        self.en: list[str] = []

    def add(self, zh: str, en: str) -> None:
        self.zh.append(zh)
        self.en.append(en)

    def result(self, name: str, passed_en: str) -> CheckResult:
        if not self.zh:
            return CheckResult(name, True, f"通过 | {passed_en}")
        return CheckResult(name, False, "；".join(self.zh) + " | " + "; ".join(self.en))


class _Run:
    def __init__(self, factory: AdapterFactory, manifest: Manifest, fields: set[str], endpoint: str | None,
                 application: CanonicalApplication, request: LookupRequest, timeout_s: float,
                 short_timeout_s: float, api_version: str) -> None:
        self.factory, self.manifest, self.fields, self.endpoint = factory, manifest, fields, endpoint
        self.application, self.request = application, request
        self.timeout_s, self.short_timeout_s, self.api_version = timeout_s, short_timeout_s, api_version
        self.caps = set(manifest.capabilities)
        self.cap = max(4 * timeout_s, 10.0)
        self.adapters: list[Adapter] = []
        self.payload: RenderedPayload | None = None
        self.key = f"ow-check-{uuid.uuid4().hex[:16]}"
        self.reference: str | None = None
        self.main: Adapter | None = None

    # -- plumbing ------------------------------------------------------------------------------------
    def adapter(self, endpoint: str, timeout_s: float) -> Adapter:
        overrides = {name: value for name, value in (("endpoint", endpoint), ("timeout_s", timeout_s))
                     if self.manifest.option(name) is not None}
        adapter = self.factory(overrides)
        self.adapters.append(adapter)
        return adapter

    def call(self, fn: Callable[[], T], cap: float | None = None) -> T:
        return _bounded(fn, cap or self.cap)

    def unexpected(self, problems: _Problems, what: str, exc: BaseException) -> None:
        if isinstance(exc, _Hung):
            problems.add(f"{what}卡住未返回", f"{what}: {exc}")
        elif isinstance(exc, AdapterError):
            problems.add(f"{what}失败：{exc.message_zh}", f"{what} raised {_describe(exc)}")
        else:
            problems.add(f"{what}抛出了非标准异常（应为 AdapterError 子类）",
                         f"{what} raised {_describe(exc)}; every failure must be an AdapterError subclass\n"
                         + "".join(traceback.format_exception(exc)).rstrip())

    def skipped(self, name: str, zh: str, en: str) -> CheckResult:
        return CheckResult(name, True, f"{zh} | skipped: {en}", skipped=True)

    def probe(self, adapter: Adapter) -> Callable[[], object]:
        """The first network call this adapter can make, for the error-mapping checks."""
        if "lookup" in self.caps:
            return lambda: adapter.lookup(self.request)
        if "status" in self.caps:
            return lambda: adapter.status("OW-CHECK-PROBE")
        if "submit" in self.caps and self.payload is not None:
            payload = self.payload
            return lambda: adapter.submit(payload, f"ow-check-probe-{uuid.uuid4().hex[:12]}")
        return adapter.open_session

    # -- checks ----------------------------------------------------------------------------------------
    def check_manifest(self) -> CheckResult:
        p = _Problems()
        for problem in schema_problems(dict(self.manifest.raw)) if self.manifest.raw else []:
            p.add("清单不符合规范", problem)
        try:
            compatible = self.manifest.compatible_with(self.api_version)
        except ValueError as exc:
            compatible = False
            p.add("接口版本范围无法识别", str(exc))
        if not compatible:
            p.add(f"插件支持的接口版本 {self.manifest.api} 不包含本机的 {self.api_version}",
                  f"api range {self.manifest.api!r} excludes API_VERSION {self.api_version}")
        if self.caps - {"health"} and self.manifest.option("endpoint") is None:
            p.add("清单缺少 endpoint 配置项，无法指定部门地址", "config must declare an 'endpoint' option (type url)")
        if self.manifest.option("timeout_s") is None:
            p.add("清单缺少 timeout_s 配置项，无法设置超时", "config must declare a 'timeout_s' option (type number)")
        return p.result("manifest", f"{self.manifest.id} {self.manifest.version}, api {self.manifest.api}")

    def check_field_names(self) -> CheckResult:
        p = _Problems()
        unknown = [f for f in self.manifest.fields if f not in self.fields]
        if unknown:
            p.add(f"清单中有 {len(unknown)} 个字段不在标准字段字典（resources/fields.toml）中",
                  f"unknown canonical fields: {', '.join(unknown)}")
        return p.result("field_names", f"{len(self.manifest.fields)} fields, all in the dictionary")

    def check_render(self, closed_url: str) -> CheckResult:
        if "submit" not in self.caps:
            return self.skipped("render", "未声明提交能力", "capability 'submit' not declared")
        p = _Problems()
        try:
            # pointed at a closed port: a render that touches the network fails here
            first, second = self.adapter(closed_url, self.timeout_s), self.adapter(closed_url, self.timeout_s)
            outputs = [self.call(lambda a=a: a.render(self.application)) for a in (first, second, first)]
        except (UnavailableError, AdapterTimeout) as exc:
            p.add("生成报文时访问了网络（生成报文必须是纯计算）", f"render did I/O: {_describe(exc)}")
            return p.result("render", "")
        except BaseException as exc:
            self.unexpected(p, "生成报文", exc)
            return p.result("render", "")
        base = outputs[0]
        if not isinstance(base, RenderedPayload):
            p.add("生成报文没有返回 RenderedPayload", f"render returned {type(base).__name__}")
            return p.result("render", "")
        for other in outputs[1:]:
            if (other.body, other.content_type, other.preview, dict(other.field_sources)) != (
                    base.body, base.content_type, base.preview, dict(base.field_sources)):
                p.add("同一申请两次生成的报文不一致（必须逐字节相同）",
                      f"render is not deterministic: {len(base.body)} bytes vs {len(other.body)} bytes"
                      f"{_first_difference(base.body, other.body)}")
                break
        if not isinstance(base.body, bytes) or not base.body:
            p.add("报文为空", "payload body must be non-empty bytes")
        if not base.preview.strip():
            p.add("报文预览为空（窗口人员提交前要能看到）", "preview must be non-empty text")
        if base.adapter_id != self.manifest.id:
            p.add("报文的 adapter_id 与清单不符", f"adapter_id {base.adapter_id!r} != {self.manifest.id!r}")
        outside = [c for c in base.item_codes if c not in self.manifest.items]
        if not base.item_codes or outside:
            p.add("报文的事项编码为空或不在清单 items 中", f"item_codes {list(base.item_codes)} vs manifest items "
                  f"{list(self.manifest.items)}")
        bad_sources = sorted({v for v in base.field_sources.values()
                              if v not in self.fields or v not in self.application.fields})
        if bad_sources:
            p.add("field_sources 中有非标准字段名", f"field_sources name unknown canonical fields: {bad_sources}")
        self.payload = base
        return p.result("render", f"{len(base.body)} bytes, {len(base.field_sources)} mapped fields, deterministic")

    def check_session(self) -> CheckResult:
        p = _Problems()
        assert self.main is not None
        try:
            info = self.call(self.main.open_session)
            if info.state is not SessionState.CONNECTED:
                p.add(f"登录后会话状态为 {info.state.value}，应为 connected", f"open_session returned {info}")
            now = self.call(self.main.session_info)
            if now.state is not SessionState.CONNECTED:
                p.add("登录后 session_info 未显示已连接", f"session_info() returned {now}")
        except BaseException as exc:
            self.unexpected(p, "登录", exc)
        return p.result("session", "open_session -> connected")

    def check_lookup(self) -> CheckResult:
        if "lookup" not in self.caps:
            return self.skipped("lookup", "未声明查询能力", "capability 'lookup' not declared")
        p = _Problems()
        assert self.main is not None
        main = self.main
        try:
            result = self.call(lambda: main.lookup(self.request))
        except NotFoundError as exc:
            p.add("测试后端查不到示例群众（可用 --citizen 换一位演示群众）", f"lookup of the sample citizen: {_describe(exc)}")
            return p.result("lookup", "")
        except BaseException as exc:
            self.unexpected(p, "查询", exc)
            return p.result("lookup", "")
        if not isinstance(result, LookupResult):
            p.add("查询没有返回 LookupResult", f"lookup returned {type(result).__name__}")
            return p.result("lookup", "")
        if result.adapter_id != self.manifest.id:
            p.add("查询结果的 adapter_id 与清单不符", f"adapter_id {result.adapter_id!r} != {self.manifest.id!r}")
        if not result.values:
            p.add("查询结果没有任何字段", "lookup returned no values for a citizen the back-end knows")
        for v in result.values:
            if v.field not in self.manifest.fields:
                p.add(f"查询返回了清单未声明的字段 {v.field}", f"field {v.field!r} not in manifest fields")
            if not isinstance(v.value, str):
                p.add(f"字段 {v.field} 的值不是文本", f"{v.field}: value must be str, got {type(v.value).__name__}")
            if v.provenance.adapter_id != self.manifest.id:
                p.add(f"字段 {v.field} 的来源插件不对", f"{v.field}: provenance.adapter_id {v.provenance.adapter_id!r}")
            if v.provenance.fetched_at.tzinfo is None:
                p.add(f"字段 {v.field} 的获取时间缺少时区", f"{v.field}: provenance.fetched_at must be timezone-aware")
        return p.result("lookup", f"{len(result.values)} fields with provenance")

    def check_consent(self) -> CheckResult:
        if "lookup" not in self.caps:
            return self.skipped("consent", "未声明查询能力", "capability 'lookup' not declared")
        return self._expect_error("consent", "无授权编号的查询", ConsentError,
                                  lambda a: a.lookup(dataclasses.replace(self.request, consent_ref="")))

    def check_lookup_not_found(self) -> CheckResult:
        if "lookup" not in self.caps:
            return self.skipped("lookup_not_found", "未声明查询能力", "capability 'lookup' not declared")
        nobody = dataclasses.replace(self.request, id_number=unknown_id_number(), name="查无此人")
        return self._expect_error("lookup_not_found", "查询不存在的群众", NotFoundError, lambda a: a.lookup(nobody))

    def _expect_error(self, name: str, what: str, expected: type[AdapterError],
                      fn: Callable[[Adapter], object], adapter: Adapter | None = None,
                      cap: float | None = None) -> CheckResult:
        p = _Problems()
        target = adapter or self.main
        assert target is not None
        try:
            got = self.call(lambda: fn(target), cap)
        except expected:
            return p.result(name, f"{what} raised {expected.__name__}")
        except BaseException as exc:
            if isinstance(exc, AdapterError) or isinstance(exc, _Hung):
                p.add(f"{what}应报 {expected.__name__}（{expected.default_zh}），实际为 {_describe(exc)}",
                      f"{what}: expected {expected.__name__}, got {_describe(exc)}")
            else:
                self.unexpected(p, what, exc)
            return p.result(name, "")
        p.add(f"{what}应报 {expected.__name__}（{expected.default_zh}），却正常返回了",
              f"{what}: expected {expected.__name__}, returned {got!r}")
        return p.result(name, "")

    def check_submit(self) -> CheckResult:
        if "submit" not in self.caps:
            return self.skipped("submit_idempotency", "未声明提交能力", "capability 'submit' not declared")
        p = _Problems()
        if self.payload is None:
            p.add("报文生成失败，无法检查提交", "no payload: the render check failed")
            return p.result("submit_idempotency", "")
        assert self.main is not None and self.endpoint is not None
        payload, main = self.payload, self.main
        try:
            first = self.call(lambda: main.submit(payload, self.key))
            # a second instance: idempotency must hold at the department, not in an adapter's memory
            again = self.adapter(self.endpoint, self.timeout_s)
            second = self.call(lambda: again.submit(payload, self.key))
        except BaseException as exc:
            self.unexpected(p, "提交", exc)
            return p.result("submit_idempotency", "")
        for r in (first, second):
            if not isinstance(r, SubmitResult) or not r.department_ref:
                p.add("提交没有返回部门受理编号", f"submit returned {r!r}")
                return p.result("submit_idempotency", "")
        self.reference = first.department_ref
        if first.duplicate:
            p.add("首次提交被标记为重复", f"first submit with a new key returned duplicate=True ({first})")
        if second.department_ref != first.department_ref:
            p.add("同一幂等键两次提交得到了不同的受理编号（部门会重复受理）",
                  f"key {self.key}: {first.department_ref!r} then {second.department_ref!r}")
        if not second.duplicate:
            p.add("重复提交未标记为重复", f"second submit with key {self.key} returned duplicate=False")
        return p.result("submit_idempotency", f"key {self.key} -> {first.department_ref} twice, second flagged duplicate")

    def check_find_submission(self) -> CheckResult:
        if "submit" not in self.caps:
            return self.skipped("find_submission", "未声明提交能力", "capability 'submit' not declared")
        p = _Problems()
        if self.reference is None:
            p.add("没有成功的提交，无法检查找回", "no submission: the submit check failed")
            return p.result("find_submission", "")
        assert self.main is not None
        main = self.main
        try:
            found = self.call(lambda: main.find_submission(self.key))
            if not isinstance(found, SubmitResult) or found.department_ref != self.reference:
                p.add("按幂等键找不回刚才的提交", f"find_submission({self.key!r}) returned {found!r}, "
                      f"expected ref {self.reference!r}")
            missing = self.call(lambda: main.find_submission(f"ow-check-never-{uuid.uuid4().hex[:12]}"))
            if missing is not None:
                p.add("未提交过的幂等键也找到了记录", f"find_submission(unknown key) returned {missing!r}, expected None")
        except BaseException as exc:
            self.unexpected(p, "按幂等键找回", exc)
        return p.result("find_submission", f"found {self.reference} by key; unknown key -> None")

    def check_status(self) -> CheckResult:
        if "status" not in self.caps:
            return self.skipped("status", "未声明状态查询能力", "capability 'status' not declared")
        p = _Problems()
        if self.reference is None:
            if "submit" not in self.caps:
                return self.skipped("status", "无提交能力，无法取得受理编号", "no reference without 'submit'")
            p.add("没有成功的提交，无法检查状态", "no reference: the submit check failed")
            return p.result("status", "")
        assert self.main is not None
        main, ref = self.main, self.reference
        try:
            st = self.call(lambda: main.status(ref))
        except BaseException as exc:
            self.unexpected(p, "查询状态", exc)
            return p.result("status", "")
        if not isinstance(st, StatusResult) or not isinstance(st.state, BranchState):
            p.add("状态查询没有返回 BranchState", f"status({ref!r}) returned {st!r}")
        elif st.department_ref != ref:
            p.add("状态结果的受理编号不符", f"status({ref!r}).department_ref == {st.department_ref!r}")
        return p.result("status", f"{ref} -> {getattr(getattr(st, 'state', None), 'value', '?')}")

    def check_status_not_found(self) -> CheckResult:
        if "status" not in self.caps:
            return self.skipped("status_not_found", "未声明状态查询能力", "capability 'status' not declared")
        ref = f"OWCHECK{uuid.uuid4().hex[:10].upper()}"
        return self._expect_error("status_not_found", "查询不存在的受理编号", NotFoundError, lambda a: a.status(ref))

    def check_unreachable(self, closed_url: str) -> CheckResult:
        adapter = self.adapter(closed_url, self.timeout_s)
        return self._expect_error("unreachable", "后端端口无人监听时", UnavailableError,
                                  lambda a: self.probe(a)(), adapter)

    def check_timeout(self) -> CheckResult:
        p = _Problems()
        limit = 4 * self.short_timeout_s + 2.0
        with BlackHole() as hole:
            adapter = self.adapter(hole.url, self.short_timeout_s)
            calls: list[tuple[str, Callable[[], object]]] = [("调用", self.probe(adapter))]
            if "submit" in self.caps and self.payload is not None:
                payload = self.payload
                calls.append(("提交", lambda: adapter.submit(payload, f"ow-check-hole-{uuid.uuid4().hex[:12]}")))
            for what, fn in calls:
                started = time.monotonic()
                try:
                    got = self.call(fn, limit + 5.0)
                    p.add(f"后端不应答时{what}却正常返回了", f"{what}: returned {got!r} from a black hole")
                    continue
                except AdapterTimeout:
                    elapsed = time.monotonic() - started
                    if elapsed > limit:
                        p.add(f"{what}超时过慢：配置 {self.short_timeout_s:g} 秒，实际 {elapsed:.1f} 秒",
                              f"{what}: AdapterTimeout after {elapsed:.1f}s; timeout_s={self.short_timeout_s:g}")
                except BaseException as exc:
                    zh = "（提交超时结果未知，不能报“无法访问”）" if what == "提交" else ""
                    p.add(f"后端不应答时{what}应报 AdapterTimeout{zh}，实际为 {_describe(exc)}",
                          f"{what} against a black hole: expected AdapterTimeout, got {_describe(exc)}")
        return p.result("timeout", f"AdapterTimeout within the configured {self.short_timeout_s:g}s")

    def check_malformed(self) -> CheckResult:
        with GarbageServer() as garbage:
            adapter = self.adapter(garbage.url, self.timeout_s)
            return self._expect_error("malformed", "后端返回乱码时", MalformedReplyError,
                                      lambda a: self.probe(a)(), adapter)

    def check_health(self, closed_url: str) -> CheckResult:
        p = _Problems()
        assert self.main is not None
        main = self.main
        try:
            h = self.call(main.health)
            if not isinstance(h, HealthResult) or not h.ok:
                p.add("测试后端正常时健康检查却报异常", f"health() against the live endpoint returned {h!r}")
            elif h.latency_ms < 0:
                p.add("健康检查的耗时为负数", f"latency_ms={h.latency_ms}")
        except BaseException as exc:
            self.unexpected(p, "健康检查", exc)
        down = self.adapter(closed_url, self.timeout_s)
        try:
            h = self.call(down.health)
            if not isinstance(h, HealthResult) or h.ok:
                p.add("后端不可达时健康检查却报正常", f"health() against a closed port returned {h!r}")
        except AdapterError:
            pass  # raising is as clear as ok=False
        except BaseException as exc:
            self.unexpected(p, "后端不可达时的健康检查", exc)
        return p.result("health", "ok against the endpoint, not ok against a closed port")

    def check_close(self) -> CheckResult:
        p = _Problems()
        for adapter in self.adapters:
            try:
                self.call(adapter.close, 10.0)
            except BaseException as exc:
                p.add("关闭适配器时报错（close 不得抛出异常）", f"close() raised {_describe(exc)}")
                break
        self.adapters.clear()
        return p.result("close", "close() returned quietly")

    # -- order -----------------------------------------------------------------------------------------
    def run(self) -> list[CheckResult]:
        results = [self.check_manifest(), self.check_field_names()]
        closed = ClosedPort()
        try:
            results.append(self.guard("render", lambda: self.check_render(closed.url)))
            network = ["session", "lookup", "consent", "lookup_not_found", "submit_idempotency", "find_submission",
                       "status", "status_not_found", "unreachable", "timeout", "malformed", "health"]
            if self.endpoint is None:
                results += [self.skipped(n, "未指定测试后端", "no endpoint given") for n in network]
            else:
                try:
                    self.main = self.adapter(self.endpoint, self.timeout_s)
                except BaseException as exc:
                    p = _Problems()
                    self.unexpected(p, "创建适配器", exc)
                    results.append(p.result("session", ""))
                    return results
                steps: dict[str, Callable[[], CheckResult]] = {
                    "session": self.check_session, "lookup": self.check_lookup, "consent": self.check_consent,
                    "lookup_not_found": self.check_lookup_not_found, "submit_idempotency": self.check_submit,
                    "find_submission": self.check_find_submission, "status": self.check_status,
                    "status_not_found": self.check_status_not_found,
                    "unreachable": lambda: self.check_unreachable(closed.url), "timeout": self.check_timeout,
                    "malformed": self.check_malformed, "health": lambda: self.check_health(closed.url),
                }
                results += [self.guard(name, steps[name]) for name in network]
            results.append(self.check_close())
        finally:
            closed.stop()
            for adapter in self.adapters:  # only left when the close check itself did not run
                try:
                    adapter.close()
                except Exception:
                    pass
        return results

    def guard(self, name: str, check: Callable[[], CheckResult]) -> CheckResult:
        """A kit-level failure (the factory refusing an endpoint, say) fails that check, not the run."""
        try:
            return check()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            p = _Problems()
            self.unexpected(p, CHECK_TITLES.get(name, name), exc)
            return p.result(name, "")


def _first_difference(a: bytes, b: bytes) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"; first difference at byte {i}: {a[max(0, i - 20):i + 20]!r} vs {b[max(0, i - 20):i + 20]!r}"
    return ""


def run_checks(adapter_factory: AdapterFactory, manifest: Manifest, *, fields: set[str], endpoint: str | None,
               sample_application: CanonicalApplication, sample_request: LookupRequest,
               timeout_s: float = 5.0, short_timeout_s: float = 0.5,
               api_version: str = API_VERSION) -> list[CheckResult]:
    """Run every contract check. ``adapter_factory(overrides)`` must return a fresh adapter configured with
    the given ``endpoint``/``timeout_s`` overrides; ``endpoint`` None runs the offline checks only."""
    return _Run(adapter_factory, manifest, fields, endpoint, sample_application, sample_request, timeout_s,
                short_timeout_s, api_version).run()


def all_passed(results: list[CheckResult]) -> bool:
    return all(r.ok for r in results)
