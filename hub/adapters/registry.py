"""The adapters by (partner, feed): the built-in ones, plus any a deployment registers."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import ModuleType

from hub.adapters.kit import Adapter
from hub.events.vocab import Partner

#: The modules whose `ADAPTERS` tuple holds the built-in adapters.
BUILTIN_MODULES: tuple[str, ...] = (
    "hub.adapters.school",
    "hub.adapters.leerplicht",
    "hub.adapters.jgz",
    "hub.adapters.buurtteam",
    "hub.adapters.swv",
)


class UnknownFeed(LookupError):
    """No adapter is registered for a (partner, feed); the message lists what exists."""


class AdapterRegistry(Mapping[tuple[str, str], Adapter]):
    """Adapters keyed by (partner, feed); a key is registered once."""

    def __init__(self, adapters: Iterable[Adapter] = ()) -> None:
        self._by_key: dict[tuple[str, str], Adapter] = {}
        for adapter in adapters:
            self.add(adapter)

    def add(self, adapter: Adapter) -> None:
        """Register `adapter` under its (partner, feed)."""
        key = (Partner(adapter.partner).value, adapter.feed)
        if key in self._by_key:
            raise ValueError(f"adapter {key[0]}/{key[1]} is registered twice")
        self._by_key[key] = adapter

    def __getitem__(self, key: tuple[str, str]) -> Adapter:
        return self._by_key[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(sorted(self._by_key))

    def __len__(self) -> int:
        return len(self._by_key)

    def get_adapter(self, partner: str, feed: str) -> Adapter:
        """The adapter of `partner`/`feed`; UnknownFeed naming the partner's feeds otherwise."""
        found = self._by_key.get((partner, feed))
        if found is not None:
            return found
        feeds = sorted(f for p, f in self._by_key if p == partner)
        if not feeds:
            raise UnknownFeed(f"no adapters for partner '{partner}'")
        raise UnknownFeed(f"partner {partner} has no feed '{feed}' (feeds: {', '.join(feeds)})")


def _load_module(name: str) -> ModuleType:
    """A module by dotted name (found from the current directory too) or by file path."""
    if name.endswith(".py") or "/" in name:
        path = Path(name).resolve()
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None or not path.is_file():
            raise ImportError(f"no Python file at {name}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
        return module
    if os.getcwd() not in sys.path:
        # `hub` runs as a console script: a partner's package in the working directory counts.
        sys.path.insert(0, os.getcwd())
    return importlib.import_module(name)


def adapters_of(module_name: str) -> tuple[Adapter, ...]:
    """The `ADAPTERS` of a module (or a single `ADAPTER`), for built-ins and partner modules."""
    module = _load_module(module_name)
    found = getattr(module, "ADAPTERS", None)
    if found is None:
        single = getattr(module, "ADAPTER", None)
        if single is None:
            raise LookupError(f"module {module_name} defines neither ADAPTERS nor ADAPTER")
        found = (single,)
    adapters = tuple(found)
    for adapter in adapters:
        if not isinstance(adapter, Adapter):
            raise TypeError(f"{module_name}: {adapter!r} does not implement the Adapter protocol")
    return adapters


def builtin_registry() -> AdapterRegistry:
    """Every adapter that ships with the hub."""
    return AdapterRegistry(a for m in BUILTIN_MODULES for a in adapters_of(m))
