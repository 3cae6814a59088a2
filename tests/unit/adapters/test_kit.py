"""The adapter kit's helpers: text fields and the key ring's pseudonymiser."""

from __future__ import annotations

from typing import Any

import pytest

from hub.adapters.kit import RawRecord, RecordRejected, keyring_pseudonymiser, text
from hub.privacy.identifiers import parse_identifier
from hub.privacy.keyring import KEK, Key, KeyRing, KeyRingError
from hub.privacy.pseudonyms import pseudonymise


class TestText:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [(" 12AB ", "12AB"), ("", None), ("  ", None), (None, None), (12, "12"), (2.5, "2.5")],
    )
    def test_stripped_text_or_none(self, value: Any, expected: str | None) -> None:
        assert text(RawRecord(1, {"x": value}), "x") == expected

    def test_absent_is_none(self) -> None:
        assert text(RawRecord(1, {}), "x") is None

    @pytest.mark.parametrize("value", [True, {"a": 1}, [1]])
    def test_no_structures(self, value: Any) -> None:
        with pytest.raises(RecordRejected) as caught:
            text(RawRecord(1, {"x": value}), "x")
        assert caught.value.reason == "invalid_field"


class TestKeyringPseudonymiser:
    def test_same_pseudonym_as_the_ring_gives(self, ring: KeyRing) -> None:
        child = parse_identifier("bsn", "123456782")
        assert keyring_pseudonymiser(ring)(child) == pseudonymise(child, ring)

    def test_a_ring_without_a_pseudonym_key_fails_at_once(self) -> None:
        with pytest.raises(KeyRingError):
            keyring_pseudonymiser(KeyRing([Key(KEK, 1, b"k" * 32)]))
