"""The identifier guard: BSN- and onderwijsnummer-like numbers, with and without separators."""

from __future__ import annotations

import pytest

from hub.events.guards import (
    BSN_MESSAGE,
    ONDERWIJSNUMMER_MESSAGE,
    identifier_message,
    looks_like_bsn,
    looks_like_identifier,
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
