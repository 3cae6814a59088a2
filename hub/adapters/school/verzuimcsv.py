"""The school's absence export (CSV, one row per registration) -> `verzuim.geregistreerd`."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from typing import Any, ClassVar

from hub.adapters.kit import (
    Context,
    Mapped,
    MaskedField,
    RawRecord,
    RecordRejected,
    build_event,
    day_start,
    eid_for,
    parse_date,
    pseudonym,
    safe_name,
    seal,
    text,
)
from hub.adapters.report import Rejection
from hub.events.errors import shown_number
from hub.events.school import VerzuimGeregistreerd, VerzuimSoort
from hub.events.vocab import Partner

#: Columns the adapter reads; every other column is ignored and never forwarded.
KNOWN_COLUMNS: frozenset[str] = frozenset(
    {
        "brin",
        "vestiging",
        "leerlingnummer",
        "bsn",
        "onderwijsnummer",
        "naam",
        "adres",
        "geboortedatum",
        "datum",
        "lesuren",
        "soort",
        "reden",
        "opmerking",
    }
)
REQUIRED_COLUMNS: tuple[str, ...] = ("brin", "leerlingnummer", "datum", "lesuren", "soort")
#: Read to validate the row's shape, but dropped: no contract asks for them.
DROPPED_COLUMNS: frozenset[str] = frozenset({"naam", "adres", "geboortedatum", "reden"})

MAX_LESUREN = 12.0

#: The school's words (and the DUO verzuimsoort codes) for the kind of absence.
SOORTEN: dict[str, VerzuimSoort] = {
    "ongeoorloofd": VerzuimSoort.ONGEOORLOOFD,
    "geoorloofd": VerzuimSoort.GEOORLOOFD,
    "ziek": VerzuimSoort.ZIEK,
    "te laat": VerzuimSoort.TE_LAAT,
    "te_laat": VerzuimSoort.TE_LAAT,
    "telaat": VerzuimSoort.TE_LAAT,
    "luxe": VerzuimSoort.LUXE,
    "16_uur_4_weken": VerzuimSoort.ONGEOORLOOFD,
    "lrv": VerzuimSoort.ONGEOORLOOFD,
    "rmc": VerzuimSoort.ONGEOORLOOFD,
    "overig": VerzuimSoort.ONGEOORLOOFD,
}

# Bytes Windows-1252 leaves undefined: a file holding them is in neither accepted encoding.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def decode(body: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; RecordRejected for anything else."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:4096]:
        raise RecordRejected(
            "encoding",
            "the file looks like UTF-16 (NUL bytes); export as UTF-8 or Windows-1252",
        )
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    bad = next((i for i, b in enumerate(body) if b in _CP1252_UNDEFINED), None)
    if bad is not None:
        raise RecordRejected(
            "encoding",
            f"the file is neither UTF-8 nor Windows-1252 (byte 0x{body[bad]:02x} at "
            f"position {bad}); export as UTF-8",
        )
    return body.decode("cp1252")


def sniff_delimiter(header: str) -> str:
    """`;` or `,`, whichever the header line holds more of."""
    return ";" if header.count(";") >= header.count(",") else ","


def parse_lesuren(raw: str) -> float:
    """Hours as a decimal with a comma or a point, 0 to 12."""
    try:
        hours = float(raw.replace(",", "."))
    except ValueError:
        raise RecordRejected(
            "invalid_lesuren", "lesuren: expected a number such as 2 or 2,5", "lesuren"
        ) from None
    if math.isnan(hours) or math.isinf(hours):
        raise RecordRejected("invalid_lesuren", "lesuren: expected a finite number", "lesuren")
    if hours < 0:
        raise RecordRejected("invalid_lesuren", "lesuren: must not be negative", "lesuren")
    if hours > MAX_LESUREN:
        raise RecordRejected(
            "invalid_lesuren",
            f"lesuren: more than {MAX_LESUREN:g} on one day is not possible "
            f"(got {shown_number(hours)}); one row is one day",
            "lesuren",
        )
    return hours


def parse_soort(raw: str) -> VerzuimSoort:
    """The kind of absence from the school's word or a DUO code."""
    found = SOORTEN.get(" ".join(raw.strip().lower().split()))
    if found is None:
        raise RecordRejected(
            "invalid_soort",
            "soort: expected ongeoorloofd, geoorloofd, ziek, te laat, luxe "
            "or a DUO verzuimsoort (16_UUR_4_WEKEN, LRV, RMC, LUXE, OVERIG)",
            "soort",
        )
    return found


def _brin(record: RawRecord) -> tuple[str, str | None]:
    brin = (text(record, "brin") or "").upper()
    if len(brin) != 4 or not (brin[:2].isdigit() and brin[2:].isalpha() and brin.isascii()):
        raise RecordRejected(
            "invalid_brin", "brin: expected 4 characters, 2 digits and 2 letters", "brin"
        )
    vestiging = text(record, "vestiging")
    if vestiging is not None:
        if not (vestiging.isdigit() and vestiging.isascii() and len(vestiging) <= 2):
            raise RecordRejected(
                "invalid_vestiging", "vestiging: expected a number of 1 or 2 digits", "vestiging"
            )
        vestiging = vestiging.zfill(2)
    return brin, vestiging


