"""Per-audience encryption: each audience opens the fields it is granted with its own private key.

For one child and one audience the projector derives an audience child key from the child's data
key, encrypts each granted field under it, and sends the audience child key sealed to the
audience's X25519 public key on the audience's compacted key topic (record key = the audience
pseudonym). Nothing is shared between two audiences: the key, its id, every nonce and
ciphertext differ. Erasure destroys the child's data key and tombstones every audience's key
record, so no ciphertext of that child opens any more. All byte layouts are in docs/privacy.md.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from hub.events.fields import EncryptedText, KeyId, Pseudonym
from hub.privacy.sealing import Sealed, SealError, open_sealed, seal

AUDIENCE_KEY_INFO = "ojh.audience-key.v1"
AUDIENCE_KID_LABEL = "ojh.audience-kid.v1"
AUDIENCE_WRAP_INFO = "ojh.audience-wrap.v1"
VIEW_FIELD_LABEL = "ojh.view-field.v1"
IV_BYTES = 12

#: What a subscriber shows for a field that does not open, by cause.
GEWIST = "gewist"
NIET_VOOR_ONTVANGER = "niet voor deze ontvanger"
BESCHADIGD = "beschadigd"

Outcome = Literal["open", "gewist", "niet voor deze ontvanger", "beschadigd"]

AudienceKeyId = Annotated[str, StringConstraints(pattern=r"^ak\.[0-9a-f]{16}$")]
_B64 = r"^[A-Za-z0-9_-]+$"


class AudienceKey(BaseModel):
    """An audience child key sealed to the audience (value of its key topic, key = subject)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    v: int = Field(default=1, ge=1, le=1)
    audience: str = Field(description="The audience this key is sealed to.")
    subject: Pseudonym = Field(description="The audience pseudonym of the child.")
    kid: AudienceKeyId = Field(description="Id of the audience child key (the fields' `kid`).")
    recipient: KeyId = Field(description="Id of the audience's X25519 key pair that opens it.")
    epk: Annotated[str, StringConstraints(pattern=_B64, min_length=43, max_length=43)]
    iv: Annotated[str, StringConstraints(pattern=_B64, min_length=16, max_length=16)]
    wrapped: Annotated[str, StringConstraints(pattern=_B64, min_length=64, max_length=64)]


class Opened(BaseModel):
    """The result of opening one field: `open` with its text, or why not (never partial text)."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    text: str | None = None

    @property
    def shown(self) -> str:
        """What a screen shows: the text, or the outcome in words."""
        return self.text if self.text is not None else self.outcome


def _nul(*parts: str) -> bytes:
    for part in parts:
        if "\x00" in part:
            raise ValueError("a part of the associated data holds NUL")
    return "\x00".join(parts).encode("utf-8")


def audience_child_key(data_key: bytes, audience: str, subject: str) -> bytes:
    """HKDF-SHA256(ikm = child's data key, no salt, info = label NUL audience NUL subject)."""
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=_nul(AUDIENCE_KEY_INFO, audience, subject),
    )
    return hkdf.derive(data_key)


def audience_key_id(audience_key: bytes) -> str:
    """`ak.` + hex of the first 8 bytes of SHA-256(label NUL key): per audience, never shared."""
    digest = hashlib.sha256(AUDIENCE_KID_LABEL.encode() + b"\x00" + audience_key).hexdigest()
    return "ak." + digest[:16]


def view_field_aad(audience: str, subject: str, view_id: str, field: str, kid: str) -> bytes:
    """Associated data of a view field: label, audience, subject, view id, field, key id."""
    return _nul(VIEW_FIELD_LABEL, audience, subject, view_id, field, kid)


def wrap_aad(audience: str, subject: str, kid: str, recipient: str) -> bytes:
    """Associated data of a sealed audience key: label, audience, subject, key id, recipient."""
    return _nul(AUDIENCE_WRAP_INFO, audience, subject, kid, recipient)


