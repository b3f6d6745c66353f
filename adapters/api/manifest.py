"""Adapter manifests are data (TOML or JSON). Discovery reads them without importing adapter code."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .version import version_in_range

CAPABILITIES = ("lookup", "submit", "status", "health")
CONFIG_TYPES = ("string", "url", "number", "integer", "boolean", "path", "secret_ref")
ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
FACTORY_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


class ManifestError(ValueError):
    """The manifest is not valid; ``problems`` lists every problem found, each a readable sentence."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ConfigOption:
    name: str
    type: str
    title: str = ""
    required: bool = False
    default: Any = None
    help: str = ""


@dataclass(frozen=True)
class Manifest:
    id: str
    name: str
    department: str
    version: str
    #: supported API_VERSION range, e.g. ">=1.0,<2"
    api: str
    capabilities: tuple[str, ...]
    #: canonical fields this adapter can supply through lookup
    fields: tuple[str, ...]
    #: catalog item codes this adapter can submit
    items: tuple[str, ...]
    #: "package.module:callable" taking an AdapterContext and returning an Adapter
    factory: str
    config: tuple[ConfigOption, ...] = ()
    description: str = ""
    #: optional "package.module:Class" of a Qt settings widget (the adapter core itself has no Qt)
    settings_widget: str = ""
    #: optional "package.module:callable" starting a test back-end (``.url``, ``.stop()``) for the conformance
    #: kit; the workstation never calls it
    sandbox: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def compatible_with(self, api_version: str) -> bool:
        return version_in_range(api_version, self.api)

    def option(self, name: str) -> ConfigOption | None:
        return next((o for o in self.config if o.name == name), None)

    def resolve_config(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled in; raises ManifestError naming every missing required or unknown option."""
        problems = [f"未知配置项 {k}" for k in values if self.option(k) is None]
        out: dict[str, Any] = {}
        for opt in self.config:
            v = values.get(opt.name, opt.default)
            if v in (None, "") and opt.required:
                problems.append(f"缺少必填配置项 {opt.name}（{opt.title or opt.name}）")
            out[opt.name] = v
        if problems:
            raise ManifestError(problems)
        return out


def parse_manifest(data: Mapping[str, Any]) -> Manifest:
    """Validate a manifest mapping and build a Manifest; every problem is collected before raising."""
    problems: list[str] = []

    def req(key: str, kind: type = str) -> Any:
        v = data.get(key)
        if v is None or v == "":
            problems.append(f"missing required key '{key}'")
            return kind()
        if not isinstance(v, kind):
            problems.append(f"'{key}' must be a {kind.__name__}, got {type(v).__name__}")
            return kind()
        return v

    mid = req("id")
    if mid and not ID_RE.match(mid):
        problems.append(f"id {mid!r} must be lowercase letters, digits and '_' (2-63 chars, starting with a letter)")
    name, dept, version, api, factory = req("name"), req("department"), req("version"), req("api"), req("factory")
    if api:
        try:
            version_in_range("1.0.0", api)
        except ValueError as exc:
            problems.append(f"'api' range not understood: {exc}")
    if factory and not FACTORY_RE.match(factory):
        problems.append(f"'factory' must look like 'package.module:callable', got {factory!r}")
    for optional_ref in ("settings_widget", "sandbox"):
        ref = data.get(optional_ref, "")
        if ref and (not isinstance(ref, str) or not FACTORY_RE.match(ref)):
            problems.append(f"'{optional_ref}' must look like 'package.module:name', got {ref!r}")
    caps = data.get("capabilities", [])
    if not isinstance(caps, list) or not all(isinstance(c, str) for c in caps):
        problems.append("'capabilities' must be a list of strings")
        caps = []
    for c in caps:
        if c not in CAPABILITIES:
            problems.append(f"unknown capability {c!r} (known: {', '.join(CAPABILITIES)})")
    fields_ = data.get("fields", [])
    items = data.get("items", [])
    for key, seq in (("fields", fields_), ("items", items)):
        if not isinstance(seq, list) or not all(isinstance(x, str) for x in seq):
            problems.append(f"'{key}' must be a list of strings")
    if "lookup" in caps and not fields_:
        problems.append("capability 'lookup' needs a non-empty 'fields' list")
    if "submit" in caps and not items:
        problems.append("capability 'submit' needs a non-empty 'items' list")
    options: list[ConfigOption] = []
    cfg = data.get("config", {})
    if not isinstance(cfg, Mapping):
        problems.append("'config' must be a table of options")
        cfg = {}
    for oname, spec in cfg.items():
        if not isinstance(spec, Mapping):
            problems.append(f"config option {oname!r} must be a table")
            continue
        otype = spec.get("type", "string")
        if otype not in CONFIG_TYPES:
            problems.append(f"config option {oname!r} has unknown type {otype!r}")
        options.append(ConfigOption(name=oname, type=otype, title=spec.get("title", ""),
                                    required=bool(spec.get("required", False)),
                                    default=spec.get("default"), help=spec.get("help", "")))
    if problems:
        raise ManifestError(problems)
    return Manifest(id=mid, name=name, department=dept, version=version, api=api,
                    capabilities=tuple(caps), fields=tuple(fields_), items=tuple(items), factory=factory,
                    config=tuple(options), description=str(data.get("description", "")),
                    settings_widget=str(data.get("settings_widget", "")), sandbox=str(data.get("sandbox", "")),
                    raw=dict(data))


def load_manifest_text(text: str, filename: str = "manifest.toml") -> Manifest:
    """Parse TOML or JSON (by file name) and validate."""
    try:
        data = json.loads(text) if filename.endswith(".json") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError([f"{filename} is not valid {'JSON' if filename.endswith('.json') else 'TOML'}: {exc}"]) from exc
    return parse_manifest(data)
