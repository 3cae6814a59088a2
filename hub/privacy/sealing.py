"""Sealing to an X25519 public key, HPKE-style: ephemeral X25519, HKDF-SHA256, AES-256-GCM.

Layout (every step is in every language's standard crypto library):

    shared = X25519(ephemeral private, recipient public)          32 bytes
    key    = HKDF-SHA256(ikm = shared, salt = epk || recipient public, info = info, L = 32)
    ct     = AES-256-GCM(key, iv = 12 random bytes, plaintext, aad)   ciphertext || 16-byte tag

`epk` is the ephemeral public key (32 bytes); each seal uses a fresh ephemeral key pair, so the
same plaintext sealed twice shares no byte. Only the holder of the recipient's private key opens.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

X25519_BYTES = 32
IV_BYTES = 12

_RAW = serialization.Encoding.Raw
_RAW_PUBLIC = serialization.PublicFormat.Raw


class SealError(ValueError):
    """A sealed value does not open (wrong key, tampered); the message holds no secret."""


@dataclass(frozen=True, slots=True)
class Sealed:
    """One sealed value: ephemeral public key, GCM nonce, ciphertext with tag (raw bytes)."""

    epk: bytes
    iv: bytes
    ct: bytes


def public_key(private: bytes) -> bytes:
    """The raw 32-byte X25519 public key of a raw 32-byte private key."""
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(_RAW, _RAW_PUBLIC)


def new_private_key() -> bytes:
    """A fresh raw X25519 private key."""
    return X25519PrivateKey.generate().private_bytes_raw()


def _key(shared: bytes, epk: bytes, recipient: bytes, info: bytes) -> bytes:
    if shared == bytes(X25519_BYTES):
        raise SealError("the recipient key is a low-order point")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + recipient, info=info)
    return hkdf.derive(shared)


def seal(
    recipient: bytes,
    plaintext: bytes,
    *,
    info: bytes,
    aad: bytes,
    ephemeral: bytes | None = None,
    iv: bytes | None = None,
) -> Sealed:
    """Seal `plaintext` to the raw X25519 public key `recipient` (fixed inputs for vectors only)."""
    if len(recipient) != X25519_BYTES:
        raise SealError("the recipient key must be 32 bytes")
    eph = X25519PrivateKey.from_private_bytes(ephemeral or new_private_key())
    epk = eph.public_key().public_bytes(_RAW, _RAW_PUBLIC)
    try:
        shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient))
    except ValueError:
        raise SealError("the recipient key is a low-order point") from None
    iv = secrets.token_bytes(IV_BYTES) if iv is None else iv
    ct = AESGCM(_key(shared, epk, recipient, info)).encrypt(iv, plaintext, aad)
    return Sealed(epk=epk, iv=iv, ct=ct)


def open_sealed(private: bytes, sealed: Sealed, *, info: bytes, aad: bytes) -> bytes:
    """The plaintext of `sealed` under the raw X25519 private key; SealError when it fails."""
    if len(sealed.epk) != X25519_BYTES or len(sealed.iv) != IV_BYTES or len(sealed.ct) < 16:
        raise SealError("malformed sealed value")
    me = X25519PrivateKey.from_private_bytes(private)
    recipient = me.public_key().public_bytes(_RAW, _RAW_PUBLIC)
    try:
        shared = me.exchange(X25519PublicKey.from_public_bytes(sealed.epk))
        return AESGCM(_key(shared, sealed.epk, recipient, info)).decrypt(sealed.iv, sealed.ct, aad)
    except (InvalidTag, ValueError):
        raise SealError("does not open: another recipient, or tampered") from None
