"""Remove personal data from free-form structures before they leave the process (logs, errors)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hub.privacy.identifiers import passes_elfproef, passes_onderwijsnummer_proef

#: Keys whose values are personal data wherever they appear (lower-case, compared normalised).
PII_KEYS: frozenset[str] = frozenset(
    {
        "bsn",
        "burgerservicenummer",
        "onderwijsnummer",
        "naam",
        "name",
        "voornaam",
        "achternaam",
        "roepnaam",
        "adres",
        "address",
        "straat",
        "huisnummer",
        "postcode",
        "woonplaats",
        "geboortedatum",
        "birthdate",
        "birth_date",
        "date_of_birth",
        "telefoon",
        "email",
        "identifier",
    }
)

MASK = "[verwijderd]"
BSN_MASK = "*********"

# Nine digits standing alone: inside a longer token (a hex pseudonym, a UUID) they are no BSN.
_NINE_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{9}(?![0-9A-Za-z])")

#: The standalone nine-digit token: the same boundaries for the log scrubber and the leak scanner.
BSN_CANDIDATE = _NINE_DIGITS


def bsn_like_spans(text: str) -> list[tuple[int, int]]:
    """Spans of standalone nine-digit tokens in `text` that pass the 11-proef."""
    return [m.span() for m in _NINE_DIGITS.finditer(text) if passes_elfproef(m.group(0))]


def is_pii_key(key: str) -> bool:
    """True when a key names a known PII field."""
    return key.lower().replace("-", "_").strip() in PII_KEYS


def is_identifier_like(digits: str) -> bool:
    """True for nine digits that pass the BSN 11-proef or the onderwijsnummer check."""
    return passes_elfproef(digits) or passes_onderwijsnummer_proef(digits)


def onderwijsnummer_like_spans(text: str) -> list[tuple[int, int]]:
    """Spans of standalone nine-digit tokens in `text` that pass the onderwijsnummer check."""
    return [
        m.span() for m in _NINE_DIGITS.finditer(text) if passes_onderwijsnummer_proef(m.group(0))
    ]


def mask_bsns(text: str) -> str:
    """Replace every standalone 9-digit BSN-like (or onderwijsnummer-like) number in `text`."""
    return _NINE_DIGITS.sub(
        lambda m: BSN_MASK if is_identifier_like(m.group(0)) else m.group(0), text
    )


def scrub(value: Any) -> Any:
    """Return `value` with PII keys masked and BSN-like numbers hidden, recursively."""
    if isinstance(value, str):
        return mask_bsns(value)
    if isinstance(value, Mapping):
        return {
            k: (MASK if isinstance(k, str) and is_pii_key(k) else scrub(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, tuple | set | frozenset):
        return type(value)(scrub(v) for v in value)
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 100_000_000 <= value <= 999_999_999
    ):
        return BSN_MASK if is_identifier_like(str(value)) else value
    return value
