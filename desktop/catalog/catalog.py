"""The loaded catalog and the questions the workstation asks it."""

from __future__ import annotations

import logging
from dataclasses import replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from desktop.catalog.loader import read_directory
from desktop.catalog.model import CatalogProblem, Item, Material, OneThing

log = logging.getLogger(__name__)


class Catalog:
    def __init__(self, items: list[Item], one_things: list[OneThing],
                 problems: list[CatalogProblem] | None = None, files: list[str] | None = None) -> None:
        # Every entry as written, duplicates included, so that check_catalog can report them;
        # the lookups keep the first definition of each code.
        self.all_items = tuple(items)
        self.all_one_things = tuple(one_things)
        self.load_problems = tuple(problems or ())
        self.files = tuple(files or ())
        self.items: dict[str, Item] = {}
        for item in items:
            self.items.setdefault(item.code, item)
        self.one_things: dict[str, OneThing] = {}
        for thing in one_things:
            self.one_things.setdefault(thing.code, thing)

    @classmethod
    def load(cls, directory: Path | Traversable | None = None) -> Catalog:
        """Read every *.toml in `directory` (default: the packaged resources/catalog)."""
        source = directory if directory is not None else resources.files("resources").joinpath("catalog")
        loaded = read_directory(source)
        log.info("catalog loaded from %s: %d items, %d one-things in %d files",
                 source, len(loaded.items), len(loaded.one_things), len(loaded.files))
        return cls(loaded.items, loaded.one_things, loaded.problems, loaded.files)

    def items_of(self, one_thing_code: str) -> list[Item]:
        thing = self._one_thing(one_thing_code)
        missing = [code for code in thing.items if code not in self.items]
        if missing:
            log.warning("one-thing %s names unknown items %s (run 'catalog check')", thing.code, missing)
        return [self.items[code] for code in thing.items if code in self.items]

    def fields_for(self, one_thing_code: str) -> list[str]:
        """Canonical fields of all items of the one-thing, each once, in catalog order."""
        return list(dict.fromkeys(name for item in self.items_of(one_thing_code) for name in item.fields))

    def materials_for(self, one_thing_code: str) -> list[Material]:
        """Materials of all items, each code once: the citizen hands in one set, not one per item.

        A material is tolerable (容缺) for the one-thing only if every item that needs it tolerates it.
        """
        seen: dict[str, Material] = {}
        for item in self.items_of(one_thing_code):
            for material in item.materials:
                earlier = seen.get(material.code)
                if earlier is None:
                    seen[material.code] = material
                elif earlier.tolerable and not material.tolerable:
                    seen[material.code] = replace(earlier, tolerable=False)
        return list(seen.values())

    def search(self, text: str) -> list[OneThing]:
        """One-things matching `text`: name, keywords (incl. pinyin initials), description, item names.

        Best matches first; an empty query lists everything in catalog order.
        """
        query = "".join(text.split()).lower()
        if not query:
            return list(self.one_things.values())
        ranked: list[tuple[int, int, OneThing]] = []
        for order, thing in enumerate(self.one_things.values()):
            rank = self._rank(thing, query)
            if rank is not None:
                ranked.append((rank, order, thing))
        return [thing for _, _, thing in sorted(ranked, key=lambda entry: entry[:2])]

    def _rank(self, thing: OneThing, query: str) -> int | None:
        keywords = [keyword.lower() for keyword in thing.keywords]
        if query in thing.name.lower() or query == thing.code.lower():
            return 0
        # Pinyin initials are typed from the start ("tx" for 退休), Chinese keywords anywhere.
        if any(keyword.startswith(query) if query.isascii() else query in keyword for keyword in keywords):
            return 1
        item_names = [self.items[code].name for code in thing.items if code in self.items]
        if query in thing.description.lower() or any(query in name.lower() for name in item_names):
            return 2
        return None

    def _one_thing(self, code: str) -> OneThing:
        try:
            return self.one_things[code]
        except KeyError:
            raise KeyError(f"unknown one-thing {code!r}") from None
