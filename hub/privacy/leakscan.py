"""Find personal data in bus records: where it is and which rule saw it, never the value itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hub.privacy.scrub import (
    BSN_CANDIDATE,
    PII_KEYS,
    bsn_like_spans,
    is_pii_key,
    mask_bsns,
    onderwijsnummer_like_spans,
)

Rule = Literal["bsn", "onderwijsnummer", "pii-key", "postcode-huisnummer", "geboortedatum"]

#: A Dutch postcode (no leading zero, letters not SA/SD/SS) followed by a house number.
_POSTCODE_HUISNUMMER = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{3} ?(?!SA|SD|SS)[A-Z]{2}[ ,]+[0-9]{1,5}(?![0-9])"
)
#: A full calendar date: dd-mm-jjjj, dd/mm/jjjj, dd.mm.jjjj or jjjj-mm-dd.
_DATE = re.compile(
    r"(?<![0-9])(?:(?:0?[1-9]|[12][0-9]|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)[0-9]{2}"
    r"|(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))(?![0-9])"
)
#: Keys and words that say "birth"; a year of birth alone may travel, a full date may not.
_BIRTHISH = re.compile(r"geboorte|geboren|birth|(?<![a-z])dob(?![a-z])|gebdat|geb_datum", re.I)

# Loose forms of the rules for a first look at JSON text: without the leading look-behind
# the regex engine jumps from digit to digit instead of trying every position.
_DIGIT_RUN = re.compile(r"[0-9]{9}")
_POSTCODE_LOOSE = re.compile(r"[1-9][0-9]{3} ?[A-Z]{2}[ ,]+[0-9]")
#: What `_BIRTHISH` can match, in lower case.
_BIRTH_WORDS = ("geboorte", "geboren", "gebdat", "geb_datum", "birth", "dob")


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fired at one place (`path`) inside a record; holds no value."""

    rule: Rule
    path: str


@dataclass(frozen=True, slots=True)
class RecordFinding:
    """A finding located on the bus (or in a file of records: topic may be the file name)."""

    topic: str
    partition: int
    offset: int
    rule: Rule
    path: str

    def line(self) -> str:
        """One human line, safe to print."""
        return f"{self.topic}[{self.partition}]@{self.offset}: {self.rule} at {self.path}"


def _safe(component: str) -> str:
    # A path component is a key from the record: hide any identifier it may itself be.
    masked = mask_bsns(component)
    masked = _POSTCODE_HUISNUMMER.sub("[postcode]", masked)
    return _DATE.sub("[datum]", masked)


def scan_text(text: str, path: str, birth_context: bool = False) -> list[Finding]:
    """Rules that look inside one string."""
    found: list[Finding] = []
    # The loose forms first: most strings hold no nine ASCII digits in a row and no postcode,
    # and the exact rules (Unicode digits, look-behinds) are only asked where they could fire.
    if not text.isascii() or _DIGIT_RUN.search(text):
        if bsn_like_spans(text):
            found.append(Finding("bsn", path))
        if onderwijsnummer_like_spans(text):
            found.append(Finding("onderwijsnummer", path))
    if _POSTCODE_LOOSE.search(text) and _POSTCODE_HUISNUMMER.search(text):
        found.append(Finding("postcode-huisnummer", path))
    if (birth_context or _BIRTHISH.search(text)) and _DATE.search(text):
        found.append(Finding("geboortedatum", path))
    return found


def scan_value(value: Any, path: str = "$", birth_context: bool = False) -> list[Finding]:
    """Scan a decoded JSON value recursively; paths look like `$.data.leerling[0].naam`."""
    if isinstance(value, str):
        nested = _embedded_json(value)
        if nested is not None:
            return scan_value(nested, path, birth_context)
        return scan_text(value, path, birth_context)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return []
    if isinstance(value, int):
        return (
            scan_text(str(value), path, birth_context)
            if 100_000_000 <= value <= 999_999_999
            else []
        )
    if isinstance(value, dict):
        found: list[Finding] = []
        for key, item in value.items():
            key = str(key)
            child = f"{path}.{_safe(key)}"
            if is_pii_key(key):
                found.append(Finding("pii-key", child))
            found += [
                Finding(f.rule, f"{path}.{{key}}")
                for f in scan_text(key, child)
                if f.rule != "geboortedatum"
            ]
            birthish = bool(_BIRTHISH.search(key))
            found += scan_value(item, child, birth_context=birthish)
        return found
    if isinstance(value, list | tuple):
        return [
            f
            for i, item in enumerate(value)
            for f in scan_value(item, f"{path}[{i}]", birth_context)
        ]
    return []


