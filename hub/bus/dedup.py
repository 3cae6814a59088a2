"""Idempotent consumer: a bounded window of recently seen event ids per key."""

from __future__ import annotations

from dataclasses import dataclass

#: Changelog header that carries a key's window next to its state.
DEDUP_HEADER = "hub_dedup"
DEFAULT_WINDOW = 64


@dataclass(frozen=True, slots=True)
class DedupWindow:
    """The last `size` event ids seen for one key, oldest first."""

    ids: tuple[str, ...] = ()
    size: int = DEFAULT_WINDOW

    def seen(self, event_id: str) -> bool:
        """True when `event_id` is in the window."""
        return event_id in self.ids

    def add(self, event_id: str) -> DedupWindow:
        """A window with `event_id` appended and the oldest ids dropped beyond `size`."""
        if event_id in self.ids or "\n" in event_id:
            return self
        ids = (*self.ids, event_id)
        return DedupWindow(ids[-self.size :] if self.size > 0 else (), self.size)

    def encode(self) -> bytes:
        """The ids, one a line."""
        return "\n".join(self.ids).encode()

    @classmethod
    def decode(cls, data: bytes | None, size: int = DEFAULT_WINDOW) -> DedupWindow:
        """Read a window back; an absent header is an empty window."""
        if not data:
            return cls((), size)
        ids = tuple(data.decode("utf-8", "replace").split("\n"))
        return cls(ids[-size:] if size > 0 else (), size)
