"""The PII scrubber that every log line passes through."""

from __future__ import annotations

from hub.privacy.identifiers import passes_elfproef
from hub.privacy.scrub import BSN_MASK, MASK, is_pii_key, mask_bsns, scrub

VALID_BSN = "123456782"  # made up, passes the 11-proef
INVALID_BSN = "123456789"


class TestElfproef:
    def test_valid_bsns_pass(self) -> None:
        assert passes_elfproef(VALID_BSN)
        assert passes_elfproef("111222333")

    def test_wrong_checksum_length_or_zero_fails(self) -> None:
        assert not passes_elfproef(INVALID_BSN)
        assert not passes_elfproef("12345678")
        assert not passes_elfproef("000000000")
        assert not passes_elfproef("12345678a")


class TestMaskBsns:
    def test_masks_a_valid_bsn_inside_text(self) -> None:
        assert mask_bsns(f"leerling {VALID_BSN} afwezig") == f"leerling {BSN_MASK} afwezig"

    def test_leaves_numbers_failing_the_elfproef(self) -> None:
        assert mask_bsns(f"order {INVALID_BSN}") == f"order {INVALID_BSN}"

    def test_leaves_digits_inside_longer_tokens(self) -> None:
        token = f"ab{VALID_BSN}cd"
        assert mask_bsns(token) == token
        assert mask_bsns(f"1{VALID_BSN}") == f"1{VALID_BSN}"

    def test_masks_at_punctuation_boundaries(self) -> None:
        assert mask_bsns(f"bsn={VALID_BSN};") == f"bsn={BSN_MASK};"


class TestScrub:
    def test_pii_keys_are_masked_case_insensitively(self) -> None:
        out = scrub({"Naam": "Jan", "geboortedatum": "01-02-2012", "uren": 3})
        assert out == {"Naam": MASK, "geboortedatum": MASK, "uren": 3}

    def test_nested_values_are_scrubbed(self) -> None:
        out = scrub({"rows": [{"adres": "Straat 1"}, (f"x {VALID_BSN}",)]})
        assert out == {"rows": [{"adres": MASK}, (f"x {BSN_MASK}",)]}

    def test_integer_bsn_is_masked(self) -> None:
        assert scrub({"n": int(VALID_BSN)}) == {"n": BSN_MASK}
        assert scrub({"n": int(INVALID_BSN)}) == {"n": int(INVALID_BSN)}

    def test_is_pii_key_normalises(self) -> None:
        assert is_pii_key("Birth-Date")
        assert not is_pii_key("lesuren")
