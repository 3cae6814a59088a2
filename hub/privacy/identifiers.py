"""Dutch personal identifiers: the BSN, the onderwijsnummer, their check digits and normal form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)

#: The kinds of identifier an adapter may pseudonymise.
IdentifierKind = Literal["bsn", "onderwijsnummer"]
IDENTIFIER_KINDS: tuple[str, ...] = get_args(IdentifierKind)

# Separators people and exports put inside numbers ("1234.56.782", "123 456 782").
_SEPARATORS = str.maketrans("", "", " .-\t")


class InvalidIdentifier(ValueError):
    """An identifier was rejected; the message says why and never repeats the number."""


def _weighted_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, _BSN_WEIGHTS, strict=True))


def passes_elfproef(digits: str) -> bool:
    """True when nine digits pass the BSN 11-proef (weights 9..2, -1; sum divisible by 11)."""
    if len(digits) != 9 or not digits.isdigit() or not digits.isascii():
        return False
    total = _weighted_sum(digits)
    return total % 11 == 0 and total != 0


def passes_onderwijsnummer_proef(digits: str) -> bool:
    """True for nine digits starting with 10 whose 11-proef sum leaves remainder 5.

    The variant check of the onderwijsnummer (DUO; python-stdnum `nl.onderwijsnummer`,
    nl.wikipedia "Onderwijsnummer"): same weights as the BSN, sum mod 11 == 5.
    """
    if len(digits) != 9 or not digits.isdigit() or not digits.isascii():
        return False
    return digits.startswith("10") and _weighted_sum(digits) % 11 == 5


def _digits(raw: str | int, what: str) -> str:
    if isinstance(raw, bool):
        raise InvalidIdentifier(f"{what}: not a number")
    text = str(raw).strip().translate(_SEPARATORS)
    if not text:
        raise InvalidIdentifier(f"{what}: empty")
    if not (text.isdigit() and text.isascii()):
        raise InvalidIdentifier(f"{what}: contains characters other than digits and separators")
    return text


def normalise_bsn(raw: str | int) -> str:
    """The nine-digit form of a BSN (separators removed, 8 digits get a leading zero)."""
    digits = _digits(raw, "bsn")
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9:
        raise InvalidIdentifier(f"bsn: expected 9 digits, got {len(digits)}")
    if not passes_elfproef(digits):
        raise InvalidIdentifier("bsn: fails the 11-proef")
    return digits


def normalise_onderwijsnummer(raw: str | int) -> str:
    """The nine-digit form of an onderwijsnummer (separators removed, check verified)."""
    digits = _digits(raw, "onderwijsnummer")
    if len(digits) != 9:
        raise InvalidIdentifier(f"onderwijsnummer: expected 9 digits, got {len(digits)}")
    if not digits.startswith("10"):
        raise InvalidIdentifier("onderwijsnummer: does not start with 10")
    if not passes_onderwijsnummer_proef(digits):
        raise InvalidIdentifier(
            "onderwijsnummer: fails the onderwijsnummer check (11-proef rest 5)"
        )
    return digits


@dataclass(frozen=True, slots=True)
class Identifier:
    """A validated, normalised identifier of a child; its repr never shows the number."""

    kind: IdentifierKind
    digits: str = field(repr=False)

    def __post_init__(self) -> None:
        valid = (
            passes_elfproef(self.digits)
            if self.kind == "bsn"
            else self.kind == "onderwijsnummer" and passes_onderwijsnummer_proef(self.digits)
        )
        if not valid:
            raise InvalidIdentifier(f"{self.kind}: not a valid normalised identifier")

    def typed(self) -> str:
        """The typed rendering that is hashed: `bsn:123456782` or `onderwijsnummer:101222331`."""
        return f"{self.kind}:{self.digits}"

    def __str__(self) -> str:
        return f"{self.kind}:*********"


def parse_identifier(kind: str, raw: str | int) -> Identifier:
    """Validate and normalise `raw` as an identifier of `kind` (bsn or onderwijsnummer)."""
    if kind == "bsn":
        return Identifier("bsn", normalise_bsn(raw))
    if kind == "onderwijsnummer":
        return Identifier("onderwijsnummer", normalise_onderwijsnummer(raw))
    raise InvalidIdentifier(
        f"unknown identifier kind (expected one of {', '.join(IDENTIFIER_KINDS)})"
    )


def parse_typed(text: str) -> Identifier:
    """Parse the typed rendering `kind:digits` back into a validated identifier."""
    kind, sep, raw = text.strip().partition(":")
    if not sep:
        raise InvalidIdentifier("typed identifier must look like kind:digits")
    return parse_identifier(kind.strip().lower(), raw)
