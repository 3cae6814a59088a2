"""Generated school absence exports: made-up pupils whose BSNs pass the 11-proef."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from hub.privacy.identifiers import passes_elfproef

HEADER = (
    "BRIN",
    "Vestiging",
    "Leerlingnummer",
    "BSN",
    "Naam",
    "Adres",
    "Geboortedatum",
    "Datum",
    "Lesuren",
    "Soort",
    "Reden",
    "Opmerking",
)
SOORTEN = ("ongeoorloofd", "geoorloofd", "ziek", "te laat", "luxe", "16_UUR_4_WEKEN")


def bsns(start: int = 100_000_000) -> Iterator[str]:
    """Nine-digit numbers that pass the 11-proef, in order."""
    n = start
    while True:
        digits = f"{n:09d}"
        if passes_elfproef(digits):
            yield digits
        n += 1


def rows(count: int, *, first_day: dt.date = dt.date(2026, 9, 7)) -> Iterator[list[str]]:
    """`count` valid rows: 50 registrations per pupil on distinct school days."""
    pupils = bsns()
    bsn = next(pupils)
    for i in range(count):
        if i % 50 == 0 and i:
            bsn = next(pupils)
        day = first_day + dt.timedelta(days=i % 50)
        yield [
            "12AB",
            "00",
            str(10_000 + i // 50),
            bsn,
            f"Leerling Achternaam{i // 50}",
            "Kerkstraat 12, 3511 AB Utrecht",
            "14-03-2013",
            day.strftime("%d-%m-%Y"),
            "2,5" if i % 2 else "1",
            SOORTEN[i % len(SOORTEN)],
            "geen reden opgegeven",
            "moeder belde" if i % 7 == 0 else "",
        ]


def csv_bytes(
    body: list[list[str]],
    *,
    header: tuple[str, ...] = HEADER,
    delimiter: str = ";",
    newline: str = "\r\n",
    encoding: str = "utf-8",
    bom: bool = False,
    trailing_blank_lines: int = 0,
) -> bytes:
    """A CSV export as a LAS would write it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(body)
    text = out.getvalue() + newline * trailing_blank_lines
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def export(count: int, **options: object) -> bytes:
    """A valid export of `count` rows."""
    return csv_bytes(list(rows(count)), **options)  # type: ignore[arg-type]


#: A Windows-1252 export with one row of each kind of problem, and its expectations.
BAD_ROWS: list[tuple[list[str], str | None]] = [
    (
        [
            "12AB",
            "00",
            "501",
            "123456782",
            "Zoë Çelik",
            "Dorpsweg 1",
            "01-02-2013",
            "16-11-2026",
            "2,5",
            "ongeoorloofd",
            "",
            "belde niet",
        ],
        None,
    ),
    (
        ["12AB", "00", "502", "123456789", "Ruud", "", "", "16-11-2026", "2", "ziek", "", ""],
        "invalid_bsn",
    ),
    (
        ["12AB", "00", "503", "", "Anouk", "", "", "16-11-2026", "2", "ziek", "", ""],
        "missing_identifier",
    ),
    (
        ["12AB", "00", "504", "232262536", "Sem", "", "", "31-02-2025", "2", "ziek", "", ""],
        "invalid_date",
    ),
    (
        ["12AB", "00", "505", "232262536", "Sem", "", "", "17-11-2026", "-3", "ziek", "", ""],
        "invalid_lesuren",
    ),
    (
        ["12AB", "00", "506", "232262536", "Sem", "", "", "18-11-2026", "99", "ziek", "", ""],
        "invalid_lesuren",
    ),
    (
        ["12AB", "00", "507", "232262536", "Sem", "", "", "19-11-2026", "1.5", "spijbelen", "", ""],
        "invalid_soort",
    ),
    (
        ["1XAB", "00", "508", "232262536", "Sem", "", "", "19-11-2026", "1", "ziek", "", ""],
        "invalid_brin",
    ),
    (
        [
            "12AB",
            "00",
            "509",
            "111222333",
            "Eef Ørsted",
            "",
            "",
            "20-11-2026",
            "3",
            "te laat",
            "",
            "",
        ],
        None,
    ),
]
