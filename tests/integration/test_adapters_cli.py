"""`python main.py adapters ...` as an IT administrator runs it: real processes, a real SQLite database in
the test's home, plugins found through real entry points."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from adapters.api.schema import SCHEMA_PATH
from adapters.registry import AdapterRegistry, InMemoryStateStore
from plugin_dists import make_plugin_dist, manifest_toml

ROOT = Path(__file__).resolve().parents[2]
BUILTIN_IDS = sorted(r.id for r in AdapterRegistry(state=InMemoryStateStore()).discover() if r.builtin)

MISBEHAVING = '''
import dataclasses
import json
import time
import uuid

from onewindow_example_adapter.adapter import CivilAffairsAdapter


class Misbehaving(CivilAffairsAdapter):
    def render(self, application):
        p = super().render(application)
        body = {**json.loads(p.body), "rendered_at": time.perf_counter_ns()}  # the wall clock leaks in
        return dataclasses.replace(p, body=json.dumps(body).encode())

    def submit(self, payload, idempotency_key):
        return super().submit(payload, idempotency_key + uuid.uuid4().hex)


def create(context):
    return Misbehaving(context)
'''


def adapters_cli(*args: str, pythonpath: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "QT_QPA_PLATFORM": "offscreen"}
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "main.py", "adapters", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def example_manifest(adapter_id: str, package: str) -> str:
    text = (resources.files("onewindow_example_adapter") / "manifest.toml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("sandbox")]
    return "\n".join(lines).replace('id = "example_civil"', f'id = "{adapter_id}"').replace(
        "onewindow_example_adapter.adapter:create_adapter", f"{package}.adapter:create") + "\n"


def test_list_shows_each_plugin_with_its_state_and_ids_prints_one_a_line() -> None:
    table = adapters_cli("list")
    assert table.returncode == 0, table.stderr
    header, *rows = table.stdout.splitlines()
    assert header.split() == ["编号", "名称", "部门", "版本", "启用", "状态"]
    example = next(r for r in rows if r.startswith("example_civil"))
    assert example.split()[1:6] == ["民政婚姻登记（示例）", "civil_affairs", "1.0.0", "否", "正常"]

    ids = adapters_cli("list", "--ids")
    assert ids.returncode == 0
    assert set(ids.stdout.split("\n")[:-1]) >= {"example_civil", *BUILTIN_IDS}
    assert all(line and " " not in line for line in ids.stdout.splitlines())


def test_enable_disable_and_configure_persist_in_the_database() -> None:
    enabled = adapters_cli("enable", "example_civil", "--by", "it_admin")
    assert enabled.returncode == 0 and "已启用" in enabled.stdout
    assert "  是  " in next(r for r in adapters_cli("list").stdout.splitlines() if r.startswith("example_civil"))

    configured = adapters_cli("configure", "example_civil", "timeout_s=3", "endpoint=http://10.1.2.3:8443")
    assert configured.returncode == 0, configured.stderr
    shown = adapters_cli("configure", "example_civil").stdout  # no pairs: show the stored configuration
    assert "timeout_s = 3.0" in shown and "endpoint = http://10.1.2.3:8443" in shown

    assert adapters_cli("disable", "example_civil").returncode == 0
    assert "  否  " in next(r for r in adapters_cli("list").stdout.splitlines() if r.startswith("example_civil"))


def test_configure_refuses_bad_values_and_secrets_readably() -> None:
    refused = adapters_cli("configure", "example_civil", "timeout_s=soon", "app_secret=s3cr3t")
    assert refused.returncode == 1
    assert "timeout_s 应为数字" in refused.stderr and "app_secret 看起来是密钥" in refused.stderr
    assert "s3cr3t" not in refused.stderr + refused.stdout
    assert "timeout_s = 10.0" in adapters_cli("configure", "example_civil").stdout  # nothing was stored


def test_checking_an_unknown_id_fails_readably() -> None:
    done = adapters_cli("check", "no_such_adapter")
    assert done.returncode == 1
    assert "没有编号为 no_such_adapter 的插件" in done.stderr


def test_validate_accepts_the_example_and_lists_every_problem_of_a_broken_manifest(tmp_path: Path) -> None:
    good = ROOT / "adapters/examples/onewindow_example_adapter/src/onewindow_example_adapter/manifest.toml"
    done = adapters_cli("validate", str(good))
    assert done.returncode == 0 and "清单有效：example_civil" in done.stdout

    broken = tmp_path / "manifest.toml"
    broken.write_text(manifest_toml("shoes", "shoes").replace('"person.name"', '"person.shoe_size"')
                      .replace('api = ">=1.0,<2"', 'api = ">=2.0"'), encoding="utf-8")
    done = adapters_cli("validate", str(broken))
    assert done.returncode == 1
    assert "不能部署" in done.stderr
    assert "'person.shoe_size' is not in the canonical field dictionary" in done.stderr
    assert "excludes this workstation's API_VERSION" in done.stderr


def test_schema_prints_the_exported_schema() -> None:
    done = adapters_cli("schema")
    assert done.returncode == 0
    assert done.stdout == SCHEMA_PATH.read_text(encoding="utf-8")


def test_check_reports_an_adapter_that_cannot_be_imported(tmp_path: Path) -> None:
    make_plugin_dist(tmp_path, "ow-broken-import", "ow_broken_import", manifest_toml("broken_import", "ow_broken_import"),
                     entry_name="broken_import",
                     adapter_source="raise RuntimeError('vendor SDK missing: libcivil.so')\n")
    done = adapters_cli("check", "broken_import", "--endpoint", "http://127.0.0.1:9", pythonpath=tmp_path)
    assert done.returncode == 1
    assert "[FAIL] load" in done.stdout
    assert "插件 broken_import 的代码无法加载" in done.stdout
    assert "vendor SDK missing: libcivil.so" in done.stdout  # the traceback, to copy into a bug report


def test_check_fails_readably_for_a_misbehaving_adapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from onewindow_example_adapter.server import CivilAffairsServer

    make_plugin_dist(tmp_path, "ow-misbehaving", "ow_misbehaving", example_manifest("misbehaving", "ow_misbehaving"),
                     entry_name="misbehaving", adapter_source=MISBEHAVING)
    without_endpoint = adapters_cli("check", "misbehaving", pythonpath=tmp_path)
    assert without_endpoint.returncode == 1
    assert "请用 --endpoint 指定测试地址" in without_endpoint.stdout

    with CivilAffairsServer() as server:
        monkeypatch.setenv("ONEWINDOW_CHECK_SECRET", server.accounts["civil_demo"])
        done = adapters_cli("check", "misbehaving", "--endpoint", server.url, "--account", "civil_demo",
                            pythonpath=tmp_path)
    assert done.returncode == 1, done.stdout
    out = done.stdout
    assert "[FAIL] render 报文生成确定且不联网: 同一申请两次生成的报文不一致" in out
    assert "不同的受理编号（部门会重复受理）" in out
    failed = {line.split()[1] for line in out.splitlines() if line.startswith("[FAIL]")}
    assert failed == {"render", "submit_idempotency", "find_submission"}
    assert "[PASS] lookup" in out  # what works is still shown as working
    assert out.splitlines()[-1].startswith("3 项未通过")


@pytest.mark.parametrize("adapter_id", BUILTIN_IDS)
def test_check_passes_for_each_built_in_adapter_against_its_sandbox(adapter_id: str) -> None:
    done = adapters_cli("check", adapter_id)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "全部通过" in done.stdout.splitlines()[-1]
