"""The plugin registry: finds adapter plugins through the ``onewindow.adapters`` entry point group, guards
the workstation against broken ones, keeps their enabled state and configuration, and imports an
adapter's code only when it is first used.

Discovery reads manifests only. Each problem (unreadable or invalid manifest, unsupported API range,
duplicate id, and later an import or factory failure) is recorded on that plugin's record with a Chinese
message and copyable details; nothing a plugin does can make discovery raise.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import importlib.util
import logging
import re
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol

from adapters.api import (
    API_VERSION, Adapter, AdapterContext, AdapterError, ConfigError, Credentials, Manifest, ManifestError,
    SessionInfo,
)
from adapters.api.manifest import ConfigOption
from adapters.api.schema import validate_manifest_text

log = logging.getLogger("onewindow.registry")

ENTRY_POINT_GROUP = "onewindow.adapters"
#: built-in adapters live here and ship in the workstation's own distribution; they are enabled by default
BUILTIN_PREFIX = "adapters.builtin."
WORKSTATION_DISTRIBUTION = "onewindow"

ErrorKind = Literal["manifest", "api_range", "import", "factory", "duplicate"]

_SECRET_NAME = re.compile(r"(password|passwd|secret|token|private_key|api_key|口令|密码|密钥)", re.IGNORECASE)
_TRUE = {"true", "1", "yes", "on", "是"}
_FALSE = {"false", "0", "no", "off", "否"}


@dataclass(frozen=True)
class PluginError:
    kind: ErrorKind
    message_zh: str
    #: copyable for a bug report: the traceback or the list of manifest problems
    details: str


@dataclass
class PluginRecord:
    id: str
    manifest: Manifest | None
    distribution: str
    version: str
    #: where the manifest came from: "distribution: package:manifest.toml"
    source: str
    error: PluginError | None
    enabled: bool
    builtin: bool = False
    #: the stored configuration (only values the administrator set; defaults come from the manifest)
    config: Mapping[str, Any] | None = None

    @property
    def usable(self) -> bool:
        return self.error is None and self.manifest is not None

    @property
    def status_zh(self) -> str:
        if self.error is not None:
            return self.error.message_zh
        return "已启用" if self.enabled else "未启用"


class RegistryError(Exception):
    """A registry operation was refused; ``message_zh`` for the administrator, ``details`` for the log."""

    def __init__(self, message_zh: str, details: str = "") -> None:
        super().__init__(details or message_zh)
        self.message_zh = message_zh
        self.details = details


class UnknownPluginError(RegistryError):
    pass


class PluginLoadError(RegistryError):
    """The plugin cannot be used: its record's error (manifest, API range, import, factory, duplicate)."""

    def __init__(self, adapter_id: str, error: PluginError) -> None:
        super().__init__(error.message_zh, error.details)
        self.adapter_id = adapter_id
        self.error = error


class PluginConfigError(RegistryError):
    def __init__(self, adapter_id: str, problems: list[str]) -> None:
        super().__init__(f"插件 {adapter_id} 的配置有误：" + "；".join(problems), "\n".join(problems))
        self.problems = problems


class StateStore(Protocol):
    """Where enabled flags and configuration persist (the database in the workstation)."""

    def get_all(self) -> dict[str, tuple[bool, dict[str, Any]]]: ...

    def set_enabled(self, adapter_id: str, enabled: bool, by: str) -> None: ...

    def set_config(self, adapter_id: str, config: dict[str, Any], by: str) -> None: ...


