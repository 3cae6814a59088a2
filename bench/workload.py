"""Synthetic, privacy-safe workloads: contract events, a school CSV export, a key ring.

Everything here is pure and deterministic. Children are hub pseudonyms of made-up BSNs that pass
the 11-proef (so a leak would be caught by the scanner); no BSN leaves this module except inside
the school CSV body, which only the adapter reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hub.bus import cloudevents
from hub.events.envelope import Event, new_event
from hub.events.export import example_event
from hub.events.school import VERZUIM_GEREGISTREERD, VerzuimGeregistreerd, ZiekmeldingGedaan
from hub.events.vocab import Partner
from hub.privacy.identifiers import parse_identifier, passes_elfproef
from hub.privacy.keyring import (
    FIXED_AUDIENCES,
    INTAKE,
    KEK,
    PSEUDONYM,
    Key,
    KeyRing,
    audience_key_name,
    recipient_key_name,
)
from hub.privacy.pseudonyms import pseudonymise
from hub.privacy.sealing import public_key

#: The first school day of the synthetic term (a Monday outside any holiday of regio midden).
FIRST_DAY = dt.date(2026, 9, 7)
KID = "hub-2026-1"
BRIN = "12AB"


def keyring() -> KeyRing:
    """A fixed ring: pseudonym key, KEK and every audience key of the shipped sharing policy
    (bench keys, not secrets)."""
    from hub.views.policy import load_policy

    policy = load_policy()
    audiences = {*FIXED_AUDIENCES, *(policy.key_audience(a) for a in policy.audiences())}
    names = [PSEUDONYM, KEK, INTAKE, *(audience_key_name(a) for a in sorted(audiences))]
    keys = [Key(n, 1, hashlib.sha256(f"bench-{n}".encode()).digest()) for n in names]
    # The audiences' X25519 public keys: the hub seals each audience's child keys to them.
    keys += [
        Key(recipient_key_name(a), 1, public_key(recipient_private(a))) for a in sorted(audiences)
    ]
    return KeyRing(keys)


def recipient_private(audience: str) -> bytes:
    """The bench's X25519 private key of `audience` (what only the audience would hold)."""
    return hashlib.sha256(f"bench-recipient-{audience}".encode()).digest()


def bsns(count: int, start: int = 100_000_000) -> list[str]:
    """`count` nine-digit numbers that pass the 11-proef, in order."""
    out: list[str] = []
    n = start
    while len(out) < count:
        digits = f"{n:09d}"
        if passes_elfproef(digits):
            out.append(digits)
        n += 1
    return out


def children(count: int, ring: KeyRing, start: int = 100_000_000) -> list[str]:
    """Hub pseudonyms of `count` made-up children (BSNs counted up from `start`)."""
    return [pseudonymise(parse_identifier("bsn", b), ring).value for b in bsns(count, start)]


def school_days(count: int, first: dt.date = FIRST_DAY) -> list[dt.date]:
    """The first `count` weekdays from `first`."""
    days: list[dt.date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def contract_record(event_type: str = VERZUIM_GEREGISTREERD) -> cloudevents.KafkaRecord:
    """The binary-mode record of the registry's example of `event_type` (exact contract size)."""
    return cloudevents.encode(example_event(event_type))


def _event(child: str, day: dt.date, i: int, when: dt.datetime | None) -> Event[Any]:
    """Event `i` of a child: mostly unauthorised absence, every fifth day a sick report."""
    data: Any
    if i % 5 == 4:
        data = ZiekmeldingGedaan(ziek_vanaf=day, brin=BRIN)
    else:
        data = VerzuimGeregistreerd(datum=day, lesuren=4.0, soort="ongeoorloofd", brin=BRIN)
    return new_event(
        data,
        partner=Partner.SCHOOL,
        organisation=BRIN,
        system="las",
        source_record_id=f"bench-{child[:16]}-{i}",
        subject=child,
        pseudonymkid=KID,
        time=when or dt.datetime.combine(day, dt.time(8, 30), dt.UTC),
    )


@dataclass(frozen=True)
class Stream:
    """A school's stream of contract events over `len(kids)` children, round-robin by day.

    Four hours of unauthorised absence a day pass the 16-hours-in-4-lesweken threshold on the
    fifth registration, so the casus derives `verzuimdrempel.overschreden` (shared with
    leerplicht); the sick reports go to JGZ as they are.
    """

    kids: list[str]

    def event(self, i: int, when: dt.datetime | None = None) -> Event[Any]:
        """The `i`-th event of the stream; `when` overrides the event time (latency runs)."""
        child = self.kids[i % len(self.kids)]
        rnd = i // len(self.kids)
        day = school_days(rnd + 1)[-1] if rnd < 60 else FIRST_DAY
        return _event(child, day, rnd, when)

    def records(self, count: int) -> Iterator[cloudevents.KafkaRecord]:
        """The first `count` events, encoded once (pre-encoded bytes for the producer)."""
        days = school_days(count // len(self.kids) + 1)
        for i in range(count):
            child = self.kids[i % len(self.kids)]
            rnd = i // len(self.kids)
            yield cloudevents.encode(_event(child, days[rnd], rnd, None))


CSV_HEADER = (
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
CSV_SOORTEN = ("ongeoorloofd", "geoorloofd", "ziek", "te laat", "ongeoorloofd", "luxe")


def school_csv(rows: int, pupils: int) -> bytes:
    """A school's absence export of `rows` registrations over `pupils` made-up pupils."""
    numbers = bsns(pupils, start=200_000_000)
    days = school_days(rows // pupils + 1)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for i in range(rows):
        p = i % pupils
        writer.writerow(
            [
                BRIN,
                "00",
                str(10_000 + p),
                numbers[p],
                f"Leerling Achternaam{p}",
                "Kerkstraat 12, 3511 AB Utrecht",
                "14-03-2013",
                days[i // pupils].strftime("%d-%m-%Y"),
                "2,5" if i % 2 else "1",
                CSV_SOORTEN[i % len(CSV_SOORTEN)],
                "geen reden opgegeven",
                "",
            ]
        )
    return out.getvalue().encode()
