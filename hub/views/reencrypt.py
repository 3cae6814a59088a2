"""The projector's encryption step: granted notes re-encrypted per audience, keys per audience.

A note arrives sealed to the hub's intake key. For each audience granted it, the projector
opens it once, encrypts it under that audience's child key (derived from the child's data key)
and, the first time the audience hears of the child, sends it that key sealed to the audience's
X25519 public key. The child's data key is made here, by the instance that owns the child's
partition: one writer per child.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog

from hub.events.envelope import Event
from hub.events.fields import EncryptedText
from hub.privacy.audiencecrypt import (
    AudienceKey,
    audience_child_key,
    encrypt_view_field,
    seal_audience_key,
)
from hub.privacy.fieldcrypt import DataKeyRing
from hub.privacy.intake import IntakeError, open_intake
from hub.privacy.keyring import KeyRing
from hub.views.policy import Grant
from hub.views.project import ViewEvent

log = structlog.get_logger(__name__)


class ViewCrypto:
    """Per-audience re-encryption over the ring and the child data keys (one instance per run)."""

    def __init__(self, ring: KeyRing, datakeys: DataKeyRing) -> None:
        self.ring = ring
        self.datakeys = datakeys

    def notes(self, event: Event[Any]) -> dict[str, str]:
        """The plaintext of each intake-sealed field of the event (opened once per event)."""
        opened: dict[str, str] = {}
        for name, value in event.data:
            if not isinstance(value, EncryptedText):
                continue
            try:
                opened[name] = open_intake(
                    value, self.ring, child=event.subject, event_id=event.id, field=name
                )
            except IntakeError as exc:
                # Never forwarded: an unopened intake ciphertext would be the same for every
                # audience. The field is left out of the view.
                log.warning("views.note_unreadable", field=name, reason=type(exc).__name__)
        return opened

    def reencrypt(
        self, view: ViewEvent, grant: Grant, notes: Mapping[str, str], hub: str
    ) -> ViewEvent:
        """The view with each granted note under the audience child key (others left out)."""
        data = dict(view.data)
        key: bytes | None = None
        for name in grant.encrypted:
            if name not in data:
                continue
            text = notes.get(name)
            if text is None:
                del data[name]
                continue
            if key is None:
                key = self.audience_key(hub, view.audience, view.subject)
            data[name] = encrypt_view_field(
                text,
                key,
                audience=view.audience,
                subject=view.subject,
                view_id=view.id,
                field=name,
            ).model_dump(mode="json", exclude_none=True)
        return view.model_copy(update={"data": data})

    def audience_key(self, hub: str, audience: str, subject: str) -> bytes:
        """The audience child key of the child (hub pseudonym `hub`), making its data key if new."""
        _, data_key = self.datakeys.for_encryption(hub)
        return audience_child_key(data_key, audience, subject)

    def sealed_key(self, hub: str, audience: str, key_audience: str, subject: str) -> AudienceKey:
        """The audience child key sealed to the audience's current X25519 public key."""
        recipient = self.ring.recipient_key(key_audience)
        return seal_audience_key(
            self.audience_key(hub, audience, subject),
            audience=audience,
            subject=subject,
            recipient_kid=recipient.kid,
            recipient_public=recipient.material,
        )

    def erase(self, hub: str) -> None:
        """Crypto-shred: forget the child's data key (its tombstone is queued)."""
        self.datakeys.erase(hub)

    def drain(self) -> list[tuple[bytes, bytes | None]]:
        """The data-key records to write in the same transaction as the views."""
        return self.datakeys.store.drain_pending()
