"""Field encryption per child: binding, tampering, erasure, wrong keys."""

from __future__ import annotations

import pytest

from hub.events.fields import EncryptedText
from hub.privacy.fieldcrypt import (
    GEWIST,
    DataKeyErased,
    DataKeyRing,
    FieldCipher,
    FieldCryptoError,
    InMemoryDataKeyStore,
    WrongChild,
    data_key_belongs_to,
    decrypt_or_gewist,
    rewrap,
)
from hub.privacy.keyring import KeyRing, KeyRingError
from tests.unit.privacy.conftest import fixed_key

CHILD = "a" * 64
OTHER = "b" * 64
SECRET = "Moeder meldt zorgen over slapen"


@pytest.fixture
def store() -> InMemoryDataKeyStore:
    return InMemoryDataKeyStore()


@pytest.fixture
def cipher(store: InMemoryDataKeyStore, ring: KeyRing) -> FieldCipher:
    return FieldCipher(DataKeyRing(store, ring))


def _enc(
    cipher: FieldCipher, child: str = CHILD, event: str = "ev-1", field: str = "toelichting"
) -> EncryptedText:
    return cipher.encrypt(SECRET, child=child, event_id=event, field=field)


class TestRoundTrip:
    def test_encrypt_decrypt(self, cipher: FieldCipher) -> None:
        value = _enc(cipher)
        assert SECRET not in value.model_dump_json()
        assert cipher.decrypt(value, child=CHILD, event_id="ev-1", field="toelichting") == SECRET

    def test_one_data_key_per_child(self, cipher: FieldCipher, store: InMemoryDataKeyStore) -> None:
        a, b, c = _enc(cipher), _enc(cipher, event="ev-2"), _enc(cipher, child=OTHER)
        assert a.kid == b.kid != c.kid
        assert a.iv != b.iv
        assert sorted(store.records) == [CHILD, OTHER]
        assert data_key_belongs_to(a.kid, CHILD)
        assert not data_key_belongs_to(a.kid, OTHER)

    def test_a_fresh_process_reads_from_the_store(
        self, cipher: FieldCipher, store: InMemoryDataKeyStore, ring: KeyRing
    ) -> None:
        value = _enc(cipher)
        fresh = FieldCipher(DataKeyRing(store, ring))
        assert fresh.decrypt(value, child=CHILD, event_id="ev-1", field="toelichting") == SECRET

    def test_unicode(self, cipher: FieldCipher) -> None:
        value = cipher.encrypt("één loket – ✓", child=CHILD, event_id="e", field="f")
        assert cipher.decrypt(value, child=CHILD, event_id="e", field="f") == "één loket – ✓"


class TestBinding:
    @pytest.mark.parametrize(
        ("event", "field"), [("ev-2", "toelichting"), ("ev-1", "samenvatting")]
    )
    def test_moved_to_other_event_or_field_fails(
        self, cipher: FieldCipher, event: str, field: str
    ) -> None:
        value = _enc(cipher)
        with pytest.raises(FieldCryptoError, match="moved to another event or field") as info:
            cipher.decrypt(value, child=CHILD, event_id=event, field=field)
        assert SECRET not in str(info.value)

    def test_moved_to_other_child_fails_closed(self, cipher: FieldCipher) -> None:
        value = _enc(cipher)
        _enc(cipher, child=OTHER)
        with pytest.raises(WrongChild, match="another child"):
            cipher.decrypt(value, child=OTHER, event_id="ev-1", field="toelichting")
        with pytest.raises(WrongChild):
            decrypt_or_gewist(cipher, value, child=OTHER, event_id="ev-1", field="toelichting")

    def test_tampered_ciphertext_fails(self, cipher: FieldCipher) -> None:
        value = _enc(cipher)
        raw = bytearray(EncryptedText.unb64(value.ct))
        raw[0] ^= 1
        tampered = value.model_copy(update={"ct": EncryptedText.b64(bytes(raw))})
        with pytest.raises(FieldCryptoError, match="tampered"):
            cipher.decrypt(tampered, child=CHILD, event_id="ev-1", field="toelichting")

    def test_tampered_iv_fails(self, cipher: FieldCipher) -> None:
        value = _enc(cipher)
        other_iv = value.model_copy(update={"iv": EncryptedText.b64(bytes(12))})
        with pytest.raises(FieldCryptoError):
            cipher.decrypt(other_iv, child=CHILD, event_id="ev-1", field="toelichting")


