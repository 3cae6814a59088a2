"""Change notices per audience for the live stream, with resume from a Last-Event-ID."""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """A case of this audience changed: its sequence number, the case and the record type."""

    seq: int
    subject: str
    soort: str


class Changes:
    """The recent changes of one audience, kept in a bounded ring, and waiters for new ones."""

    def __init__(self, keep: int = 2000) -> None:
        #: Ids are `epoch-seq`; an id of another epoch (a restarted hub) cannot be resumed.
        self.epoch = secrets.token_hex(4)
        self.seq = 0
        self._recent: deque[Change] = deque(maxlen=keep)
        self._new = asyncio.Event()

    def add(self, subject: str, soort: str) -> Change:
        """Record one change and wake every waiting stream."""
        self.seq += 1
        change = Change(self.seq, subject, soort)
        self._recent.append(change)
        self._new.set()
        self._new = asyncio.Event()
        return change

    def event_id(self, change: Change) -> str:
        """The SSE id of a change."""
        return f"{self.epoch}-{change.seq}"

    def resume_from(self, last_event_id: str | None) -> int | None:
        """The sequence number to continue after, or None when the id cannot be resumed."""
        if not last_event_id:
            return self.seq
        epoch, _, seq = last_event_id.partition("-")
        if epoch != self.epoch or not seq.isdigit() or int(seq) > self.seq:
            return None
        oldest = self._recent[0].seq if self._recent else self.seq + 1
        return int(seq) if int(seq) >= oldest - 1 else None

    def since(self, seq: int) -> list[Change]:
        """The changes after `seq`, oldest first."""
        return [c for c in self._recent if c.seq > seq]

    async def wait(self, seq: int, timeout: float) -> list[Change]:
        """The changes after `seq`, waiting up to `timeout` seconds for one."""
        waiter = self._new
        found = self.since(seq)
        if found:
            return found
        try:
            await asyncio.wait_for(waiter.wait(), timeout)
        except TimeoutError:
            return []
        return self.since(seq)
