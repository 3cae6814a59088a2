"""Published event ids and the content fingerprint of each: the publish-only edges' dedup rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hub.bus.records import Output

#: The value of a seen-topic record written before fingerprints: the content is unknown.
UNKNOWN = ""


@dataclass(frozen=True)
class Verdict:
    """What to do with a batch: the outputs to send, and which ids are new, repeated or changed."""

    fresh: tuple[Output, ...]
    accepted: tuple[str, ...]
    duplicates: tuple[str, ...]
    conflicts: tuple[str, ...]


@dataclass
class SeenIds:
    """Every published event id with the fingerprint of its content (the seen topic, folded)."""

    fingerprints: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.fingerprints)

    def apply(self, key: bytes | None, value: bytes | None) -> None:
        """Fold one seen-topic record in: a value marks the id published, a tombstone forgets it."""
        if key is None:
            return
        event_id = key.decode("utf-8", "replace")
        if value is None:
            self.fingerprints.pop(event_id, None)
        else:
            self.fingerprints[event_id] = _fingerprint_of(value)

    def judge(self, outputs: Sequence[Output], fingerprints: Mapping[str, str]) -> Verdict:
        """Split `outputs`: new ids go out; a known id is a duplicate, or a conflict if it changed.

        Outputs without an event id (dead letters) always go out. A fingerprint missing on
        either side (old records, callers that give none) never makes a conflict.
        """
        fresh: list[Output] = []
        accepted: list[str] = []
        duplicates: list[str] = []
        conflicts: list[str] = []
        batch: dict[str, str] = {}
        for output in outputs:
            event_id = output.event_id
            if event_id is None:
                fresh.append(output)
                continue
            new = fingerprints.get(event_id, UNKNOWN)
            known = batch.get(event_id, self.fingerprints.get(event_id))
            if known is None:
                fresh.append(output)
                accepted.append(event_id)
                batch[event_id] = new
            elif known != new and UNKNOWN not in (known, new):
                conflicts.append(event_id)
            else:
                duplicates.append(event_id)
        return Verdict(tuple(fresh), tuple(accepted), tuple(duplicates), tuple(conflicts))

    def mark(self, ids: Sequence[str], fingerprints: Mapping[str, str]) -> None:
        """Remember `ids` as published (after their transaction committed)."""
        for event_id in ids:
            self.fingerprints[event_id] = fingerprints.get(event_id, UNKNOWN)


def seen_value(fingerprint: str) -> bytes:
    """The seen-topic value that marks an id published with `fingerprint` (key: the id)."""
    # Any non-empty value marks the id; the first versions wrote b"1" (content unknown).
    return (fingerprint or "1").encode("ascii")


def _fingerprint_of(value: bytes) -> str:
    text = value.decode("ascii", "replace")
    return UNKNOWN if text == "1" else text
