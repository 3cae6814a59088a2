"""Hub and audience pseudonyms (keyed HMAC-SHA256) and the link that survives key rotation."""

from __future__ import annotations

import hashlib
import hmac

from pydantic import BaseModel, ConfigDict

from hub.events.fields import KeyId, Pseudonym
from hub.privacy.identifiers import Identifier, parse_identifier
from hub.privacy.keyring import PSEUDONYM, Key, KeyRing, KeyRingError, parse_kid


class HubPseudonym(BaseModel):
    """A child's hub pseudonym with the id of the regional key that made it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: Pseudonym
    kid: KeyId


class PseudonymLink(BaseModel):
    """Hub-internal record: the child known as `old` under `old_kid` is `new` under `new_kid`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    old: Pseudonym
    old_kid: KeyId
    new: Pseudonym
    new_kid: KeyId


def _hmac_hex(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _pseudonym_key(key: Key) -> Key:
    if key.name != PSEUDONYM:
        raise KeyRingError(f"{key.kid} is not a regional pseudonym key")
    return key


def hub_pseudonym(identifier: Identifier, key: Key) -> HubPseudonym:
    """HMAC-SHA256(regional key, UTF-8 of `kind:digits`) as 64 lowercase hex, with the kid."""
    key = _pseudonym_key(key)
    value = _hmac_hex(key.material, identifier.typed().encode("utf-8"))
    return HubPseudonym(value=value, kid=key.kid)


def pseudonymise(identifier: Identifier, ring: KeyRing) -> HubPseudonym:
    """The hub pseudonym under the region's current pseudonym key."""
    return hub_pseudonym(identifier, ring.pseudonym_key())


def pseudonymise_raw(kind: str, raw: str | int, ring: KeyRing) -> HubPseudonym:
    """Validate, normalise and pseudonymise in one step (InvalidIdentifier on bad input)."""
    return pseudonymise(parse_identifier(kind, raw), ring)


def audience_pseudonym(hub: str, audience_key: Key) -> str:
    """HMAC-SHA256(audience key, ASCII of the 64-hex hub pseudonym) as 64 lowercase hex."""
    if not audience_key.name.startswith("audience-"):
        raise KeyRingError(f"{audience_key.kid} is not an audience key")
    if len(hub) != 64 or any(c not in "0123456789abcdef" for c in hub):
        raise ValueError("hub pseudonym must be 64 lowercase hex characters")
    return _hmac_hex(audience_key.material, hub.encode("ascii"))


def audience_pseudonym_for(audience: str, hub: str, ring: KeyRing) -> str:
    """The audience pseudonym of a hub pseudonym under that audience's current key."""
    return audience_pseudonym(hub, ring.audience_key(audience))


def adapter_audience_pseudonym(identifier: Identifier, regional_key: Key, audience_key: Key) -> str:
    """What a partner's adapter can compute for a child it knows: its own audience pseudonym.

    It needs the identifier, the regional key and its own audience key, and learns nothing
    about any other audience's pseudonym, which needs that audience's key.
    """
    return audience_pseudonym(hub_pseudonym(identifier, regional_key).value, audience_key)


#: Domain separation: a record id's HMAC message never equals a pseudonym's (`bsn:...`).
RECORD_ID_LABEL = "ojh.record.v1"


def keyed_record_id(partner: str, record: str, key: Key) -> str:
    """`r` + 32 hex of HMAC-SHA256(regional key, UTF-8(label NUL partner NUL record)).

    A partner's identifier (a record number, a pupil number) becomes part of an event id only
    through this keyed hash, so nobody without the regional key can test guesses against ids.
    """
    key = _pseudonym_key(key)
    if "\x00" in partner or "\x00" in record:
        raise ValueError("a record id must not contain NUL")
    message = "\x00".join((RECORD_ID_LABEL, partner, record)).encode("utf-8")
    return "r" + _hmac_hex(key.material, message)[:32]


def pseudonym_link(identifier: Identifier, old_key: Key, new_key: Key) -> PseudonymLink:
    """The link old -> new for one child, computed where both regional keys are at hand."""
    old, new = hub_pseudonym(identifier, old_key), hub_pseudonym(identifier, new_key)
    if parse_kid(old.kid)[1] >= parse_kid(new.kid)[1]:
        raise KeyRingError("a pseudonym link goes from an older key version to a newer one")
    return PseudonymLink(old=old.value, old_kid=old.kid, new=new.value, new_kid=new.kid)


def audience_link(link: PseudonymLink, audience_key: Key) -> PseudonymLink:
    """The same link seen by one audience: its old and new audience pseudonyms of the child."""
    return PseudonymLink(
        old=audience_pseudonym(link.old, audience_key),
        old_kid=link.old_kid,
        new=audience_pseudonym(link.new, audience_key),
        new_kid=link.new_kid,
    )


class RotationLinker:
    """During a rotation: pseudonymise under the new key, and emit each child's link only once."""

    def __init__(self, old_key: Key, new_key: Key) -> None:
        self._old, self._new = _pseudonym_key(old_key), _pseudonym_key(new_key)
        # Raw digests, not hex: a region's children fit in memory during a rotation.
        self._linked: set[bytes] = set()

    @classmethod
    def from_ring(cls, ring: KeyRing) -> RotationLinker:
        """Link the previous regional key version to the current one."""
        versions = ring.versions(PSEUDONYM)
        if len(versions) < 2:
            raise KeyRingError("no rotation: the key ring holds one regional pseudonym key")
        return cls(versions[-2], versions[-1])

    def pseudonymise(self, identifier: Identifier) -> tuple[HubPseudonym, PseudonymLink | None]:
        """The new pseudonym, and the link when this child was not linked before by this linker."""
        new = hub_pseudonym(identifier, self._new)
        digest = bytes.fromhex(new.value)
        if digest in self._linked:
            return new, None
        self._linked.add(digest)
        return new, pseudonym_link(identifier, self._old, self._new)

    def forget(self, pseudonyms: set[str]) -> None:
        """Treat these (new) pseudonyms as not yet linked, e.g. after a lost send."""
        self._linked -= {bytes.fromhex(p) for p in pseudonyms}
