"""Guards that keep identities out of contract strings: BSN- and onderwijsnummer-like numbers."""

from __future__ import annotations

import re
import unicodedata

from hub.privacy.identifiers import passes_elfproef, passes_onderwijsnummer_proef

# Nine digits, optionally split by dots, spaces or hyphens, standing alone: inside a longer
# token (a hex pseudonym, a UUID, a longer number) they are not an identifier.
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(?<!\d[ .-])\d(?:[ .-]?\d){8}(?![0-9A-Za-z])(?![ .-]\d)")
_SEPARATORS = re.compile(r"[ .-]")

# The pre-check drops the separators of _CANDIDATE and reads each ASCII digit as "0" and any
# other byte as "x": a candidate then shows as nine "0"s in a row. Two C-level passes instead
# of the regex, which is slow on the digit-rich ids and key ids that every event carries.
_SEPARATOR_BYTES = b" .-"
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x78 for byte in range(256))
_NINE_ZEROS = b"0" * 9

_NEVER = "identities never travel on the bus: send the child's pseudonym in `subject` instead"

#: The message for a refused value; it never repeats the value.
BSN_MESSAGE = f"contains a number that looks like a BSN (9 digits passing the 11-proef); {_NEVER}"
ONDERWIJSNUMMER_MESSAGE = (
    "contains a number that looks like an onderwijsnummer (9 digits starting with 10, "
    f"11-proef rest 5); {_NEVER}"
)


def identifier_message(text: str) -> str | None:
    """Why `text` is refused (it holds a BSN- or onderwijsnummer-like number), or None."""
    if len(text) < 9:
        return None
    if text.isascii():
        if _NINE_ZEROS not in text.encode().translate(_DIGITS_AS_ZEROS, _SEPARATOR_BYTES):
            return None  # no nine digits stand together, not even across separators
        return _candidate_message(text)
    return _candidate_message(normalise_digits(text))


def normalise_digits(text: str) -> str:
    """`text` in NFKC with every decimal digit as ASCII: full-width or Arabic-Indic digits count.

    NFKC also turns full-width separators (hyphen, full stop, ideographic space) into ASCII ones.
    """
    folded = unicodedata.normalize("NFKC", text)
    if folded.isascii():
        return folded
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in folded)


def _candidate_message(text: str) -> str | None:
    """The full check: the 11-proef on every candidate the regex finds."""
    for match in _CANDIDATE.finditer(text):
        digits = _SEPARATORS.sub("", match.group(0))
        if passes_elfproef(digits):
            return BSN_MESSAGE
        if passes_onderwijsnummer_proef(digits):
            return ONDERWIJSNUMMER_MESSAGE
    return None


def looks_like_bsn(text: str) -> bool:
    """True when `text` holds nine digits (maybe split by `.`, ` `, `-`) passing the 11-proef."""
    return identifier_message(text) == BSN_MESSAGE


def looks_like_identifier(text: str) -> bool:
    """True when `text` holds a BSN- or onderwijsnummer-like number."""
    return identifier_message(text) is not None