class TestErasure:
    def test_erased_reads_gewist(self, cipher: FieldCipher) -> None:
        value = _enc(cipher)
        cipher.datakeys.erase(CHILD)
        with pytest.raises(DataKeyErased):
            cipher.decrypt(value, child=CHILD, event_id="ev-1", field="toelichting")
        assert (
            decrypt_or_gewist(cipher, value, child=CHILD, event_id="ev-1", field="toelichting")
            == GEWIST
        )

    def test_new_key_after_erasure_does_not_revive_old_fields(
        self, cipher: FieldCipher, store: InMemoryDataKeyStore
    ) -> None:
        old = _enc(cipher)
        store.erase(CHILD)  # as when the tombstone arrives from the topic
        new = _enc(cipher, event="ev-9")
        assert new.kid != old.kid
        assert (
            decrypt_or_gewist(cipher, old, child=CHILD, event_id="ev-1", field="toelichting")
            == GEWIST
        )
        assert cipher.decrypt(new, child=CHILD, event_id="ev-9", field="toelichting") == SECRET


class TestKeys:
    def test_wrapped_key_is_bound_to_its_child(
        self, cipher: FieldCipher, store: InMemoryDataKeyStore
    ) -> None:
        value = _enc(cipher)
        record = store.records[CHILD]
        store.records[CHILD] = record.model_copy(update={"child": OTHER})
        fresh = FieldCipher(DataKeyRing(store, cipher.datakeys.ring))
        with pytest.raises(FieldCryptoError, match="does not open"):
            fresh.decrypt(value, child=CHILD, event_id="ev-1", field="toelichting")

    def test_unknown_kek_fails(self, cipher: FieldCipher, store: InMemoryDataKeyStore) -> None:
        value = _enc(cipher)
        other_ring = KeyRing([fixed_key("kek", 2, 20)])
        with pytest.raises(KeyRingError, match=r"'kek\.v1' is not in the key ring"):
            FieldCipher(DataKeyRing(store, other_ring)).decrypt(
                value, child=CHILD, event_id="ev-1", field="toelichting"
            )

    def test_wrong_kek_material_fails(
        self, cipher: FieldCipher, store: InMemoryDataKeyStore
    ) -> None:
        value = _enc(cipher)
        impostor = KeyRing([fixed_key("kek", 1, 21)])
        with pytest.raises(FieldCryptoError, match="wrong KEK"):
            FieldCipher(DataKeyRing(store, impostor)).decrypt(
                value, child=CHILD, event_id="ev-1", field="toelichting"
            )

    def test_rewrap_after_kek_rotation(
        self, cipher: FieldCipher, store: InMemoryDataKeyStore, ring: KeyRing
    ) -> None:
        value = _enc(cipher)
        rotated = KeyRing([ring.kek(), fixed_key("kek", 2, 20)])
        store.records[CHILD] = rewrap(store.records[CHILD], rotated)
        assert store.records[CHILD].kek == "kek.v2"
        only_new = KeyRing([fixed_key("kek", 2, 20)])
        fresh = FieldCipher(DataKeyRing(store, only_new))
        assert fresh.decrypt(value, child=CHILD, event_id="ev-1", field="toelichting") == SECRET

    def test_nul_in_field_name_refused(self, cipher: FieldCipher) -> None:
        with pytest.raises(FieldCryptoError, match="NUL"):
            cipher.encrypt("x", child=CHILD, event_id="e\x00", field="f")

    def test_child_must_be_a_pseudonym(self, cipher: FieldCipher) -> None:
        with pytest.raises(FieldCryptoError, match="64-hex pseudonym"):
            cipher.encrypt("x", child="123456782", event_id="e", field="f")

    def test_too_long_plaintext_refused(self, cipher: FieldCipher) -> None:
        with pytest.raises(FieldCryptoError, match="too long"):
            cipher.encrypt("x" * 20_000, child=CHILD, event_id="e", field="f")
