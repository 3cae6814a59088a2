"""Which dropped field names an ingest report may name: field-like names, never a value as key."""

from __future__ import annotations

import functools
import re

from hub.events.registry import payload_models
from hub.privacy.scrub import PII_KEYS

#: The report's name for every dropped field whose name it does not repeat.
NOT_SHOWN = "(name not shown)"

#: Column names of school and partner exports: words, but no one's name.
EXPORT_COLUMNS: frozenset[str] = frozenset(
    {
        "afdeling",
        "begindatum",
        "code",
        "dag",
        "docent",
        "dossier",
        "dossiernummer",
        "einddatum",
        "emailadres",
        "geslacht",
        "groep",
        "id",
        "kenmerk",
        "klas",
        "leerjaar",
        "leerling",
        "leerlingnummer",
        "leerweg",
        "lesuur",
        "locatie",
        "mentor",
        "niveau",
        "notitie",
        "nummer",
        "omschrijving",
        "opmerking",
        "opmerkingen",
        "periode",
        "reden",
        "school",
        "schooljaar",
        "stamgroep",
        "status",
        "telefoonnummer",
        "tijd",
        "tussenvoegsel",
        "type",
        "uur",
        "vak",
        "vestiging",
        "zaak",
        "zaaknummer",
    }
)

# Names built like identifiers: parts joined by `_`, `-` or `.` (`leerling_id`), or a word with
# a short number (`klas2`). A single plain word could be anyone's first name.
_COMPOUND = re.compile(r"^[a-z][a-z0-9]*(?:[_.-][a-z0-9]+)+$|^[a-z]+[0-9]{1,3}$")
_LONG_NUMBER = re.compile(r"[0-9]{5}")


@functools.cache
def known_field_names() -> frozenset[str]:
    """Every contract field name, the known personal-data keys and common export columns."""
    fields = {n for model in payload_models() for n in model.model_fields}
    return frozenset({*fields, *PII_KEYS, *EXPORT_COLUMNS})


def report_name(name: str) -> str:
    """`name` (lower case) when it looks like a field name, else `NOT_SHOWN`.

    Known names are shown, and names built like identifiers; a plain word or words that no
    contract or export knows (a child's name used as a key), any long number, is not.
    """
    cleaned = name.strip().lower()
    if not cleaned.isascii() or len(cleaned) > 40 or _LONG_NUMBER.search(cleaned):
        return NOT_SHOWN
    if cleaned in known_field_names() or _COMPOUND.match(cleaned):
        return cleaned
    return NOT_SHOWN
