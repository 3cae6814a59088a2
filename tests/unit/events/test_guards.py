"""The identifier guard: BSN- and onderwijsnummer-like numbers, with and without separators."""

from __future__ import annotations

import random

import pytest

from hub.events.guards import (
    BSN_MESSAGE,
    ONDERWIJSNUMMER_MESSAGE,
    _candidate_message,
    identifier_message,
    looks_like_bsn,
    looks_like_identifier,
    normalise_digits,
)
from hub.events.registry import payload_model
from hub.events.school import VERZUIMMELDING_GEDAAN


class TestGuard:
    @pytest.mark.parametrize(
        "text",
        [
            "123456782",
            "111222333",
            "232262536",
            "BSN 123.456.782.",
            "nr 123 456 782",
            "123-456-782",
            "/partners/school/123456782/las",
        ],
    )
    def test_bsn_like(self, text: str) -> None:
        assert looks_like_bsn(text)
        assert identifier_message(text) == BSN_MESSAGE

    @pytest.mark.parametrize("text", ["101000012", "onr 101.000.024", "101 000 036"])
    def test_onderwijsnummer_like(self, text: str) -> None:
        assert identifier_message(text) == ONDERWIJSNUMMER_MESSAGE
        assert looks_like_identifier(text)
        assert not looks_like_bsn(text)

    @pytest.mark.parametrize(
        "text",
        [
            "123456789",  # fails the 11-proef
            "1234567820",  # ten digits
            "a123456782",  # inside a token
            "0612345678",
            "06 12345678",
            "123 456 782 000",  # part of a longer grouped number
            "2026-11-16",
            "aaacbb7594eefd46370e34e62f6e0a052ed54c0107a9d2e22eafaca8d7c3b751",
            "",
        ],
    )
    def test_not_an_identifier(self, text: str) -> None:
        assert identifier_message(text) is None

    def test_onderwijsnummer_refused_in_a_payload(self) -> None:
        from pydantic import ValidationError

        model = payload_model(VERZUIMMELDING_GEDAAN)
        with pytest.raises(ValidationError) as caught:
            model.model_validate(model.example | {"melding_id": "ONR-101000012"})
        assert caught.value.errors()[0]["msg"] == ONDERWIJSNUMMER_MESSAGE
        assert "101000012" not in str(caught.value)


class TestPreCheck:
    """The cheap pre-check in front of the regex never lets an identifier through."""

    @pytest.mark.parametrize(
        "text",
        [
            "12AB",
            "hub-2026-1",
            "d20b899c-76db-54e5-8776-e9cacec05533",
            "/partners/school/12AB/las",
            "tel 06-1234-56",
            "2026-11-16",
        ],
    )
    def test_fewer_than_nine_digits_together(self, text: str) -> None:
        assert identifier_message(text) is None

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("kind 123.456.782 uit groep 8", BSN_MESSAGE),
            ("één 1-2-3-4-5-6-7-8-2", BSN_MESSAGE),
            ("leerling 232 262 536 — ziek", BSN_MESSAGE),
            ("onderwijsnummer 101000012 ✓", ONDERWIJSNUMMER_MESSAGE),
        ],
    )
    def test_identifier_found_in_any_text(self, text: str, message: str) -> None:
        assert identifier_message(text) == message

    @pytest.mark.parametrize("text", ["één 123456789", "٣٣٣٣٣٣٣٣٣"])
    def test_non_ascii_text_gets_the_full_check(self, text: str) -> None:
        assert identifier_message(text) is None

    @pytest.mark.parametrize(
        "text",
        [
            "12345678٢",
            "１２３４５６７８２",
            "１２３ ４５６ ７８２",
            "１２３\u3000４５６\u3000７８２",
        ],
    )
    def test_digits_of_other_scripts_are_digits(self, text: str) -> None:
        # Normalised first (NFKC, decimal digits as ASCII): full-width is still a BSN.
        assert identifier_message(text) == BSN_MESSAGE

    def test_agrees_with_the_full_check(self) -> None:
        rng = random.Random(20261123)
        alphabet = "0123456789" * 3 + " .-/_:,\tabcXYZé٣"
        numbers = ("123456782", "111222333", "232262536", "999990019", "101000012", "101000024")
        refused = 0
        for _ in range(20_000):
            text = "".join(rng.choices(alphabet, k=rng.randint(0, 30)))
            if rng.random() < 0.5:
                digits = rng.choice(numbers)
                seps = rng.choices(["", "", " ", ".", "-"], k=8)
                text += rng.choice(["", " ", ": ", "a", "1", "-"]) + digits[0]
                text += "".join(s + d for s, d in zip(seps, digits[1:], strict=True))
                text += rng.choice(["", " ", ".", " x", "0", " 1", "-2", "é"])
            expected = _candidate_message(normalise_digits(text))
            assert identifier_message(text) == expected, text
            refused += expected is not None
        assert refused > 1_000  # the sample holds plenty of identifiers
