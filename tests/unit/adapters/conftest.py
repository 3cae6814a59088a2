"""Fixtures for adapter tests: throw-away keys, a context, an in-memory ingest service."""

from __future__ import annotations

import pytest

from hub.adapters.ingest import IngestService, MemoryPublisher
from hub.adapters.kit import Context
from hub.adapters.registry import builtin_registry
from hub.privacy.fieldcrypt import DataKeyRing, FieldCipher, InMemoryDataKeyStore
from hub.privacy.keyring import KEK, PSEUDONYM, Key, KeyRing


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing([Key(PSEUDONYM, 1, b"p" * 32), Key(KEK, 1, b"k" * 32)])


@pytest.fixture
def ctx(ring: KeyRing) -> Context:
    return Context.from_keyring(ring)


@pytest.fixture
def cipher(ring: KeyRing) -> FieldCipher:
    return FieldCipher(DataKeyRing(InMemoryDataKeyStore(), ring))


@pytest.fixture
def publisher() -> MemoryPublisher:
    return MemoryPublisher()


@pytest.fixture
def service(publisher: MemoryPublisher, ctx: Context) -> IngestService:
    return IngestService(builtin_registry(), publisher, ctx, chunk=100)