def encrypt_view_field(
    plaintext: str,
    audience_key: bytes,
    *,
    audience: str,
    subject: str,
    view_id: str,
    field: str,
    iv: bytes | None = None,
) -> EncryptedText:
    """AES-256-GCM of UTF-8 `plaintext` under the audience child key, bound by the AAD."""
    kid = audience_key_id(audience_key)
    iv = secrets.token_bytes(IV_BYTES) if iv is None else iv
    aad = view_field_aad(audience, subject, view_id, field, kid)
    ct = AESGCM(audience_key).encrypt(iv, plaintext.encode("utf-8"), aad)
    return EncryptedText(kid=kid, iv=EncryptedText.b64(iv), ct=EncryptedText.b64(ct))


def seal_audience_key(
    audience_key: bytes,
    *,
    audience: str,
    subject: str,
    recipient_kid: str,
    recipient_public: bytes,
    ephemeral: bytes | None = None,
    iv: bytes | None = None,
) -> AudienceKey:
    """The audience child key sealed to the audience's X25519 public key."""
    kid = audience_key_id(audience_key)
    sealed = seal(
        recipient_public,
        audience_key,
        info=AUDIENCE_WRAP_INFO.encode(),
        aad=wrap_aad(audience, subject, kid, recipient_kid),
        ephemeral=ephemeral,
        iv=iv,
    )
    return AudienceKey(
        audience=audience,
        subject=subject,
        kid=kid,
        recipient=recipient_kid,
        epk=EncryptedText.b64(sealed.epk),
        iv=EncryptedText.b64(sealed.iv),
        wrapped=EncryptedText.b64(sealed.ct),
    )


def open_audience_key(record: AudienceKey, private: bytes) -> bytes:
    """The audience child key inside `record`; SealError when it does not open."""
    sealed = Sealed(
        epk=EncryptedText.unb64(record.epk),
        iv=EncryptedText.unb64(record.iv),
        ct=EncryptedText.unb64(record.wrapped),
    )
    aad = wrap_aad(record.audience, record.subject, record.kid, record.recipient)
    key = open_sealed(private, sealed, info=AUDIENCE_WRAP_INFO.encode(), aad=aad)
    if len(key) != 32 or audience_key_id(key) != record.kid:
        raise SealError("the sealed key does not match its id")
    return key


def open_field(
    value: object,
    key_record: AudienceKey | None,
    private_keys: dict[str, bytes],
    *,
    audience: str,
    subject: str,
    view_id: str,
    field: str,
) -> Opened:
    """Open one view field as the audience (pure, reusable by a subscriber kit).

    `value` is the field as received (JSON object), `key_record` the audience's key record for
    `subject` (None when its key topic has none: erased), `private_keys` the audience's X25519
    private keys by key id. Never raises on bad input, never returns partial text.
    """
    try:
        encrypted = EncryptedText.model_validate(value)
    except ValidationError:
        return Opened(outcome=BESCHADIGD)
    if not encrypted.kid.startswith("ak."):
        return Opened(outcome=NIET_VOOR_ONTVANGER)
    if key_record is None or key_record.kid != encrypted.kid:
        return Opened(outcome=GEWIST)
    if key_record.audience != audience or key_record.subject != subject:
        return Opened(outcome=NIET_VOOR_ONTVANGER)
    private = private_keys.get(key_record.recipient)
    if private is None:
        return Opened(outcome=NIET_VOOR_ONTVANGER)
    try:
        key = open_audience_key(key_record, private)
        aad = view_field_aad(audience, subject, view_id, field, encrypted.kid)
        plaintext = AESGCM(key).decrypt(
            EncryptedText.unb64(encrypted.iv), EncryptedText.unb64(encrypted.ct), aad
        )
        return Opened(outcome="open", text=plaintext.decode("utf-8"))
    except (SealError, InvalidTag, ValueError):
        return Opened(outcome=BESCHADIGD)