class InMemoryStateStore:
    """A StateStore for tests and one-off tools; nothing survives the process. Like the database store,
    a first ``set_config`` creates the entry switched on (the registry pins the flag before configuring)."""

    def __init__(self) -> None:
        self._state: dict[str, tuple[bool, dict[str, Any]]] = {}
        self.changes: list[tuple[str, str, str]] = []  # (adapter_id, what, by): who changed what

    def get_all(self) -> dict[str, tuple[bool, dict[str, Any]]]:
        return {k: (v[0], dict(v[1])) for k, v in self._state.items()}

    def set_enabled(self, adapter_id: str, enabled: bool, by: str) -> None:
        self._state[adapter_id] = (enabled, self._state.get(adapter_id, (True, {}))[1])
        self.changes.append((adapter_id, "enabled" if enabled else "disabled", by))

    def set_config(self, adapter_id: str, config: dict[str, Any], by: str) -> None:
        self._state[adapter_id] = (self._state.get(adapter_id, (True, {}))[0], dict(config))
        self.changes.append((adapter_id, "configured", by))

    def stored_config(self, adapter_id: str) -> dict[str, Any]:
        return dict(self._state.get(adapter_id, (True, {}))[1])


def read_manifest_resource(package: str, resource: str) -> str:
    """The manifest text, read without running the package's ``__init__`` when it lives on disk.

    ``importlib.util.find_spec`` imports the parent packages only; ``importlib.resources.files`` (the
    fallback for zipped or unusual installs) imports the package itself, which is why adapter packages
    keep their ``__init__.py`` free of code.
    """
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise ModuleNotFoundError(f"package {package!r} not found", name=package)
    for location in spec.submodule_search_locations or ():
        candidate = Path(location, *resource.split("/"))
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return resources.files(package).joinpath(resource).read_text(encoding="utf-8")


def _coerce(option: ConfigOption, value: Any) -> Any:
    """Values typed on a command line arrive as text; give them the manifest's type."""
    if not isinstance(value, str) or option.type in ("string", "url", "path", "secret_ref"):
        return value
    text = value.strip()
    if option.type == "boolean":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"{option.name} 应为 是/否（true/false），不能是 '{value}'")
    try:
        return int(text) if option.type == "integer" else float(text)
    except ValueError:
        raise ValueError(f"{option.name} 应为{'整数' if option.type == 'integer' else '数字'}，不能是 '{value}'") from None


def _type_problem(option: ConfigOption, value: Any) -> str | None:
    if value is None:
        return None
    expected: dict[str, tuple[type, ...]] = {
        "string": (str,), "url": (str,), "path": (str,), "secret_ref": (str,), "boolean": (bool,),
        "integer": (int,), "number": (int, float),
    }
    types = expected.get(option.type, (object,))
    if isinstance(value, bool) and option.type != "boolean":
        return f"{option.name} 应为 {option.type}，不能是 {value!r}"
    if not isinstance(value, types):
        return f"{option.name} 应为 {option.type}，不能是 {value!r}"
    if option.type == "url" and not re.match(r"^https?://[^\s/]+", value):
        return f"{option.name} 应为 http(s):// 开头的地址，不能是 {value!r}"
    if option.type == "secret_ref" and not value.startswith("keyring:"):
        return f"{option.name} 只能填写钥匙串引用（keyring:名称），不能直接填写密钥"
    return None


