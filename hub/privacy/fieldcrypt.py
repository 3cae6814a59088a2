"""Field encryption per child: AES-256-GCM under a data key, the data key wrapped by the KEK."""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from hub.events.fields import EncryptedText, KeyId, Pseudonym
from hub.privacy.keyring import KEK, Key, KeyRing, KeyRingError

#: What a reader shows instead of a field whose child was erased (crypto-shredded).
GEWIST = "gewist"

FIELD_AAD_LABEL = "ojh.field.v1"
WRAP_AAD_LABEL = "ojh.datakey.v1"
NONCE_BYTES = 12
DATA_KEY_BYTES = 32

DataKeyId = Annotated[str, StringConstraints(pattern=r"^dk\.[0-9a-f]{16}\.[0-9a-f]{16}$")]


class FieldCryptoError(RuntimeError):
    """A field could not be encrypted or decrypted; the message never holds plaintext or keys."""


class DataKeyErased(FieldCryptoError):
    """The child's data key that encrypted this field is gone: the field was erased."""


class WrongChild(FieldCryptoError):
    """The ciphertext's data key belongs to another child than the one it is read for."""


class WrappedDataKey(BaseModel):
    """A child's data key as stored (compacted topic value): KEK-wrapped, bound to the child."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    v: int = Field(default=1, ge=1, le=1)
    child: Pseudonym
    kid: DataKeyId
    kek: KeyId
    iv: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16}$")]
    wrapped: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{64}$")]


class DataKeyStore(Protocol):
    """Where wrapped data keys live, keyed by child pseudonym (a dict, or a compacted topic)."""

    def get(self, child: str) -> WrappedDataKey | None:
        """The child's wrapped data key, or None when it has none (never had, or erased)."""
        ...

    def put(self, record: WrappedDataKey) -> None:
        """Store the child's wrapped data key."""
        ...

    def erase(self, child: str) -> None:
        """Destroy the child's data key."""
        ...

    def drain_pending(self) -> list[tuple[bytes, bytes | None]]:
        """Take the (key, value) records queued by put and erase since the last drain."""
        ...


class InMemoryDataKeyStore:
    """A dict of wrapped data keys, for tests and single-process tools."""

    def __init__(self) -> None:
        self.records: dict[str, WrappedDataKey] = {}
        self._pending: list[tuple[bytes, bytes | None]] = []

    def get(self, child: str) -> WrappedDataKey | None:
        """The child's wrapped data key, if any."""
        return self.records.get(child)

    def put(self, record: WrappedDataKey) -> None:
        """Store (replace) the child's wrapped data key."""
        self.records[record.child] = record
        self._pending.append((record.child.encode("ascii"), record.model_dump_json().encode()))

    def erase(self, child: str) -> None:
        """Forget the child's data key."""
        self.records.pop(child, None)
        self._pending.append((child.encode("ascii"), None))

    def drain_pending(self) -> list[tuple[bytes, bytes | None]]:
        """Take the queued records (what a Kafka store would write)."""
        pending, self._pending = self._pending, []
        return pending


def data_key_id(child: str, nonce: bytes) -> str:
    """`dk.<nonce hex>.<first 8 bytes of SHA-256(child || nonce) hex>`: bound to its child."""
    check = hashlib.sha256(child.encode("ascii") + nonce).hexdigest()[:16]
    return f"dk.{nonce.hex()}.{check}"


def data_key_belongs_to(kid: str, child: str) -> bool:
    """True when data key id `kid` was made for `child` (see `data_key_id`)."""
    parts = kid.split(".")
    if len(parts) != 3 or parts[0] != "dk" or len(parts[1]) != 16:
        return False
    try:
        nonce = bytes.fromhex(parts[1])
    except ValueError:
        return False
    return data_key_id(child, nonce) == kid


def wrap_aad(child: str, kid: str, kek_kid: str) -> bytes:
    """Associated data of a wrapped data key: label, child, data key id, KEK id, NUL-separated."""
    return "\x00".join((WRAP_AAD_LABEL, child, kid, kek_kid)).encode("utf-8")


def field_aad(child: str, event_id: str, field: str, kid: str) -> bytes:
    """Associated data of a field: label, child, event id, field, data key id; NUL-separated."""
    if len(child) != 64 or child.strip("0123456789abcdef"):
        raise FieldCryptoError("child must be a 64-hex pseudonym")
    for part in (event_id, field):
        if not part or "\x00" in part:
            raise FieldCryptoError("event id and field name must be non-empty and free of NUL")
    return "\x00".join((FIELD_AAD_LABEL, child, event_id, field, kid)).encode("utf-8")


def wrap_data_key(
    child: str, kid: str, data_key: bytes, kek: Key, iv: bytes | None = None
) -> WrappedDataKey:
    """Wrap `data_key` with AES-256-GCM under the KEK, bound to the child and the data key id."""
    if kek.name != KEK:
        raise KeyRingError(f"{kek.kid} is not a key-encryption key")
    if len(child) != 64 or child.strip("0123456789abcdef"):
        raise FieldCryptoError("child must be a 64-hex pseudonym")
    iv = secrets.token_bytes(NONCE_BYTES) if iv is None else iv
    wrapped = AESGCM(kek.material).encrypt(iv, data_key, wrap_aad(child, kid, kek.kid))
    return WrappedDataKey(
        child=child,
        kid=kid,
        kek=kek.kid,
        iv=EncryptedText.b64(iv),
        wrapped=EncryptedText.b64(wrapped),
    )


