"""Validation and normal form of BSN and onderwijsnummer."""

from __future__ import annotations

import pytest

from hub.privacy.identifiers import (
    Identifier,
    InvalidIdentifier,
    normalise_bsn,
    normalise_onderwijsnummer,
    parse_identifier,
    parse_typed,
    passes_elfproef,
    passes_onderwijsnummer_proef,
)


class TestBsn:
    @pytest.mark.parametrize("raw", ["123456782", " 1234.56.782 ", "123 456 782", "1234-56-782"])
    def test_separators_are_removed(self, raw: str) -> None:
        assert normalise_bsn(raw) == "123456782"

    def test_eight_digits_get_a_leading_zero(self) -> None:
        assert normalise_bsn("12345672") == "012345672"
        assert normalise_bsn(12345672) == "012345672"

    @pytest.mark.parametrize(
        ("raw", "reason"),
        [
            ("123456789", "fails the 11-proef"),
            ("1234567", "expected 9 digits, got 7"),
            ("1234567890", "expected 9 digits, got 10"),
            ("12345678a", "characters other than digits"),
            ("", "empty"),
            ("000000000", "fails the 11-proef"),
            ("١٢٣٤٥٦٧٨٢", "characters other than digits"),
        ],
    )
    def test_invalid_is_rejected_without_repeating_the_number(self, raw: str, reason: str) -> None:
        with pytest.raises(InvalidIdentifier) as info:
            normalise_bsn(raw)
        assert reason in str(info.value)
        digits = "".join(c for c in raw if c.isdigit())
        assert not digits or digits not in str(info.value)

    def test_elfproef_keeps_working(self) -> None:
        assert passes_elfproef("111222333")
        assert not passes_elfproef("111222334")
        assert not passes_elfproef("11122233")


class TestOnderwijsnummer:
    def test_known_valid_number(self) -> None:
        # The example of python-stdnum's nl.onderwijsnummer: 1012.22.331 is valid.
        assert normalise_onderwijsnummer("1012.22.331") == "101222331"
        assert passes_onderwijsnummer_proef("101222331")

    def test_remainder_five_not_zero(self) -> None:
        # Weighted sum of 100252333 is 66 (remainder 0): a BSN-style check, not an onderwijsnummer.
        with pytest.raises(InvalidIdentifier, match="rest 5"):
            normalise_onderwijsnummer("100252333")

    def test_must_start_with_10(self) -> None:
        with pytest.raises(InvalidIdentifier, match="start with 10"):
            normalise_onderwijsnummer("2112.22.337")

    def test_no_zero_padding(self) -> None:
        with pytest.raises(InvalidIdentifier, match="expected 9 digits, got 8"):
            normalise_onderwijsnummer("10122233")

    def test_bsn_and_onderwijsnummer_are_disjoint(self) -> None:
        assert not passes_elfproef("101222331")
        assert not passes_onderwijsnummer_proef("123456782")


class TestTypedIdentifier:
    def test_typed_rendering(self) -> None:
        assert parse_identifier("bsn", "12345672").typed() == "bsn:012345672"
        assert (
            parse_identifier("onderwijsnummer", "101222331").typed() == "onderwijsnummer:101222331"
        )

    def test_parse_typed_round_trip(self) -> None:
        ident = parse_typed("BSN: 1234.56.782")
        assert ident == Identifier("bsn", "123456782")
        assert parse_typed(ident.typed()) == ident

    def test_repr_and_str_hide_the_number(self) -> None:
        ident = parse_identifier("bsn", "123456782")
        assert "123456782" not in repr(ident)
        assert "123456782" not in str(ident)

    def test_cannot_be_built_around_validation(self) -> None:
        with pytest.raises(InvalidIdentifier, match="not a valid normalised identifier"):
            Identifier("bsn", "123456789")
        with pytest.raises(InvalidIdentifier):
            Identifier("bsn", "101222331")

    def test_unknown_kind(self) -> None:
        with pytest.raises(InvalidIdentifier, match="unknown identifier kind"):
            parse_identifier("paspoort", "123456782")

    def test_untyped_text(self) -> None:
        with pytest.raises(InvalidIdentifier, match="kind:digits"):
            parse_typed("123456782")
