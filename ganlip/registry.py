"""A name → entry table with helpful lookup errors, shared by strategies, architectures and data sets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from ganlip.errors import unknown_name

Entry = TypeVar("Entry")


class Registry(Generic[Entry]):
    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry] = {}

    def add(self, name: str, entry: Entry) -> Entry:
        """Register `entry` as `name`; a second entry of one name is a programming error, refused."""
        if name in self._entries:
            raise ValueError(f"{self.kind} '{name}' is registered twice")
        self._entries[name] = entry
        return entry

    def __getitem__(self, name: str) -> Entry:
        if name not in self._entries:
            raise unknown_name(self.kind, name, self._entries)
        return self._entries[name]

    def names(self) -> list[str]:
        return sorted(self._entries)

    def values(self) -> Iterator[Entry]:
        return iter(self._entries.values())
