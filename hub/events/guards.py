"""Guards that keep identities out of contract strings: a BSN-looking number is refused."""

from __future__ import annotations

import re

from hub.privacy.identifiers import passes_elfproef

# Nine digits, optionally split by dots, spaces or hyphens, standing alone: inside a longer
# token (a hex pseudonym, a UUID, a longer number) they are not a BSN.
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(?<!\d[ .-])\d(?:[ .-]?\d){8}(?![0-9A-Za-z])(?![ .-]\d)")

#: The message for a refused value; it never repeats the value.
BSN_MESSAGE = (
    "contains a number that looks like a BSN (9 digits passing the 11-proef); "
    "identities never travel on the bus: send the child's pseudonym in `subject` instead"
)


def looks_like_bsn(text: str) -> bool:
    """True when `text` holds nine digits (maybe split by `.`, ` `, `-`) passing the 11-proef."""
    for match in _CANDIDATE.finditer(text):
        if passes_elfproef(re.sub(r"[ .-]", "", match.group(0))):
            return True
    return False
