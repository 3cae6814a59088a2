"""Fixed key rings for the privacy unit tests (made-up keys, never real ones)."""

from __future__ import annotations

import pytest

from hub.privacy.keyring import Key, KeyRing


def fixed_key(name: str, version: int = 1, fill: int = 1) -> Key:
    """A deterministic key: byte `fill` repeated, xor'ed with the version."""
    return Key(name, version, bytes([(fill + version) % 256]) * 32)


@pytest.fixture
def ring() -> KeyRing:
    """A region with one pseudonym key, one KEK and the fixed audiences."""
    return KeyRing(
        [
            fixed_key("pseudonym", 1, 10),
            fixed_key("kek", 1, 20),
            fixed_key("audience-leerplicht", 1, 30),
            fixed_key("audience-jgz", 1, 40),
            fixed_key("audience-buurtteam", 1, 50),
            fixed_key("audience-swv", 1, 60),
            fixed_key("audience-gemeente", 1, 70),
            fixed_key("audience-schoolbestuur-41234", 1, 80),
        ]
    )
