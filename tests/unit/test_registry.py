"""The plugin registry: discovery reads manifests only, each broken plugin is reported on its own record
and never stops the others, code is imported on first use, and state persists through the StateStore."""

from __future__ import annotations

import importlib
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adapters.api import ConfigError, Credentials
from adapters.registry import (
    AdapterRegistry, InMemoryStateStore, PluginConfigError, PluginLoadError, StateStore, UnknownPluginError,
)
from plugin_dists import make_plugin_dist, manifest_toml

CREDS = Credentials("clerk01", "not-used")


@dataclass
class Plugins:
    root: Path
    tag: str
    group: str
    packages: list[str] = field(default_factory=list)

    def add(self, adapter_id: str, manifest: str | None = "default", *, dist: str | None = None,
            **kw: object) -> str:
        package = f"{adapter_id}_{self.tag}_{len(self.packages)}"
        text = manifest_toml(adapter_id, package) if manifest == "default" else manifest
        kw.setdefault("entry_name", adapter_id)
        make_plugin_dist(self.root, dist or f"ow-test-{package}", package, text, group=self.group, **kw)  # type: ignore[arg-type]
        self.packages.append(package)
        return package

    def registry(self, state: StateStore | None = None, api_version: str = "1.0.0") -> AdapterRegistry:
        importlib.invalidate_caches()
        registry = AdapterRegistry(self.group, state if state is not None else InMemoryStateStore(), api_version)
        registry.discover()
        return registry


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Plugins]:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    tag = uuid.uuid4().hex[:8]
    made = Plugins(root, tag, f"onewindow.adapters.test_{tag}")
    yield made
    for name in [m for m in sys.modules if any(m.split(".")[0] == p for p in made.packages)]:
        del sys.modules[name]


def test_discovery_reads_the_manifest_without_running_any_plugin_code(plugins: Plugins) -> None:
    # the package's __init__ would blow up: discovery must not need it
    package = plugins.add("good_one", init_source="raise RuntimeError('imported at discovery')\n")
    [record] = plugins.registry().records()
    assert record.error is None
    assert record.manifest is not None and record.manifest.name == "测试插件 good_one"
    assert (record.id, record.distribution, record.version) == ("good_one", f"ow-test-{package}", "0.3.0")
    assert f"{package}:manifest.toml" in record.source
    assert package not in sys.modules and f"{package}.adapter" not in sys.modules


def test_third_party_plugins_start_disabled_until_an_administrator_enables_them(plugins: Plugins) -> None:
    plugins.add("third_party")
    registry = plugins.registry()
    assert registry.get("third_party").enabled is False
    assert registry.enabled() == []
    with pytest.raises(PluginLoadError) as info:
        registry.create("third_party", lambda: CREDS)
    assert "未启用" in info.value.message_zh


def test_a_broken_manifest_is_reported_on_its_record_and_the_others_still_load(plugins: Plugins) -> None:
    plugins.add("fine")
    plugins.add("not_toml", 'id = "not_toml"\nname = [unclosed\n')
    plugins.add("bad_keys", 'id = "Bad Id"\ncapabilites = ["lookup"]\napi = ">=1.0"\n')
    plugins.add("no_file", None)
    records = {r.id: r for r in plugins.registry().records()}

    assert records["fine"].error is None
    for rid in ("not_toml", "bad_keys", "no_file"):
        error = records[rid].error
        assert error is not None and error.kind == "manifest", rid
        assert records[rid].manifest is None and records[rid].enabled is False
    assert "not valid TOML" in records["not_toml"].error.details  # type: ignore[union-attr]
    details = records["bad_keys"].error.details  # type: ignore[union-attr]
    # every problem at once, so the author fixes them in one go
    for expected in ("missing required key 'name'", "'capabilites'", "'Bad Id'", "missing required key 'factory'"):
        assert expected in details
    assert "找不到插件清单" in records["no_file"].error.message_zh  # type: ignore[union-attr]