def json_may_hold_pii(text: str) -> bool:
    """False only when `scan_value` of `json.loads(text)` is sure to find nothing."""
    # Without a backslash the JSON escaped nothing, so every key and string stands in `text`
    # verbatim between quotes, which no rule counts as a digit or a letter: a rule that fires
    # on one of them fires on `text` as well. An escape can hide a boundary (`\n` before nine
    # digits) or a key of JSON inside a string (`\u0061`), and non-ASCII text brings Unicode
    # digits and case rules: then only the recursive scan can tell.
    if "\\" in text or not text.isascii():
        return True
    if _DIGIT_RUN.search(text) and (bsn_like_spans(text) or onderwijsnummer_like_spans(text)):
        return True
    if _POSTCODE_LOOSE.search(text):
        return True
    lowered = text.lower().replace("-", "_")
    # Quotes pair up into the strings (keys among them), normalised as `is_pii_key` does.
    if not PII_KEYS.isdisjoint([s.strip() for s in lowered.split('"')[1::2]]):
        return True
    return any(word in lowered for word in _BIRTH_WORDS) and _DATE.search(text) is not None


def _embedded_json(text: str) -> Any:
    # JSON inside a JSON string (double encoding) hides keys from a plain text scan.
    stripped = text.strip()
    if len(stripped) < 2 or stripped[0] not in "{[" or stripped[-1] not in "}]":
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def scan_record(
    key: bytes | None,
    value: bytes | None,
    headers: Sequence[tuple[str, bytes | None]] = (),
) -> list[Finding]:
    """Scan a Kafka record: its key, its value (JSON when it parses, else text) and headers."""
    found: list[Finding] = []
    if key is not None:
        found += scan_text(_decode(key), "key")
    if value is not None:
        text = _decode(value)
        try:
            decoded = json.loads(text)
        except ValueError:
            found += scan_text(text, "value")
        else:
            # A value whose JSON text holds no suspect is not walked field by field.
            if json_may_hold_pii(text):
                found += scan_value(decoded, "value")
    texts = [(name, None if raw is None else _decode(raw)) for name, raw in headers]
    if not _may_hold_pii("\x00".join(f"{n}\x00{v or ''}" for n, v in texts)):
        # No header could fire a text rule: only their names are looked up.
        found += [Finding("pii-key", f"header:{_safe(n)}") for n, _ in texts if is_pii_key(n)]
        return _unique(found)
    for name, raw in headers:
        where = f"header:{_safe(name)}"
        if is_pii_key(name):
            found.append(Finding("pii-key", where))
        found += [Finding(f.rule, "header-name") for f in scan_text(name, where)]
        if raw is not None:
            found += scan_text(_decode(raw), where, birth_context=bool(_BIRTHISH.search(name)))
    return _unique(found)


def _may_hold_pii(text: str) -> bool:
    """False only when no rule of `scan_text` can fire on any part of `text`."""
    return (
        not text.isascii()
        or BSN_CANDIDATE.search(text) is not None
        or _POSTCODE_LOOSE.search(text) is not None
        or _BIRTHISH.search(text) is not None
    )


def _unique(found: Iterable[Finding]) -> list[Finding]:
    return list(dict.fromkeys(found))


def scan_json_lines(lines: Iterable[str], source: str = "file") -> Iterator[RecordFinding]:
    """Scan records given as JSON lines.

    A line is either a record `{"topic", "partition", "offset", "key", "value", "headers"}`
    (key/value as text or JSON, headers as `[[name, value], ...]` or an object), or any other
    JSON value, which is scanned as a record value located at `source[0]@<line number>`.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            yield from _located(source, 0, number, scan_text(line, "value"))
            continue
        if isinstance(item, dict) and "value" in item and ("topic" in item or "offset" in item):
            headers = item.get("headers") or []
            pairs = list(headers.items()) if isinstance(headers, dict) else list(headers)
            found = scan_record(
                _as_bytes(item.get("key")),
                _as_bytes(item.get("value")),
                [(str(n), _as_bytes(v)) for n, v in pairs],
            )
            yield from _located(
                str(item.get("topic", source)),
                int(item.get("partition", 0)),
                int(item.get("offset", number)),
                found,
            )
        else:
            yield from _located(source, 0, number, scan_value(item, "value"))


def _as_bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode("utf-8")


def _located(
    topic: str, partition: int, offset: int, found: list[Finding]
) -> Iterator[RecordFinding]:
    for f in found:
        yield RecordFinding(topic, partition, offset, f.rule, f.path)
