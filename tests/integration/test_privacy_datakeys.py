"""The data-key topic on a real broker: erasure makes earlier ciphertexts read as gewist."""

from __future__ import annotations

from hub.bus.datakeys import KafkaDataKeyStore, ensure_datakeys_topic, read_field
from hub.bus.scan import read_to_end
from hub.privacy.fieldcrypt import GEWIST, DataKeyRing, FieldCipher, decrypt_or_gewist
from hub.privacy.keyring import Key, KeyRing

RING = KeyRing([Key("kek", 1, bytes(range(32)))])
CHILD, OTHER = "c" * 64, "d" * 64
TEXT = "Leerling vertelt over ruzie thuis"


async def _store(bootstrap: str, topic: str) -> KafkaDataKeyStore:
    store = KafkaDataKeyStore(bootstrap, topic)
    await store.start()
    return store


class TestKafkaDataKeyStore:
    async def test_erase_reads_gewist_also_after_rebuild(self, bootstrap: str, unique: str) -> None:
        topic = f"test.datakeys.{unique}"
        await ensure_datakeys_topic(bootstrap, topic)
        store = await _store(bootstrap, topic)
        try:
            cipher = FieldCipher(DataKeyRing(store, RING))
            mine = cipher.encrypt(TEXT, child=CHILD, event_id="e1", field="toelichting")
            theirs = cipher.encrypt(TEXT, child=OTHER, event_id="e2", field="toelichting")
            await store.flush()

            rebuilt = await _store(bootstrap, topic)
            try:
                assert set(rebuilt.records) == {CHILD, OTHER}
                fresh = FieldCipher(DataKeyRing(rebuilt, RING))
                assert fresh.decrypt(mine, child=CHILD, event_id="e1", field="toelichting") == TEXT
            finally:
                await rebuilt.stop()

            cipher.datakeys.erase(CHILD)
            await store.flush()
            got = decrypt_or_gewist(cipher, mine, child=CHILD, event_id="e1", field="toelichting")
            assert got == GEWIST
        finally:
            await store.stop()

        after = await _store(bootstrap, topic)
        try:
            assert set(after.records) == {OTHER}
            reader = FieldCipher(DataKeyRing(after, RING))
            args = {"event_id": "e1", "field": "toelichting"}
            assert decrypt_or_gewist(reader, mine, child=CHILD, **args) == GEWIST
            assert reader.decrypt(theirs, child=OTHER, event_id="e2", field="toelichting") == TEXT
        finally:
            await after.stop()

        # The log itself stays: two wrapped keys and one tombstone, nothing rewritten.
        log = [(r.key, r.value is None) async for r in read_to_end(bootstrap, [topic])]
        assert sorted(log) == sorted(
            [(CHILD.encode(), False), (OTHER.encode(), False), (CHILD.encode(), True)]
        )

    async def test_topic_is_compacted(self, bootstrap: str, unique: str) -> None:
        from aiokafka.admin import AIOKafkaAdminClient
        from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

        topic = f"test.datakeys.{unique}"
        await ensure_datakeys_topic(bootstrap, topic)
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            described = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, topic)]
            )
        finally:
            await admin.close()
        entries = {c[0]: c[1] for c in described[0].resources[0][4]}
        assert entries["cleanup.policy"] == "compact"
        assert entries["max.compaction.lag.ms"] == str(24 * 60 * 60 * 1000)

    async def test_a_second_instance_catches_up(self, bootstrap: str, unique: str) -> None:
        topic = f"test.datakeys.{unique}"
        await ensure_datakeys_topic(bootstrap, topic)
        writer, reader = await _store(bootstrap, topic), await _store(bootstrap, topic)
        try:
            owner = FieldCipher(DataKeyRing(writer, RING))
            value = owner.encrypt(TEXT, child=CHILD, event_id="e1", field="toelichting")
            await writer.flush()
            other = FieldCipher(DataKeyRing(reader, RING))
            args = {"child": CHILD, "event_id": "e1", "field": "toelichting"}
            assert reader.get(CHILD) is None  # loaded before the writer made the key
            assert await read_field(other, reader, value, **args) == TEXT
            await writer.erase_child(CHILD)
            assert await reader.catch_up() == 0
            assert decrypt_or_gewist(other, value, **args) == GEWIST
            assert await read_field(other, reader, value, **args) == GEWIST
        finally:
            await writer.stop()
            await reader.stop()
