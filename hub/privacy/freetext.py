"""Mask other people's identities in free text before it is encrypted for one child.

A note typed at a school often names or numbers another child; encrypted under this child's
key, that other child's identity would live on beyond the reach of its own erasure. What a
pattern can find reliably is masked as `[verwijderd]`: a number passing the 11-proef or the
onderwijsnummer check (with dots, spaces, dashes, or digits of any script such as full-width),
a postcode with house number, and a full date that looks like a birth date. Names cannot be
found reliably; see docs/privacy.md for the limits.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from hub.privacy.identifiers import passes_elfproef, passes_onderwijsnummer_proef
from hub.privacy.scrub import MASK

MaskRule = Literal["bsn", "onderwijsnummer", "postcode-huisnummer", "geboortedatum"]

# Separators people type inside a number or a date, folded to one ASCII character each so
# that positions in the folded text are positions in the original.
_SEPARATOR_FOLD = {
    **dict.fromkeys("\u00a0\u2002\u2003\u2007\u2009\u202f\u3000\t", " "),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d", "-"),
    **dict.fromkeys("\uff0e\u3002", "."),
    "\uff0f": "/",
}

_SEP = r"[ .\-]{0,2}"
#: 8 or 9 digits, each pair maybe split by up to two of `. -` (`1234.56.782`, `123 456 782`).
_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z])(?<![0-9][ .\-])[0-9](?:{_SEP}[0-9]){{7,8}}(?![0-9A-Za-z])(?![ .\-]+[0-9])"
)
_DIGIT = re.compile(r"[0-9]")

#: A Dutch postcode (not SA/SD/SS) and a house number, in either order.
_POSTCODE = r"[1-9][0-9]{3}(?: ?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})"
_POSTCODE_HUISNUMMER = (
    re.compile(rf"(?<![0-9A-Za-z]){_POSTCODE}[ ,]+[0-9]{{1,5}}(?:[ -]?[A-Za-z])?(?![0-9A-Za-z])"),
    re.compile(rf"(?<![0-9A-Za-z])[0-9]{{1,5}}[A-Za-z]?[ ,]+{_POSTCODE}(?![0-9A-Za-z])"),
)
#: When findings cover the same text, the first of these names it.
_PRIORITY: dict[str, int] = {
    "postcode-huisnummer": 0,
    "geboortedatum": 1,
    "bsn": 2,
    "onderwijsnummer": 3,
}

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan"),
            ("februari", "feb"),
            ("maart", "mrt", "mar"),
            ("april", "apr"),
            ("mei",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("augustus", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    r"(?<![0-9])(?:"
    r"(?P<d>[0-9]{1,2}) ?[-/.] ?(?P<m>[0-9]{1,2}) ?[-/.] ?(?P<y>[0-9]{4}|[0-9]{2})"
    r"|(?P<y2>[0-9]{4})-(?P<m2>[0-9]{1,2})-(?P<d2>[0-9]{1,2})"
    rf"|(?P<d3>[0-9]{{1,2}})\.? (?P<m3>{_MONTH_NAMES})\.? (?P<y3>[0-9]{{4}})"
    r")(?![0-9])",
    re.IGNORECASE,
)
_BIRTH_WORD = re.compile(r"geb(?:oren|oorte\w*|\.|\b)|jarig|verjaardag|birth|\bdob\b", re.I)
#: How close (in characters) a birth word must stand before a date to make it a birth date.
_BIRTH_WINDOW = 30
#: A full date at least this long ago looks like a birth date (of a child or a parent).
BIRTH_AGE = dt.timedelta(days=2 * 365)


@dataclass(frozen=True, slots=True)
class MaskedText:
    """The text with every finding replaced, and the rule of each finding (never a value)."""

    text: str
    rules: tuple[MaskRule, ...] = ()

    @property
    def masked(self) -> int:
        """How many findings were masked (overlapping ones are one span of the text)."""
        return len(self.rules)


def _fold(text: str) -> str:
    """The same text, one character for one: digits of any script as ASCII, separators folded."""
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            out.append(str(digit))
        else:
            folded = _SEPARATOR_FOLD.get(char) or unicodedata.normalize("NFKC", char)
            out.append(folded if len(folded) == 1 and folded.isascii() else char)
    return "".join(out)


def _number_rule(candidate: str) -> MaskRule | None:
    digits = "".join(_DIGIT.findall(candidate))
    if len(digits) == 8:
        digits = "0" + digits  # a BSN whose leading zero a spreadsheet dropped
    if passes_elfproef(digits):
        return "bsn"
    if passes_onderwijsnummer_proef(digits):
        return "onderwijsnummer"
    return None


def _date_of(match: re.Match[str]) -> dt.date | None:
    groups = match.groupdict()
    try:
        if groups["d"] is not None:
            day, month, year = int(groups["d"]), int(groups["m"]), groups["y"]
        elif groups["d2"] is not None:
            day, month, year = int(groups["d2"]), int(groups["m2"]), groups["y2"]
        else:
            day, month, year = int(groups["d3"]), _MONTHS[groups["m3"].lower()], groups["y3"]
        full = int(year) if len(year) == 4 else 2000 + int(year)
        return dt.date(full, month, day)
    except (ValueError, KeyError):
        return None


def _birthlike(text: str, match: re.Match[str], today: dt.date) -> bool:
    day = _date_of(match)
    if day is None:
        return False
    if len(match.group("y") or "xxxx") == 2 and day > today:
        day = day.replace(year=day.year - 100)  # `03-03-95`: a year of the last century
    if day <= today - BIRTH_AGE:
        return True
    before = text[max(0, match.start() - _BIRTH_WINDOW) : match.start()]
    return _BIRTH_WORD.search(before) is not None


def find_identities(text: str, today: dt.date) -> list[tuple[int, int, tuple[MaskRule, ...]]]:
    """The spans to mask (start, end, rules found in it), in order and not overlapping."""
    folded = _fold(text)
    found: list[tuple[int, int, MaskRule]] = []
    for pattern in _POSTCODE_HUISNUMMER:
        found += [(m.start(), m.end(), "postcode-huisnummer") for m in pattern.finditer(folded)]
    for match in _DATE.finditer(folded):
        if _birthlike(folded, match, today):
            found.append((match.start(), match.end(), "geboortedatum"))
    for match in _NUMBER.finditer(folded):
        rule = _number_rule(match.group(0))
        if rule is not None:
            found.append((match.start(), match.end(), rule))
    found.sort(key=lambda f: (f[0], -f[1], _PRIORITY[f[2]]))
    spans: list[tuple[int, int, tuple[MaskRule, ...]]] = []
    for start, end, rule in found:
        if spans and start < spans[-1][1]:
            # Overlapping findings (a date that passes the 11-proef) are one span; each rule
            # counts once in it, and when they cover the same text only the first names it.
            first, last, rules = spans[-1]
            same_text = (start, end) == (first, last)
            extra = () if same_text or rule in rules else (rule,)
            spans[-1] = (first, max(end, last), rules + extra)
            continue
        spans.append((start, end, (rule,)))
    return spans


def mask_free_text(text: str, today: dt.date) -> MaskedText:
    """`text` with identities of anyone (numbers, postcodes, birth dates) as `[verwijderd]`."""
    spans = find_identities(text, today)
    if not spans:
        return MaskedText(text)
    parts: list[str] = []
    last = 0
    for start, end, _rules in spans:
        parts += [text[last:start], MASK]
        last = end
    parts.append(text[last:])
    return MaskedText("".join(parts), tuple(r for _s, _e, rules in spans for r in rules))