class AdapterRegistry:
    """Discovers adapter plugins and creates adapters. Thread-safe; build one per workstation (no global)."""

    def __init__(self, entry_point_group: str = ENTRY_POINT_GROUP, state: StateStore | None = None,
                 api_version: str = API_VERSION) -> None:
        self.entry_point_group = entry_point_group
        self.state: StateStore = state if state is not None else InMemoryStateStore()
        self.api_version = api_version
        self._records: dict[str, PluginRecord] = {}
        self._factories: dict[str, Callable[[AdapterContext], Adapter]] = {}
        #: ids with a stored state; the others follow the built-in/third-party default
        self._persisted: set[str] = set()
        self._lock = threading.RLock()

    # -- discovery --------------------------------------------------------------------------------
    def discover(self) -> list[PluginRecord]:
        """Read every manifest of the group again (after an install or upgrade). Never raises."""
        try:
            eps = sorted(metadata.entry_points(group=self.entry_point_group),
                         key=lambda ep: (ep.dist.name if ep.dist else "", ep.name))
        except Exception:  # a corrupt installed distribution must not stop the workstation
            log.exception("listing entry points of %s failed", self.entry_point_group)
            eps = []
        try:
            stored = self.state.get_all()
        except Exception:
            log.exception("reading adapter state failed; using defaults")
            stored = {}
        records: dict[str, PluginRecord] = {}
        for rec in sorted((self._read_guarded(ep) for ep in eps),
                          key=lambda r: (not r.builtin, r.distribution, r.source)):
            rec.enabled, rec.config = self._state_of(rec, stored)
            key = rec.id
            if key in records:
                first = records[key]
                rec.error = rec.error or PluginError(
                    "duplicate", f"插件编号 {rec.id} 与已安装的 {first.distribution} 重复，已忽略",
                    f"adapter id {rec.id!r} from {rec.source} duplicates {first.source}; the first one is kept")
                key = f"{rec.id}@{rec.distribution}"
                n = 2
                while key in records:
                    key, n = f"{rec.id}@{rec.distribution}#{n}", n + 1
                rec.enabled = False
            records[key] = rec
        with self._lock:
            self._records = records
            self._factories.clear()
            self._persisted = set(stored)
        for rec in records.values():
            if rec.error is not None:
                log.info("adapter plugin %s (%s): %s: %s", rec.id, rec.source, rec.error.kind,
                         rec.error.details.splitlines()[0] if rec.error.details else "")
        return list(records.values())

    def _read_guarded(self, ep: metadata.EntryPoint) -> PluginRecord:
        try:
            return self._read(ep)
        except Exception:  # corrupt distribution metadata, say; report it like any broken plugin
            return PluginRecord(ep.name, None, "(unreadable distribution)", "", ep.value,
                                PluginError("manifest", "插件安装信息损坏，无法读取", traceback.format_exc()), False)

    def _read(self, ep: metadata.EntryPoint) -> PluginRecord:
        dist_name = ep.dist.name if ep.dist else "(unknown distribution)"
        dist_version = ep.dist.version if ep.dist else ""
        source = f"{dist_name}: {ep.value}"
        package, sep, resource = ep.value.partition(":")
        # only the workstation's own distribution ships built-ins (enabled by default)
        builtin = package.startswith(BUILTIN_PREFIX) and dist_name == WORKSTATION_DISTRIBUTION

        def failed(kind: ErrorKind, zh: str, details: str) -> PluginRecord:
            return PluginRecord(ep.name, None, dist_name, dist_version, source, PluginError(kind, zh, details),
                                False, builtin)

        if not sep or not resource.endswith((".toml", ".json")):
            return failed("manifest", "插件入口没有指向清单文件（应为 包名:manifest.toml）",
                          f"entry point {ep.name} = {ep.value!r} must be 'package:manifest.toml' or '...json'")
        try:
            text = read_manifest_resource(package.strip(), resource.strip())
        except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError) as exc:
            return failed("manifest", "找不到插件清单文件", f"{source}: {exc.__class__.__name__}: {exc}")
        except Exception:
            return failed("import", "读取插件清单时插件包出错", traceback.format_exc())
        try:
            manifest = validate_manifest_text(text, resource)
        except ManifestError as exc:
            return failed("manifest", f"插件清单有 {len(exc.problems)} 处错误",
                          f"{source}\n" + "\n".join(f"- {p}" for p in exc.problems))
        rec = PluginRecord(manifest.id, manifest, dist_name, manifest.version, source, None, False, builtin)
        if not manifest.compatible_with(self.api_version):
            rec.error = PluginError(
                "api_range", f"插件要求的接口版本（{manifest.api}）与本机接口版本 {self.api_version} 不兼容",
                f"{source}: manifest api range {manifest.api!r} excludes API_VERSION {self.api_version}")
        return rec

    @staticmethod
    def _state_of(rec: PluginRecord, stored: Mapping[str, tuple[bool, dict[str, Any]]]) -> tuple[bool, dict[str, Any]]:
        if rec.id in stored:
            enabled, config = stored[rec.id]
            return bool(enabled), dict(config or {})
        # built-ins ship with the workstation; a third party waits for an administrator's decision
        return rec.builtin, {}

    # -- queries ------------------------------------------------------------------------------------
    def records(self) -> list[PluginRecord]:
        with self._lock:
            return list(self._records.values())

    def get(self, adapter_id: str) -> PluginRecord:
        with self._lock:
            rec = self._records.get(adapter_id)
        if rec is None:
            raise UnknownPluginError(f"没有编号为 {adapter_id} 的插件", f"no adapter plugin with id {adapter_id!r}")
        return rec

    def enabled(self) -> list[PluginRecord]:
        return [r for r in self.records() if r.enabled and r.usable]

    # -- administration -----------------------------------------------------------------------------
    def enable(self, adapter_id: str, by: str) -> PluginRecord:
        rec = self.get(adapter_id)
        if rec.error is not None and rec.error.kind in ("manifest", "api_range", "duplicate"):
            raise PluginLoadError(adapter_id, rec.error)
        self.state.set_enabled(rec.id, True, by)
        self._persisted.add(rec.id)
        rec.enabled = True
        log.info("adapter %s enabled by %s", rec.id, by)
        return rec

    def disable(self, adapter_id: str, by: str) -> PluginRecord:
        rec = self.get(adapter_id)
        self.state.set_enabled(rec.id, False, by)
        self._persisted.add(rec.id)
        rec.enabled = False
        log.info("adapter %s disabled by %s", rec.id, by)
        return rec

    def configure(self, adapter_id: str, config: Mapping[str, Any], by: str) -> dict[str, Any]:
        """Merge ``config`` into the stored values (``None`` resets an option to its default), validate the
        result against the manifest and store it. Returns the effective configuration, defaults filled in."""
        rec = self.get(adapter_id)
        if rec.manifest is None:
            raise PluginLoadError(adapter_id, rec.error or PluginError("manifest", "插件清单不可用", ""))
        manifest = rec.manifest
        merged = dict(rec.config or {})
        problems: list[str] = []
        for key, value in config.items():
            option = manifest.option(key)
            if _SECRET_NAME.search(key) and (option is None or option.type != "secret_ref"):
                # the database and the settings never hold a secret: those live in the OS keyring
                problems.append(f"{key} 看起来是密钥，不能写入配置；账号口令请在账号管理中录入（保存在系统钥匙串）")
                continue
            if value is None or value == "":
                merged.pop(key, None)
                continue
            if option is not None:
                try:
                    value = _coerce(option, value)
                except ValueError as exc:
                    problems.append(str(exc))
                    continue
            merged[key] = value
        effective = self._effective(rec.id, manifest, merged, problems)
        if rec.id not in self._persisted:
            # pin the default first: a store may otherwise create the row switched on, and configuring
            # a third-party plugin must not enable it
            self.state.set_enabled(rec.id, rec.enabled, by)
            self._persisted.add(rec.id)
        self.state.set_config(rec.id, merged, by)
        rec.config = merged
        log.info("adapter %s configured by %s: %s", rec.id, by, sorted(merged))
        return effective

    def effective_config(self, adapter_id: str) -> dict[str, Any]:
        """The stored values with the manifest's defaults filled in (for display; nothing is validated)."""
        rec = self.get(adapter_id)
        if rec.manifest is None:
            return dict(rec.config or {})
        stored = rec.config or {}
        return {o.name: stored.get(o.name, o.default) for o in rec.manifest.config}

    def _effective(self, adapter_id: str, manifest: Manifest, values: Mapping[str, Any],
                   problems: list[str]) -> dict[str, Any]:
        problems = list(problems)
        effective: dict[str, Any] = {}
        try:
            effective = manifest.resolve_config(values)
        except ManifestError as exc:
            problems += exc.problems
        for option in manifest.config:
            problem = _type_problem(option, values.get(option.name, option.default))
            if problem:
                problems.append(problem)
        if problems:
            raise PluginConfigError(adapter_id, problems)
        return effective

    # -- use ------------------------------------------------------------------------------------------
    def create(self, adapter_id: str, credentials: Callable[[], Credentials],
               config_overrides: Mapping[str, Any] | None = None,
               on_session_change: Callable[[SessionInfo], None] | None = None, *,
               allow_disabled: bool = False, logger: logging.Logger | None = None) -> Adapter:
        """A new adapter instance. Imports the plugin's factory module on first use.

        Raises PluginLoadError (broken or disabled plugin: ``message_zh``/``details``), or ConfigError
        (an AdapterError, so the host treats it as that department's failure) for a bad configuration.
        ``allow_disabled`` is for the conformance kit, which checks a plugin before it is enabled.
        """
        rec = self.get(adapter_id)
        if rec.error is not None or rec.manifest is None:
            raise PluginLoadError(rec.id, rec.error or PluginError("manifest", "插件清单不可用", ""))
        if not rec.enabled and not allow_disabled:
            raise PluginLoadError(rec.id, PluginError("manifest", f"插件 {rec.id} 未启用，请管理员先启用",
                                                      f"adapter {rec.id} is disabled"))
        manifest = rec.manifest
        values = {**(rec.config or {}), **{k: v for k, v in (config_overrides or {}).items() if v is not None}}
        try:
            config = self._effective(rec.id, manifest, values, [])
        except PluginConfigError as exc:
            raise ConfigError("; ".join(exc.problems), message_zh=exc.message_zh, adapter_id=rec.id) from None
        factory = self._factory(rec)
        context = AdapterContext(manifest=manifest, config=config, credentials=credentials,
                                 logger=logger or logging.getLogger(f"onewindow.adapter.{rec.id}"),
                                 on_session_change=on_session_change)
        try:
            adapter = factory(context)
        except AdapterError:
            raise  # a configuration the adapter refuses is not a broken plugin
        except Exception:
            self._fail(rec, PluginError("factory", f"插件 {rec.id} 初始化失败", traceback.format_exc()))
        if not isinstance(adapter, Adapter):
            self._fail(rec, PluginError("factory", f"插件 {rec.id} 的工厂没有返回适配器",
                                        f"{manifest.factory} returned {type(adapter).__name__}, not an Adapter"))
        return adapter

    def _factory(self, rec: PluginRecord) -> Callable[[AdapterContext], Adapter]:
        assert rec.manifest is not None
        with self._lock:
            cached = self._factories.get(rec.id)
            if cached is not None:
                return cached
            module_name, _, attr = rec.manifest.factory.partition(":")
            try:
                module = importlib.import_module(module_name)
            except (Exception, SystemExit):  # not KeyboardInterrupt: that one is the user's
                self._fail(rec, PluginError("import", f"插件 {rec.id} 的代码无法加载", traceback.format_exc()))
            factory = getattr(module, attr, None)
            if not callable(factory):
                self._fail(rec, PluginError("import", f"插件 {rec.id} 的代码中找不到工厂 {attr}",
                                            f"{module_name} has no callable {attr!r} (manifest factory "
                                            f"{rec.manifest.factory!r})"))
            self._factories[rec.id] = factory
            return factory

    def _fail(self, rec: PluginRecord, error: PluginError) -> Any:
        """Remember the failure on the record (the admin screen shows it) and raise it."""
        log.error("adapter plugin %s: %s\n%s", rec.id, error.kind, error.details)
        with self._lock:
            rec.error = error
        raise PluginLoadError(rec.id, error)

