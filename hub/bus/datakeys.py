"""The data-key store on Kafka: wrapped per-child data keys in a compacted topic, keyed by child."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition
from pydantic import ValidationError

from hub.bus import client
from hub.bus.scan import read_to_end
from hub.bus.security import ClientSecurity
from hub.events.fields import EncryptedText
from hub.events.topics import DATAKEYS, physical_name
from hub.events.topics import topic as registry_topic
from hub.privacy.fieldcrypt import GEWIST, DataKeyErased, FieldCipher, WrappedDataKey, rewrap
from hub.privacy.keyring import KeyRing

#: Compacted, keyed by child: the last record per child wins and a tombstone (null value)
#: erases the child's key; the registry bounds compaction so an erased key leaves the disk.
DATAKEYS_TOPIC_LOGICAL = DATAKEYS


def datakeys_topic(topic_prefix: str = "") -> str:
    """The physical topic name under a prefix."""
    return physical_name(DATAKEYS, prefix=topic_prefix)


class DataKeyStoreError(RuntimeError):
    """The data-key topic holds a record that is not a wrapped data key (one line, no key)."""


async def ensure_datakeys_topic(
    bootstrap: str, topic: str, *, security: ClientSecurity | None = None
) -> None:
    """Create the compacted data-key topic unless it exists."""
    spec = registry_topic(DATAKEYS)
    await client.create_topics(
        bootstrap, [(topic, spec.partitions, spec.config())], security=security
    )


class KafkaDataKeyStore:
    """A `DataKeyStore` whose truth is the compacted topic; the dict is its loaded view.

    `put` and `erase` change the view at once and queue a record; `flush()` writes the queue
    and waits for the broker. Flush before you send an event that holds a ciphertext, so a
    crash never leaves a ciphertext whose data key was not written. One writer per child:
    the processor instance that owns the child's partition creates its data key.
    """

    def __init__(
        self, bootstrap: str, topic: str, *, security: ClientSecurity | None = None
    ) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.security = security
        self.records: dict[str, WrappedDataKey] = {}
        self._pending: list[tuple[bytes, bytes | None]] = []
        self._producer: Any = None
        self._next: dict[TopicPartition, int] = {}

    async def start(self) -> None:
        """Start the producer and load the whole topic."""
        self._producer = client.producer(self.bootstrap, security=self.security)
        await self._producer.start()
        await self.load()

    async def stop(self) -> None:
        """Flush what is pending and stop."""
        if self._producer is not None:
            try:
                await self.flush()
            finally:
                await self._producer.stop()
                self._producer = None

    async def load(self, timeout: float = 120.0) -> int:
        """Rebuild the view from the whole topic (last record per child wins); return keys held."""
        self.records = {}
        self._next = {}
        return await self.catch_up(timeout)

    async def catch_up(self, timeout: float = 120.0) -> int:
        """Apply what other writers appended since the last load; return keys held."""
        async for record in read_to_end(
            self.bootstrap, [self.topic], timeout=timeout, start=self._next, security=self.security
        ):
            self._apply(record)
            self._next[TopicPartition(record.topic, record.partition)] = record.offset + 1
        return len(self.records)

    def _apply(self, record: Any) -> None:
        where = f"{self.topic}[{record.partition}]@{record.offset}"
        if record.key is None:
            raise DataKeyStoreError(f"{where}: record without key")
        child = record.key.decode("ascii", errors="replace")
        if record.value is None:
            self.records.pop(child, None)
            return
        try:
            wrapped = WrappedDataKey.model_validate_json(record.value)
        except ValidationError:
            raise DataKeyStoreError(f"{where}: not a wrapped data key") from None
        if wrapped.child != child:
            raise DataKeyStoreError(f"{where}: record key and child differ")
        self.records[child] = wrapped

    def positions(self) -> dict[TopicPartition, int]:
        """Per partition, the offset after the last record applied."""
        return dict(self._next)

    def get(self, child: str) -> WrappedDataKey | None:
        """The child's wrapped data key from the loaded view."""
        return self.records.get(child)

    def put(self, record: WrappedDataKey) -> None:
        """Hold the record and queue it for the topic."""
        self.records[record.child] = record
        self._pending.append((record.child.encode("ascii"), record.model_dump_json().encode()))

    def erase(self, child: str) -> None:
        """Forget the child's data key and queue its tombstone."""
        self.records.pop(child, None)
        self._pending.append((child.encode("ascii"), None))

    def drain_pending(self) -> list[tuple[bytes, bytes | None]]:
        """Take the queued (key, value) records, e.g. to send them inside a transaction."""
        pending, self._pending = self._pending, []
        return pending

    async def flush(self) -> None:
        """Write queued records and wait until the broker has them all."""
        if self._producer is None:
            raise DataKeyStoreError("data-key store not started: call start() first")
        pending = self.drain_pending()
        if not pending:
            return
        try:
            futures = [await self._producer.send(self.topic, v, key=k) for k, v in pending]
            await asyncio.gather(*futures)
        except BaseException:
            self._pending = pending + self._pending
            raise

    async def erase_child(self, child: str) -> None:
        """Crypto-shred one child now: tombstone its data key and wait for the broker."""
        self.erase(child)
        await self.flush()


