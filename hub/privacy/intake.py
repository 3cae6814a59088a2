"""Notes on their way in: the adapter seals free text to the hub's intake public key.

An adapter needs no per-child key and no state to protect a note: it seals each note to the
intake X25519 public key (`intake.v<n>` in the hub's ring is the private key; the public key is
derived from it). Only the projector opens intake-sealed notes, and only to re-encrypt them for
the audiences the policy grants them to. Data keys are therefore made in one place (the
projector, which owns the child's partition), never at the edge.
"""

from __future__ import annotations

from pydantic import ValidationError

from hub.events.fields import EncryptedText
from hub.privacy.keyring import INTAKE, KeyRing, KeyRingError
from hub.privacy.sealing import Sealed, SealError, open_sealed, public_key, seal

INTAKE_LABEL = "ojh.intake.v1"
ALG = "X25519-A256GCM"


class IntakeError(ValueError):
    """An intake-sealed note that does not open; the message holds no text or key."""


def intake_aad(child: str, event_id: str, field: str, kid: str) -> bytes:
    """Associated data: label NUL child NUL event id NUL field NUL intake key id (UTF-8)."""
    parts = (INTAKE_LABEL, child, event_id, field, kid)
    if any("\x00" in p for p in parts) or not event_id or not field:
        raise IntakeError("event id and field name must be non-empty and free of NUL")
    return "\x00".join(parts).encode("utf-8")


class IntakeSealer:
    """Seal notes to the current intake public key (what an adapter's `Context.cipher` is)."""

    def __init__(self, kid: str, recipient_public: bytes) -> None:
        self.kid = kid
        self.recipient_public = recipient_public

    @classmethod
    def from_keyring(cls, ring: KeyRing) -> IntakeSealer:
        """The sealer for the ring's current intake key."""
        try:
            key = ring.current(INTAKE)
        except KeyRingError:
            raise KeyRingError(
                "no intake key in the key ring: notes are sealed to it "
                "(add it with `hub keys rotate --kind intake`)"
            ) from None
        return cls(key.kid, public_key(key.material))

    def encrypt(
        self,
        plaintext: str,
        *,
        child: str,
        event_id: str,
        field: str,
        ephemeral: bytes | None = None,
        iv: bytes | None = None,
    ) -> EncryptedText:
        """The note sealed to the hub, bound to child, event and field."""
        sealed = seal(
            self.recipient_public,
            plaintext.encode("utf-8"),
            info=INTAKE_LABEL.encode(),
            aad=intake_aad(child, event_id, field, self.kid),
            ephemeral=ephemeral,
            iv=iv,
        )
        try:
            return EncryptedText(
                alg=ALG,
                kid=self.kid,
                epk=EncryptedText.b64(sealed.epk),
                iv=EncryptedText.b64(sealed.iv),
                ct=EncryptedText.b64(sealed.ct),
            )
        except ValidationError:
            raise IntakeError("the note is too long to encrypt") from None


def open_intake(
    value: EncryptedText, ring: KeyRing, *, child: str, event_id: str, field: str
) -> str:
    """The note of an intake-sealed field; IntakeError when it is not one or does not open."""
    if value.alg != ALG or value.epk is None:
        raise IntakeError("not an intake-sealed note")
    try:
        private = ring.get(value.kid)
    except KeyRingError:
        raise IntakeError("unknown intake key") from None
    if private.name != INTAKE:
        raise IntakeError("not an intake key")
    sealed = Sealed(
        epk=EncryptedText.unb64(value.epk),
        iv=EncryptedText.unb64(value.iv),
        ct=EncryptedText.unb64(value.ct),
    )
    aad = intake_aad(child, event_id, field, value.kid)
    try:
        return open_sealed(private.material, sealed, info=INTAKE_LABEL.encode(), aad=aad).decode()
    except (SealError, UnicodeDecodeError):
        raise IntakeError("intake note does not open (tampered, or moved)") from None
