"""Issue 14.6: other children's identities in free text are masked before encryption."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.privacy.freetext import find_identities, mask_free_text

TODAY = dt.date(2026, 11, 20)
M = "[verwijderd]"


@pytest.mark.parametrize(
    "number",
    [
        "123456782",
        "1234.56.782",
        "1234 56 782",
        "123-456-782",
        "123 456 782",
        "12 34 56 782",
        "1234. 56. 782",
        "１２３４５６７８２",  # full-width digits
        "１２３４．５６．７８２",  # full-width digits and dots
        "123\u00a0456\u00a0782",  # no-break spaces
        "123\u2013456\u2013782",  # en dashes
        "١٢٣٤٥٦٧٨٢",  # Arabic-Indic digits
        "232262536",
        "111222333",
        "12345672",  # eight digits: a BSN without its leading zero
    ],
)
def test_bsn_in_any_shape_is_masked(number: str) -> None:
    result = mask_free_text(f"Broertje (bsn {number}) ook ziek.", TODAY)
    assert result.text == f"Broertje (bsn {M}) ook ziek."
    assert result.rules == ("bsn",)


@pytest.mark.parametrize("number", ["101222331", "1012.22.331", "101 222 331"])
def test_onderwijsnummer_is_masked(number: str) -> None:
    result = mask_free_text(f"zie leerling {number}", TODAY)
    assert result.text == f"zie leerling {M}"
    assert result.rules == ("onderwijsnummer",)


@pytest.mark.parametrize(
    "text",
    [
        "belde 0612345678 terug",  # a phone number: ten digits
        "123456789 fails the 11-proef",
        "IBAN NL91ABNA0417164300",
        "2,5 lesuren op 16-11-2026",  # a recent date is not a birth date
        "week 47, lokaal 1.23",
        "pseudonym d2592a8aaa1d5dc9a4d1511370125c569eb8f5f47d5f06cdb6a0a48f8c6ca327",
        "1234567820",  # ten digits that start with a valid BSN
        "",
        "moeder belde niet terug",
    ],
)
def test_harmless_text_is_kept(text: str) -> None:
    result = mask_free_text(text, TODAY)
    assert result.text == text
    assert result.masked == 0


@pytest.mark.parametrize(
    "address",
    [
        "1234 AB 12",
        "1234AB 12",
        "1234 AB, 12",
        "1234ab 12",
        "1234 AB 12a",
        "Dorpsweg 12, 1234 AB",
        "nr 7 1011 XY",
        "１２３４ＡＢ １２",
    ],
)
def test_postcode_with_house_number_is_masked(address: str) -> None:
    result = mask_free_text(f"woont nu bij oma, {address}.", TODAY)
    assert M in result.text
    assert result.rules == ("postcode-huisnummer",)
    assert "1234" not in result.text
    assert "1011" not in result.text


@pytest.mark.parametrize(
    "date",
    [
        "14-03-2013",
        "14/03/2013",
        "14.03.2013",
        "2013-03-14",
        "14 maart 2013",
        "14 mrt. 2013",
        "14-3-13",
        "03-03-95",
        "１４－０３－２０１３",
        "01-01-1985",  # a parent's birth date
    ],
)
def test_old_full_dates_look_like_birth_dates(date: str) -> None:
    result = mask_free_text(f"zusje {date} zit ook thuis", TODAY)
    assert result.text == f"zusje {M} zit ook thuis"
    assert result.rules == ("geboortedatum",)


@pytest.mark.parametrize("word", ["geboren", "geb.", "geboortedatum:", "jarig op"])
def test_recent_date_after_a_birth_word_is_masked(word: str) -> None:
    result = mask_free_text(f"broertje {word} 02-02-2025 is vaak ziek", TODAY)
    assert M in result.text
    assert "2025" not in result.text


def test_recent_dates_without_a_birth_word_stay() -> None:
    text = "ziek sinds 12-11-2026, gesprek op 2026-11-25 en 1 september 2025"
    assert mask_free_text(text, TODAY).text == text


def test_several_findings_counted_by_rule_never_by_value() -> None:
    text = "Jan 123456782 en Piet 111 222 333, 1234 AB 5, geboren 14-03-2013."
    result = mask_free_text(text, TODAY)
    assert result.rules == ("bsn", "bsn", "postcode-huisnummer", "geboortedatum")
    assert result.text == f"Jan {M} en Piet {M}, geboren {M}."  # adjacent findings: one mask
    assert all(d not in result.text for d in "0123456789")


def test_spans_are_in_the_original_text() -> None:
    text = "a １２３４５６７８２ b"
    ((start, end, rules),) = find_identities(text, TODAY)
    assert text[start:end] == "１２３４５６７８２"
    assert rules == ("bsn",)


def test_masking_is_idempotent() -> None:
    once = mask_free_text("bsn 123456782, 1234 AB 12, 14-03-2013", TODAY).text
    assert mask_free_text(once, TODAY).text == once