async def read_field(
    cipher: FieldCipher,
    store: KafkaDataKeyStore,
    value: EncryptedText,
    *,
    child: str,
    event_id: str,
    field: str,
) -> str:
    """The plaintext, or `GEWIST`; a missing key is looked up once more on the topic first.

    A reader instance may not have seen a data key another instance wrote a moment ago: only
    when the key is still missing after catching up is the field erased.
    """
    try:
        return cipher.decrypt(value, child=child, event_id=event_id, field=field)
    except DataKeyErased:
        await store.catch_up()
    try:
        return cipher.decrypt(value, child=child, event_id=event_id, field=field)
    except DataKeyErased:
        return GEWIST


@dataclass(frozen=True)
class RewrapResult:
    """What `rewrap_all` did: keys rewrapped, keys already current, KEKs no live key needs."""

    rewrapped: int
    current: int
    retired: tuple[str, ...]
    repaired: int = 0


async def rewrap_all(bootstrap: str, topic: str, ring: KeyRing, *, rounds: int = 5) -> RewrapResult:
    """Rewrap every live data key of the topic under the ring's current KEK.

    The projector may erase or make a child's key while this runs. A rewrapped record
    written after such a change would bring the old key back, so afterwards every child
    whose record changed since the snapshot gets that newer record (tombstone or key) again,
    rewrapped, until no rewrap is the newest record of a changed child.
    """
    store = KafkaDataKeyStore(bootstrap, topic)
    await store.start()
    try:
        snapshot = dict(store.records)
        positions = store.positions()
        current = ring.kek().kid
        stale = {c: r for c, r in snapshot.items() if r.kek != current}
        retired = tuple(sorted({r.kek for r in stale.values()}))
        for record in stale.values():
            store.put(rewrap(record, ring))
        await store.flush()
        repaired = 0
        for _ in range(rounds):
            changed = await _changed_since(bootstrap, topic, positions, stale)
            if not changed:
                break
            for child, newer in changed.items():
                if newer is None:
                    store.erase(child)
                else:
                    store.put(rewrap(newer, ring))
                repaired += 1
            await store.flush()
        return RewrapResult(len(stale), len(snapshot) - len(stale), retired, repaired)
    finally:
        await store.stop()


async def _changed_since(
    bootstrap: str,
    topic: str,
    positions: dict[TopicPartition, int],
    ours: dict[str, WrappedDataKey],
) -> dict[str, WrappedDataKey | None]:
    """Children of `ours` whose last record since `positions` is a rewrap of the snapshot key
    while some other record (tombstone, new key) came after the snapshot: that other one."""
    last_other: dict[str, tuple[int, WrappedDataKey | None]] = {}
    last_ours: dict[str, int] = {}
    async for record in read_to_end(bootstrap, [topic], start=positions):
        child = record.key.decode("ascii", errors="replace")
        if child not in ours:
            continue
        value = None if record.value is None else WrappedDataKey.model_validate_json(record.value)
        if value is not None and value.kid == ours[child].kid:
            last_ours[child] = record.offset
        else:
            last_other[child] = (record.offset, value)
    return {
        child: other
        for child, (offset, other) in last_other.items()
        if last_ours.get(child, -1) > offset
    }
