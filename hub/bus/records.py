"""Raw record value types the bus runtime moves: what a handler reads and what it emits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Headers = tuple[tuple[str, bytes], ...]

#: The CloudEvents id header in binary mode; the idempotent consumer dedups on it.
EVENT_ID_HEADER = "ce_id"


def header(headers: Sequence[tuple[str, bytes]], name: str) -> bytes | None:
    """The last value of header `name`, or None."""
    found: bytes | None = None
    for key, value in headers:
        if key == name:
            found = value
    return found


@dataclass(frozen=True, slots=True)
class InRecord:
    """One consumed record, detached from aiokafka."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers = ()
    timestamp_ms: int = 0

    @property
    def event_id(self) -> str | None:
        """The `ce_id` header as text, when present."""
        raw = header(self.headers, EVENT_ID_HEADER)
        return raw.decode("utf-8", "replace") if raw is not None else None


@dataclass(frozen=True, slots=True)
class Output:
    """One record to produce; `partition` None lets the key decide (murmur2, as Java does)."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: Headers = field(default=())
    partition: int | None = None

    @property
    def event_id(self) -> str | None:
        """The `ce_id` header as text, when present."""
        raw = header(self.headers, EVENT_ID_HEADER)
        return raw.decode("utf-8", "replace") if raw is not None else None
