"""The log scrubber: BSN- and onderwijsnummer-like numbers and PII keys are masked."""

from __future__ import annotations

from hub.privacy.scrub import BSN_MASK, MASK, mask_bsns, scrub


class TestMask:
    def test_bsn_and_onderwijsnummer_masked(self) -> None:
        assert mask_bsns("a 123456782 b 101222331 c") == f"a {BSN_MASK} b {BSN_MASK} c"

    def test_other_numbers_and_hex_untouched(self) -> None:
        text = "offset 123456789 pseudonym " + "1234567820" + "ab" * 27
        assert mask_bsns(text) == text

    def test_structures(self) -> None:
        got = scrub({"naam": "Jan", "ids": [123456782, "x 111222333"], "n": 101222331, "ok": 5})
        assert got == {"naam": MASK, "ids": [BSN_MASK, f"x {BSN_MASK}"], "n": BSN_MASK, "ok": 5}
