"""The JSON Schema of an adapter manifest, exported for authors' editors and CI, and the strict check
(schema + ``parse_manifest``) that discovery and ``adapters validate`` share.

The exported copy lives next to this module as ``manifest.schema.json``. Regenerate it after changing the
schema or ``API_VERSION``::

    python -m adapters.api.schema --write     # rewrite the file
    python -m adapters.api.schema --check     # exit 1 when the file is stale (the test suite does this too)
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .manifest import CAPABILITIES, CONFIG_TYPES, FACTORY_RE, ID_RE, Manifest, ManifestError, parse_manifest
from .version import API_VERSION, version_in_range

SCHEMA_PATH = Path(__file__).with_name("manifest.schema.json")
#: a canonical field name from resources/fields.toml: a namespace and one or more dotted parts
FIELD_NAME_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"


def _ref_string(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": FACTORY_RE.pattern, "description": description}


def manifest_json_schema() -> dict[str, Any]:
    """The schema as a dict. Vendor keys starting with ``x-`` are allowed; any other unknown key is an
    error, so a misspelt key (``capabilites``) is reported instead of silently ignored."""
    option = {
        "type": "object",
        "description": "One configuration option the IT administrator can set (admin screen or `adapters configure`).",
        "properties": {
            "type": {"enum": list(CONFIG_TYPES), "default": "string",
                     "description": "Value type. `secret_ref` holds a keyring reference ('keyring:NAME'), never a secret."},
            "title": {"type": "string", "description": "Chinese label shown in the admin screen."},
            "required": {"type": "boolean", "default": False},
            "default": {"description": "Value used when the administrator set none."},
            "help": {"type": "string", "description": "Chinese help text shown under the field."},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:onewindow:adapter-manifest:{API_VERSION}",
        "title": "OneWindow adapter manifest",
        "description": ("The data file an adapter distribution names through its `onewindow.adapters` entry point "
                        "(value 'package:manifest.toml'). See adapters/README.md, 'Writing an adapter'."),
        "x-api-version": API_VERSION,
        "type": "object",
        "required": ["id", "name", "department", "version", "api", "factory"],
        "properties": {
            "id": {"type": "string", "pattern": ID_RE.pattern,
                   "description": "Unique adapter id: lowercase letters, digits and '_', 2-63 characters."},
            "name": {"type": "string", "minLength": 1, "description": "Chinese display name."},
            "department": {"type": "string", "minLength": 1,
                           "description": "Department id (those of resources/fields.toml, or your own)."},
            "version": {"type": "string", "minLength": 1, "description": "The adapter's own version."},
            "api": {"type": "string", "minLength": 1,
                    "description": "Supported API_VERSION range, comma-separated clauses, e.g. '>=1.0,<2'."},
            "factory": _ref_string("'package.module:callable' taking an AdapterContext and returning an Adapter."),
            "capabilities": {"type": "array", "items": {"enum": list(CAPABILITIES)}, "uniqueItems": True},
            "fields": {"type": "array", "items": {"type": "string", "pattern": FIELD_NAME_PATTERN},
                       "uniqueItems": True,
                       "description": "Canonical fields (resources/fields.toml) that lookup can supply."},
            "items": {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True,
                      "description": "Catalog item codes this adapter can submit."},
            "config": {"type": "object", "additionalProperties": option,
                       "description": "Configuration options by name (conventional: endpoint, timeout_s, ca_bundle, account)."},
            "description": {"type": "string"},
            "settings_widget": _ref_string("Optional 'package.module:Class' of a Qt settings widget."),
            "sandbox": _ref_string("Optional 'package.module:callable' starting a test back-end for `adapters check`."),
        },
        "patternProperties": {"^x-": {}},
        "additionalProperties": False,
        "allOf": [
            {"if": {"required": ["capabilities"], "properties": {"capabilities": {"contains": {"const": "lookup"}}}},
             "then": {"required": ["fields"], "properties": {"fields": {"minItems": 1}}}},
            {"if": {"required": ["capabilities"], "properties": {"capabilities": {"contains": {"const": "submit"}}}},
             "then": {"required": ["items"], "properties": {"items": {"minItems": 1}}}},
        ],
    }


def render_schema() -> str:
    """The exported file's exact text (stable key order, so a diff shows real changes only)."""
    return json.dumps(manifest_json_schema(), ensure_ascii=False, indent=2) + "\n"


def schema_problems(data: Any) -> list[str]:
    """Every schema violation as a readable sentence naming where it is (``config.endpoint.type``)."""
    import jsonschema  # imported here so that importing the SDK stays cheap

    validator = jsonschema.Draft202012Validator(manifest_json_schema())
    problems = []
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        where = ".".join(str(p) for p in err.absolute_path)
        problem = f"{where + ': ' if where else ''}{_readable(err)}"
        if problem not in problems:  # one 'required' error per missing key, each naming all of them
            problems.append(problem)
    return problems


def _readable(err: Any) -> str:
    """jsonschema's wording for the two commonest mistakes is cryptic; say what to fix instead."""
    if err.validator == "required":
        missing = [k for k in err.validator_value if k not in err.instance]
        return ", ".join(f"missing required key '{k}'" for k in missing) or err.message
    if err.validator == "additionalProperties" and isinstance(err.instance, Mapping):
        known = set(err.schema.get("properties", {}))
        unknown = sorted(k for k in err.instance if k not in known and not str(k).startswith("x-"))
        hint = " (vendor keys must start with 'x-')" if "patternProperties" in err.schema else ""
        return f"unknown key(s) {', '.join(repr(k) for k in unknown)}{hint}"
    return str(err.message)


def decode_manifest(text: str, filename: str) -> dict[str, Any]:
    """TOML or JSON by file name; raises ManifestError when the text is not that format."""
    is_json = filename.endswith(".json")
    try:
        data = json.loads(text) if is_json else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError([f"{filename} is not valid {'JSON' if is_json else 'TOML'}: {exc}"]) from exc
    if not isinstance(data, dict):
        raise ManifestError([f"{filename}: the top level must be a table/object"])
    return data


def validate_manifest(data: Mapping[str, Any]) -> Manifest:
    """Schema and semantic checks together; raises ManifestError listing every problem once."""
    problems = schema_problems(dict(data))
    if not problems:
        # parse_manifest adds what a schema cannot say (is the API range understood?)
        return parse_manifest(data)
    api = data.get("api")
    if isinstance(api, str) and api:
        try:
            version_in_range(API_VERSION, api)
        except ValueError as exc:
            problems.append(f"api: range not understood: {exc}")
    raise ManifestError(problems)


def validate_manifest_text(text: str, filename: str = "manifest.toml") -> Manifest:
    return validate_manifest(decode_manifest(text, filename))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adapters.api.schema",
                                     description="Export the adapter manifest JSON Schema.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help=f"rewrite {SCHEMA_PATH.name}")
    mode.add_argument("--check", action="store_true", help=f"exit 1 when {SCHEMA_PATH.name} is stale")
    args = parser.parse_args(argv)
    text = render_schema()
    if args.write:
        SCHEMA_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
        return 0
    if args.check:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != text:
            print(f"{SCHEMA_PATH} is stale: run `python -m adapters.api.schema --write`", file=sys.stderr)
            return 1
        print(f"{SCHEMA_PATH.name} is up to date")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
