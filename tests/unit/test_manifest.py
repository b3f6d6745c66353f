"""Adapter manifests: the exported JSON Schema is current, and the strict check (schema + parse_manifest)
accepts every shipped manifest and names every problem of a broken one."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import jsonschema
import pytest

from adapters.api import ManifestError
from adapters.api.schema import (
    SCHEMA_PATH, decode_manifest, manifest_json_schema, render_schema, validate_manifest, validate_manifest_text,
)
from adapters.registry import read_manifest_resource

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_MANIFEST = ROOT / "adapters/examples/onewindow_example_adapter/src/onewindow_example_adapter/manifest.toml"

GOOD = {
    "id": "civil_demo", "name": "民政示例", "department": "civil_affairs", "version": "1.2.0", "api": ">=1.0,<2",
    "capabilities": ["lookup", "submit", "status"], "fields": ["person.name"], "items": ["civil.proof"],
    "factory": "civil_demo.adapter:create",
    "config": {"endpoint": {"type": "url", "required": True}, "timeout_s": {"type": "number", "default": 5}},
    "x-vendor-contact": "it@example.invalid",
}


def test_the_exported_schema_file_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), (
        f"{SCHEMA_PATH.name} is stale: run `python -m adapters.api.schema --write` and commit the file")


def test_the_schema_command_detects_a_stale_file() -> None:
    ok = subprocess.run([sys.executable, "-m", "adapters.api.schema", "--check"], cwd=ROOT,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr


def test_the_exported_schema_is_a_valid_json_schema_that_accepts_a_good_manifest() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(GOOD, schema)  # what an author's editor or CI does with the exported file
    assert validate_manifest(GOOD).id == "civil_demo"


def test_every_installed_manifest_passes_the_strict_check() -> None:
    checked = []
    for ep in metadata.entry_points(group="onewindow.adapters"):
        package, _, resource = ep.value.partition(":")
        try:
            text = read_manifest_resource(package, resource)
        except (ModuleNotFoundError, FileNotFoundError):
            continue  # a built-in still being written; the registry tests cover missing files
        validate_manifest_text(text, resource)
        checked.append(ep.name)
    assert "example_civil" in checked


@pytest.mark.parametrize("change, expected", [
    ({"capabilites": ["lookup"]}, "unknown key(s) 'capabilites'"),
    ({"id": "Civil Demo"}, "id: 'Civil Demo' does not match"),
    ({"capabilities": ["lookup", "teleport"]}, "'teleport' is not one of"),
    ({"fields": []}, "fields: [] should be non-empty"),
    ({"fields": ["Person Name"]}, "fields.0: 'Person Name' does not match"),
    ({"factory": "civil_demo.adapter"}, "factory: 'civil_demo.adapter' does not match"),
    ({"api": ">=one"}, "range not understood"),
    ({"config": {"endpoint": {"type": "uri"}}}, "config.endpoint.type: 'uri' is not one of"),
    ({"config": {"endpoint": {"type": "url", "requird": True}}}, "config.endpoint: unknown key(s) 'requird'"),
    ({"sandbox": "not a reference"}, "sandbox: 'not a reference' does not match"),
])
def test_each_kind_of_mistake_is_named(change: dict[str, object], expected: str) -> None:
    with pytest.raises(ManifestError) as info:
        validate_manifest({**GOOD, **change})
    assert any(expected in p for p in info.value.problems), info.value.problems


def test_every_problem_is_reported_at_once() -> None:
    broken = {"id": "x y", "capabilities": ["submit"], "api": ">=1.0", "colour": "blue"}
    with pytest.raises(ManifestError) as info:
        validate_manifest(broken)
    text = "\n".join(info.value.problems)
    for expected in ("'name'", "'department'", "'version'", "'factory'", "'colour'", "'x y'", "'items'"):
        assert expected in text


def test_json_and_toml_manifests_mean_the_same() -> None:
    from_toml = validate_manifest_text(EXAMPLE_MANIFEST.read_text(encoding="utf-8"), "manifest.toml")
    as_json = json.dumps(decode_manifest(EXAMPLE_MANIFEST.read_text(encoding="utf-8"), "manifest.toml"))
    assert validate_manifest_text(as_json, "manifest.json") == from_toml


@pytest.mark.parametrize("text, filename, expected", [
    ("id = [", "manifest.toml", "not valid TOML"),
    ("{", "manifest.json", "not valid JSON"),
    ("[1, 2]", "manifest.json", "top level must be a table"),
])
def test_undecodable_files_are_reported(text: str, filename: str, expected: str) -> None:
    with pytest.raises(ManifestError) as info:
        validate_manifest_text(text, filename)
    assert expected in info.value.problems[0]


def test_the_authors_guide_documents_every_manifest_key() -> None:
    guide = (ROOT / "adapters" / "README.md").read_text(encoding="utf-8")
    undocumented = [key for key in manifest_json_schema()["properties"] if f"`{key}`" not in guide]
    assert undocumented == [], "adapters/README.md 'Manifest reference' must describe every key"