def test_an_entry_point_that_names_code_instead_of_a_manifest_is_reported(plugins: Plugins) -> None:
    package = plugins.add("old_style", entry_value="whatever.module:factory")
    [record] = plugins.registry().records()
    assert record.error is not None and record.error.kind == "manifest"
    assert "package:manifest.toml" in record.error.details
    assert package not in sys.modules


def test_an_incompatible_api_range_keeps_the_manifest_but_blocks_use(plugins: Plugins) -> None:
    package = f"future_{plugins.tag}_0"
    plugins.add("future", manifest_toml("future", package, api=">=2.0,<3"))
    registry = plugins.registry()
    record = registry.get("future")
    assert record.error is not None and record.error.kind == "api_range"
    assert record.manifest is not None  # the admin screen can still show its name
    assert ">=2.0,<3" in record.error.message_zh and "1.0.0" in record.error.message_zh
    with pytest.raises(PluginLoadError):
        registry.enable("future", by="admin")
    with pytest.raises(PluginLoadError) as info:
        registry.create("future", lambda: CREDS, allow_disabled=True)
    assert info.value.error.kind == "api_range"
    assert f"{package}.adapter" not in sys.modules


def test_an_adapter_that_raises_on_import_becomes_an_import_error_with_its_traceback(plugins: Plugins) -> None:
    plugins.add("explodes", adapter_source="raise ImportError('vendor library libgov.so not found')\n")
    plugins.add("fine")
    registry = plugins.registry()
    assert registry.get("explodes").error is None  # discovery never imports code

    with pytest.raises(PluginLoadError) as info:
        registry.create("explodes", lambda: CREDS, allow_disabled=True)
    assert info.value.error.kind == "import"
    assert "无法加载" in info.value.message_zh
    assert "libgov.so not found" in info.value.details and "Traceback" in info.value.details
    assert registry.get("explodes").error == info.value.error  # the admin screen shows it from now on
    assert registry.create("fine", lambda: CREDS, allow_disabled=True).id == "fine"


def test_a_factory_that_raises_or_returns_junk_becomes_a_factory_error(plugins: Plugins) -> None:
    plugins.add("raises", adapter_source="def create(context):\n    raise ValueError('boom in factory')\n")
    plugins.add("junk", adapter_source="def create(context):\n    return object()\n")
    plugins.add("missing", adapter_source="x = 1\n")
    registry = plugins.registry()
    for rid, kind, text in (("raises", "factory", "boom in factory"), ("junk", "factory", "not an Adapter"),
                            ("missing", "import", "no callable 'create'")):
        with pytest.raises(PluginLoadError) as info:
            registry.create(rid, lambda: CREDS, allow_disabled=True)
        assert info.value.error.kind == kind, rid
        assert text in info.value.details, rid


def test_duplicate_ids_keep_the_first_distribution_and_flag_the_second(plugins: Plugins) -> None:
    plugins.add("twin", dist="aaa-first")
    plugins.add("twin", dist="zzz-second")
    records = plugins.registry().records()
    first, second = sorted(records, key=lambda r: r.distribution)
    assert first.error is None and first.distribution == "aaa-first"
    assert second.error is not None and second.error.kind == "duplicate"
    assert "aaa-first" in second.error.message_zh
    assert plugins.registry().get("twin").distribution == "aaa-first"


def test_enabled_state_persists_through_the_state_store(plugins: Plugins) -> None:
    plugins.add("persisted")
    store = InMemoryStateStore()
    plugins.registry(store).enable("persisted", by="admin01")

    again = plugins.registry(store)
    assert again.get("persisted").enabled is True
    assert [r.id for r in again.enabled()] == ["persisted"]
    again.disable("persisted", by="admin02")
    assert plugins.registry(store).get("persisted").enabled is False
    assert store.changes == [("persisted", "enabled", "admin01"), ("persisted", "disabled", "admin02")]


def test_built_in_adapters_are_enabled_by_default() -> None:
    records = AdapterRegistry(state=InMemoryStateStore()).discover()
    builtins = [r for r in records if r.builtin]
    assert builtins, "the workstation's own distribution declares the built-in adapters"
    assert all(r.enabled for r in builtins)
    assert {r.distribution for r in builtins} == {"onewindow"}


