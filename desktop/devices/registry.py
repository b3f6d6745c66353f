"""Finds readers through the ``onewindow.readers`` entry point group, like adapters: a site adds a
vendor's reader by installing a distribution; a broken one is reported, never fatal."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from desktop.devices.base import CardReader
from desktop.devices.errors import ReaderConfigError, ReaderUnavailableError

log = logging.getLogger(__name__)

GROUP = "onewindow.readers"


@dataclass(frozen=True)
class ReaderEntry:
    """One discovered reader: its class, or why it could not be loaded (``error``, English)."""

    name: str
    target: str
    distribution: str | None
    factory: type[CardReader] | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.factory is not None


def discover_readers(eps: list[EntryPoint] | None = None) -> dict[str, ReaderEntry]:
    """Every reader of the group, loaded; ``eps`` lets tests pass their own entry points."""
    found: dict[str, ReaderEntry] = {}
    for ep in eps if eps is not None else list(entry_points(group=GROUP)):
        dist = ep.dist.name if getattr(ep, "dist", None) is not None else None  # type: ignore[union-attr]
        if ep.name in found:
            log.warning("reader %r from %s ignored: the name is already taken by %s",
                        ep.name, dist, found[ep.name].distribution)
            continue
        found[ep.name] = _load(ep, dist)
    return found


def _load(ep: EntryPoint, dist: str | None) -> ReaderEntry:
    try:
        obj = ep.load()
    except Exception as exc:  # a plugin may raise anything at import; it must not stop discovery
        log.warning("reader %r (%s) failed to load: %s: %s", ep.name, ep.value, type(exc).__name__, exc)
        return ReaderEntry(ep.name, ep.value, dist, None, f"import failed: {type(exc).__name__}: {exc}")
    if not (isinstance(obj, type) and issubclass(obj, CardReader)):
        log.warning("reader %r (%s) is not a CardReader subclass", ep.name, ep.value)
        return ReaderEntry(ep.name, ep.value, dist, None, f"{ep.value} is not a CardReader subclass")
    return ReaderEntry(ep.name, ep.value, dist, obj)


def create_reader(spec: str, options: Mapping[str, object] | None = None, *,
                  readers: Mapping[str, ReaderEntry] | None = None) -> CardReader:
    """A reader for ``spec`` ("sam:/dev/ttyUSB0", "demo", "manual"), not yet opened."""
    name, _, argument = spec.strip().partition(":")
    available = readers if readers is not None else discover_readers()
    entry = available.get(name)
    if entry is None:
        known = "、".join(sorted(available)) or "无"
        raise ReaderConfigError("unknown_reader", f"未知的读卡器类型“{name}”（可用：{known}）",
                                f"no reader named {name!r}; available: {sorted(available)}")
    if entry.factory is None:
        raise ReaderUnavailableError("reader_unavailable", f"读卡器插件“{name}”无法加载，请联系管理员",
                                     entry.error or "not loaded")
    return entry.factory.from_spec(argument or None, options or {})


def open_reader(spec: str, options: Mapping[str, object] | None = None, *,
                readers: Mapping[str, ReaderEntry] | None = None) -> CardReader:
    """Like create_reader, then open() it; the caller closes it."""
    reader = create_reader(spec, options, readers=readers)
    reader.open()
    return reader
