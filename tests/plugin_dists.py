"""Throwaway adapter plugin distributions for registry and CLI tests: a dist-info folder with
entry_points.txt and a package beside it, in a directory the test puts on sys.path (or PYTHONPATH).
No pip involved; importlib.metadata finds them exactly as it finds an installed wheel."""

from __future__ import annotations

import textwrap
from pathlib import Path

#: the smallest adapter that satisfies the ABC; what it answers does not matter to registry tests
TINY_ADAPTER = '''
from adapters.api import Adapter, HealthResult, SessionInfo, SessionState


class TinyAdapter(Adapter):
    def open_session(self):
        return SessionInfo(SessionState.CONNECTED)

    def session_info(self):
        return SessionInfo(SessionState.CONNECTED)

    def lookup(self, request):
        raise NotImplementedError

    def render(self, application):
        raise NotImplementedError

    def submit(self, payload, idempotency_key):
        raise NotImplementedError

    def find_submission(self, idempotency_key):
        return None

    def status(self, department_ref):
        raise NotImplementedError

    def health(self):
        return HealthResult(True, 0.0)


def create(context):
    return TinyAdapter(context)
'''


def manifest_toml(adapter_id: str, package: str, *, api: str = ">=1.0,<2", factory: str | None = None,
                  extra: str = "") -> str:
    return textwrap.dedent(f'''\
        id = "{adapter_id}"
        name = "测试插件 {adapter_id}"
        department = "test_department"
        version = "0.3.0"
        api = "{api}"
        capabilities = ["lookup", "health"]
        fields = ["person.name"]
        factory = "{factory or package + '.adapter:create'}"

        [config.endpoint]
        type = "url"
        required = true
        default = "http://127.0.0.1:9"

        [config.timeout_s]
        type = "number"
        default = 10.0

        [config.retries]
        type = "integer"
        default = 2
        ''') + extra


def make_plugin_dist(root: Path, dist: str, package: str, manifest: str | None, *,
                     group: str = "onewindow.adapters", entry_name: str | None = None,
                     entry_value: str | None = None, manifest_name: str = "manifest.toml",
                     adapter_source: str = TINY_ADAPTER, init_source: str = "") -> Path:
    """Write one distribution ``dist`` 1.0 whose entry point in ``group`` names ``package:manifest_name``."""
    # as wheels do: the folder name escapes '-', which importlib.metadata reads as the name/version separator
    info = root / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8")
    value = entry_value or f"{package}:{manifest_name}"
    (info / "entry_points.txt").write_text(f"[{group}]\n{entry_name or package} = {value}\n", encoding="utf-8")
    pkg = root / package
    pkg.mkdir()
    (pkg / "__init__.py").write_text(init_source, encoding="utf-8")
    (pkg / "adapter.py").write_text(adapter_source, encoding="utf-8")
    if manifest is not None:
        (pkg / manifest_name).write_text(manifest, encoding="utf-8")
    return pkg