def unwrap_data_key(record: WrappedDataKey, ring: KeyRing) -> bytes:
    """The data key inside `record`; FieldCryptoError when the KEK is unknown or it was tampered."""
    kek = ring.get(record.kek)
    try:
        return AESGCM(kek.material).decrypt(
            EncryptedText.unb64(record.iv),
            EncryptedText.unb64(record.wrapped),
            wrap_aad(record.child, record.kid, record.kek),
        )
    except InvalidTag:
        raise FieldCryptoError(
            f"wrapped data key {record.kid} does not open under {record.kek} (wrong KEK, tampered)"
        ) from None


def rewrap(record: WrappedDataKey, ring: KeyRing) -> WrappedDataKey:
    """The same data key wrapped under the current KEK (after a KEK rotation)."""
    if record.kek == ring.kek().kid:
        return record
    return wrap_data_key(record.child, record.kid, unwrap_data_key(record, ring), ring.kek())


class DataKeyRing:
    """The per-child data keys: created on first encryption, unwrapped (and cached) on use."""

    def __init__(self, store: DataKeyStore, ring: KeyRing) -> None:
        self.store = store
        self.ring = ring
        self._cache: dict[str, tuple[str, bytes]] = {}

    def for_encryption(self, child: str) -> tuple[str, bytes]:
        """The child's (data key id, data key), creating and storing one if it has none."""
        cached = self._cache.get(child)
        record = self.store.get(child)
        if record is None:
            nonce = secrets.token_bytes(8)
            kid = data_key_id(child, nonce)
            key = secrets.token_bytes(DATA_KEY_BYTES)
            self.store.put(wrap_data_key(child, kid, key, self.ring.kek()))
            self._cache[child] = (kid, key)
            return kid, key
        if cached is not None and cached[0] == record.kid:
            return cached
        key = unwrap_data_key(record, self.ring)
        self._cache[child] = (record.kid, key)
        return record.kid, key

    def for_decryption(self, child: str, kid: str) -> bytes:
        """The data key `kid` of `child`; DataKeyErased or WrongChild when it cannot be had."""
        if not data_key_belongs_to(kid, child):
            raise WrongChild("ciphertext belongs to another child (data key id does not match)")
        cached = self._cache.get(child)
        record = self.store.get(child)
        if record is None or record.kid != kid:
            self._cache.pop(child, None)
            raise DataKeyErased("the data key of this field was erased")
        if cached is not None and cached[0] == kid:
            return cached[1]
        key = unwrap_data_key(record, self.ring)
        self._cache[child] = (kid, key)
        return key

    def erase(self, child: str) -> None:
        """Crypto-shred: drop the child's data key from the store and from the cache."""
        self._cache.pop(child, None)
        self.store.erase(child)


class FieldCipher:
    """Encrypt and decrypt one field of one event of one child."""

    def __init__(self, datakeys: DataKeyRing) -> None:
        self.datakeys = datakeys

    def encrypt(
        self, plaintext: str, *, child: str, event_id: str, field: str, iv: bytes | None = None
    ) -> EncryptedText:
        """AES-256-GCM of UTF-8 `plaintext` under the child's data key, bound by the AAD."""
        kid, key = self.datakeys.for_encryption(child)
        return encrypt_field(
            plaintext, key, kid, child=child, event_id=event_id, field=field, iv=iv
        )

    def decrypt(self, value: EncryptedText, *, child: str, event_id: str, field: str) -> str:
        """The plaintext; DataKeyErased, WrongChild or FieldCryptoError when it cannot be read."""
        key = self.datakeys.for_decryption(child, value.kid)
        return decrypt_field(value, key, child=child, event_id=event_id, field=field)


def encrypt_field(
    plaintext: str,
    key: bytes,
    kid: str,
    *,
    child: str,
    event_id: str,
    field: str,
    iv: bytes | None = None,
) -> EncryptedText:
    """The pure AES-256-GCM step with a given data key (fixed `iv` only for test vectors)."""
    iv = secrets.token_bytes(NONCE_BYTES) if iv is None else iv
    if len(iv) != NONCE_BYTES:
        raise FieldCryptoError("the GCM nonce must be 12 bytes")
    ct = AESGCM(key).encrypt(iv, plaintext.encode("utf-8"), field_aad(child, event_id, field, kid))
    try:
        return EncryptedText(kid=kid, iv=EncryptedText.b64(iv), ct=EncryptedText.b64(ct))
    except ValidationError:
        raise FieldCryptoError("the field is too long to encrypt") from None


def decrypt_field(
    value: EncryptedText, key: bytes, *, child: str, event_id: str, field: str
) -> str:
    """The pure AES-256-GCM opening step; FieldCryptoError on any mismatch or tampering."""
    try:
        plaintext = AESGCM(key).decrypt(
            EncryptedText.unb64(value.iv),
            EncryptedText.unb64(value.ct),
            field_aad(child, event_id, field, value.kid),
        )
    except (InvalidTag, ValueError):
        raise FieldCryptoError(
            "ciphertext does not open: tampered, or moved to another event or field"
        ) from None
    return plaintext.decode("utf-8")


def decrypt_or_gewist(
    cipher: FieldCipher, value: EncryptedText, *, child: str, event_id: str, field: str
) -> str:
    """The plaintext, or `GEWIST` when the child's data key was erased; other errors raise."""
    try:
        return cipher.decrypt(value, child=child, event_id=event_id, field=field)
    except DataKeyErased:
        return GEWIST