def source_record_id(
    brin: str, vestiging: str | None, leerlingnummer: str, day: str, soort: str
) -> str:
    """The reference of one registration: same school, pupil, day and kind is the same record.

    It holds the school's pupil number, so it never travels as such: `build_event` keys it
    (HMAC under the regional key) before it becomes part of the event id.
    """
    return "\x1f".join(("verzuim", brin, vestiging or "", leerlingnummer, day, soort))


class VerzuimCsv:
    """The absence export of a school's LAS, as CSV."""

    partner: ClassVar[Partner] = Partner.SCHOOL
    feed: ClassVar[str] = "verzuim"
    system: ClassVar[str] = "las"
    description: ClassVar[str] = (
        "Absence registrations from the LAS as CSV (one row per pupil per day and kind)."
    )
    formats: ClassVar[tuple[str, ...]] = ("text/csv", "application/json")
    model = VerzuimGeregistreerd

    def __repr__(self) -> str:
        return "VerzuimCsv(school/verzuim)"

    def examples(self) -> list[dict[str, Any]]:
        """A valid row (as the JSON object of the Kafka form), with a made-up BSN."""
        return [
            {
                "brin": "12AB",
                "vestiging": "00",
                "leerlingnummer": "4711",
                "bsn": "123456782",
                "datum": "16-11-2026",
                "lesuren": "2,5",
                "soort": "ongeoorloofd",
                "opmerking": "moeder belde niet terug",
            }
        ]

    def parse(self, body: bytes, content_type: str) -> Iterator[RawRecord | Rejection]:
        """Rows of the CSV (JSON objects with the same names are accepted too, for Kafka)."""
        if "json" in content_type:
            from hub.adapters.jsonfeed import parse_json

            yield from parse_json(body, content_type)
            return
        try:
            content = decode(body)
        except RecordRejected as exc:
            yield exc.rejection(0)
            return
        lines = content.splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines or not lines[0].strip():
            yield Rejection(record=0, reason="empty_file", message="the file holds no header row")
            return
        delimiter = sniff_delimiter(lines[0])
        reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter, quotechar='"')
        header = [h.strip().strip('"').strip().lower() for h in next(reader)]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if "bsn" not in header and "onderwijsnummer" not in header:
            missing.append("bsn or onderwijsnummer")
        if missing:
            yield Rejection(
                record=0,
                reason="missing_column",
                message=f"the header lacks the column(s): {', '.join(missing)} "
                f"(delimiter read as {delimiter!r})",
                field=missing[0],
            )
            return
        if len(lines) == 1:
            yield Rejection(record=0, reason="empty_file", message="the file holds no data rows")
            return
        for number, row in enumerate(reader, start=1):
            if not any(cell.strip() for cell in row):
                continue  # a blank line in the middle is not a registration
            if len(row) != len(header):
                yield Rejection(
                    record=number,
                    reason="column_count",
                    message=f"row {number}: {len(row)} cells where the header has {len(header)}",
                )
                continue
            yield RawRecord(number, dict(zip(header, row, strict=True)))

    def map(self, record: RawRecord, ctx: Context) -> Mapped:
        """One `verzuim.geregistreerd` per row."""
        ignored = tuple(safe_name(n) for n in record.fields if n not in KNOWN_COLUMNS and n != "")
        brin, vestiging = _brin(record)
        leerlingnummer = text(record, "leerlingnummer")
        if leerlingnummer is None:
            raise RecordRejected(
                "missing_leerlingnummer", "leerlingnummer: is required", "leerlingnummer"
            )
        subject = pseudonym(record, ctx)
        raw_datum = text(record, "datum")
        if raw_datum is None:
            raise RecordRejected("missing_date", "datum: is required", "datum")
        datum = parse_date(raw_datum, "datum")
        lesuren = parse_lesuren(text(record, "lesuren") or "")
        soort = parse_soort(text(record, "soort") or "")
        ref = source_record_id(brin, vestiging, leerlingnummer, datum.isoformat(), soort.value)
        data: dict[str, Any] = {
            "brin": brin,
            "datum": datum,
            "lesuren": lesuren,
            "soort": soort,
        }
        if vestiging is not None:
            data["vestiging"] = vestiging
        opmerking = text(record, "opmerking")
        masked: tuple[MaskedField, ...] = ()
        if opmerking is not None and ctx.cipher is not None:
            # The event id binds the ciphertext to its event; without a note it is not needed.
            eid = eid_for(ctx, self.partner, ref, self.model)
            sealed = seal(ctx, opmerking, child=subject.value, eid=eid, name="opmerking")
            if sealed.value is not None:
                data["opmerking"] = sealed.value
            masked = (sealed.masked,) if sealed.masked else ()
        event = build_event(
            self.model,
            data,
            partner=self.partner,
            system=self.system,
            ctx=ctx,
            organisation=brin,  # one school, one id in `source`; the vestiging is in the data
            source_record_id=ref,
            subject=subject,
            time=day_start(datum),
        )
        return Mapped([event], ignored, masked)
