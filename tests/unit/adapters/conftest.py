"""Fixtures for adapter tests: throw-away keys, a context, an in-memory ingest service."""

from __future__ import annotations

import pytest

from hub.adapters.ingest import IngestService, MemoryPublisher
from hub.adapters.kit import Context
from hub.adapters.registry import builtin_registry
from hub.events.fields import EncryptedText
from hub.privacy.intake import IntakeSealer, open_intake
from hub.privacy.keyring import INTAKE, KEK, PSEUDONYM, Key, KeyRing


class NoteCipher(IntakeSealer):
    """The adapters' sealer, plus the hub's opening side for assertions."""

    def __init__(self, ring: KeyRing) -> None:
        sealer = IntakeSealer.from_keyring(ring)
        super().__init__(sealer.kid, sealer.recipient_public)
        self.ring = ring

    def decrypt(self, value: EncryptedText, *, child: str, event_id: str, field: str) -> str:
        """What the projector opens."""
        return open_intake(value, self.ring, child=child, event_id=event_id, field=field)


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing(
        [Key(PSEUDONYM, 1, b"p" * 32), Key(KEK, 1, b"k" * 32), Key(INTAKE, 1, b"i" * 32)]
    )


@pytest.fixture
def ctx(ring: KeyRing) -> Context:
    return Context.from_keyring(ring)


@pytest.fixture
def cipher(ring: KeyRing) -> NoteCipher:
    return NoteCipher(ring)


@pytest.fixture
def publisher() -> MemoryPublisher:
    return MemoryPublisher()


@pytest.fixture
def service(publisher: MemoryPublisher, ctx: Context) -> IngestService:
    return IngestService(builtin_registry(), publisher, ctx, chunk=100)