def test_configure_validates_coerces_and_persists(plugins: Plugins) -> None:
    plugins.add("configurable")
    store = InMemoryStateStore()
    registry = plugins.registry(store)
    effective = registry.configure("configurable", {"timeout_s": "2.5", "retries": "4",
                                                    "endpoint": "http://10.0.0.8:8080"}, by="admin")
    assert effective == {"endpoint": "http://10.0.0.8:8080", "timeout_s": 2.5, "retries": 4}
    assert store.stored_config("configurable") == {"endpoint": "http://10.0.0.8:8080", "timeout_s": 2.5,
                                                   "retries": 4}
    # configuring must not switch a third-party plugin on behind the administrator's back
    assert plugins.registry(store).get("configurable").enabled is False

    registry.enable("configurable", by="admin")
    adapter = plugins.registry(store).create("configurable", lambda: CREDS, {"timeout_s": 1.0})
    assert adapter.context.config["timeout_s"] == 1.0  # an override wins over the stored value
    assert adapter.context.config["retries"] == 4

    registry.configure("configurable", {"retries": None}, by="admin")  # back to the manifest default
    assert registry.get("configurable").config == {"endpoint": "http://10.0.0.8:8080", "timeout_s": 2.5}


@pytest.mark.parametrize("values, expected", [
    ({"colour": "blue"}, "未知配置项 colour"),
    ({"timeout_s": "soon"}, "timeout_s 应为数字"),
    ({"endpoint": "ftp://files"}, "http(s)://"),
    ({"client_secret": "s3cr3t"}, "client_secret 看起来是密钥"),
    ({"password": "hunter2"}, "password 看起来是密钥"),
])
def test_configure_refuses_bad_values_and_secrets_without_storing_anything(
        plugins: Plugins, values: dict[str, str], expected: str) -> None:
    plugins.add("strict")
    store = InMemoryStateStore()
    registry = plugins.registry(store)
    with pytest.raises(PluginConfigError) as info:
        registry.configure("strict", values, by="admin")
    assert expected in info.value.message_zh
    assert store.changes == []
    assert "s3cr3t" not in info.value.message_zh + info.value.details


def test_a_bad_stored_configuration_fails_create_as_a_config_error(plugins: Plugins) -> None:
    plugins.add("misconfigured")
    store = InMemoryStateStore()
    store.set_config("misconfigured", {"endpoint": "not a url"}, by="someone-else")
    with pytest.raises(ConfigError) as info:
        plugins.registry(store).create("misconfigured", lambda: CREDS, allow_disabled=True)
    assert "endpoint" in info.value.message_zh


def test_unknown_ids_are_refused_readably(plugins: Plugins) -> None:
    registry = plugins.registry()
    with pytest.raises(UnknownPluginError) as info:
        registry.enable("nobody", by="admin")
    assert "nobody" in info.value.message_zh


def test_discovery_survives_a_state_store_that_fails(plugins: Plugins) -> None:
    class BrokenStore(InMemoryStateStore):
        def get_all(self) -> dict[str, tuple[bool, dict[str, object]]]:
            raise OSError("database is locked")

    plugins.add("survivor")
    assert [r.id for r in plugins.registry(BrokenStore()).records()] == ["survivor"]


def test_state_persists_in_the_database_shared_by_every_counter(plugins: Plugins, db: object) -> None:
    from desktop.adapter_host import DbStateStore

    plugins.add("shared")
    plugins.add("configured_only")
    counter_1 = plugins.registry(DbStateStore(db))  # type: ignore[arg-type]
    counter_1.enable("shared", by="admin01")
    counter_1.configure("configured_only", {"timeout_s": "3"}, by="admin01")

    counter_2 = plugins.registry(DbStateStore(db))  # type: ignore[arg-type]
    assert counter_2.get("shared").enabled is True
    assert counter_2.get("configured_only").enabled is False  # configured, still waiting to be enabled
    assert counter_2.get("configured_only").config == {"timeout_s": 3.0}
    counter_2.disable("shared", by="admin02")
    assert plugins.registry(DbStateStore(db)).enabled() == []  # type: ignore[arg-type]
