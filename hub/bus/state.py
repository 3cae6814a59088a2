"""Keyed state of one task (input partition number), backed by a compacted changelog topic."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from hub.bus.dedup import DEDUP_HEADER, DedupWindow
from hub.bus.handler import StateCodec
from hub.bus.records import Output, header

S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Entry(Generic[S]):
    """A key's state and its dedup window."""

    state: S | None
    window: DedupWindow


class TaskState(Generic[S]):
    """Committed state of one task plus the uncommitted changes of the batch in progress."""

    def __init__(self, codec: StateCodec[S], window_size: int) -> None:
        self._codec = codec
        self._window_size = window_size
        self._committed: dict[bytes, Entry[S]] = {}
        self._pending: dict[bytes, Entry[S]] = {}
        self._encoded: dict[bytes, bytes | None] = {}

    def __len__(self) -> int:
        return len(self._committed)

    def get(self, key: bytes) -> Entry[S]:
        """The key's entry as the batch in progress sees it."""
        found = self._pending.get(key) or self._committed.get(key)
        return found if found is not None else Entry(None, DedupWindow((), self._window_size))

    def put(self, key: bytes, entry: Entry[S]) -> None:
        """Change a key inside the batch in progress; raises when the codec cannot encode it."""
        encoded = None if entry.state is None else self._codec.encode(entry.state)
        self._pending[key] = entry
        self._encoded[key] = encoded

    def changelog(self, topic: str, partition: int) -> Iterator[Output]:
        """One changelog record per key changed in this batch (a tombstone when state is gone)."""
        for key, entry in self._pending.items():
            if entry.state is None:
                yield Output(topic, key, None, partition=partition)
                continue
            headers: tuple[tuple[str, bytes], ...] = ()
            if entry.window.ids:
                headers = ((DEDUP_HEADER, entry.window.encode()),)
            yield Output(topic, key, self._encoded[key], headers, partition)

    def commit(self) -> None:
        """The batch's transaction committed: its changes become the committed state."""
        for key, entry in self._pending.items():
            if entry.state is None:
                self._committed.pop(key, None)
            else:
                self._committed[key] = entry
        self._pending.clear()
        self._encoded.clear()

    def rollback(self) -> None:
        """The batch's transaction aborted: forget its changes."""
        self._pending.clear()
        self._encoded.clear()

    def restore(self, key: bytes | None, value: bytes | None, headers: Any) -> None:
        """Apply one changelog record read back from the compacted topic."""
        if key is None:
            return
        if value is None:
            self._committed.pop(key, None)
            return
        window = DedupWindow.decode(header(headers, DEDUP_HEADER), self._window_size)
        self._committed[key] = Entry(self._codec.decode(value), window)
