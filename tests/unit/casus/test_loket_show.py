"""`hub casus show` at scale: the oldest cases first, only the shown ones decoded."""

from __future__ import annotations

import datetime as dt
import hashlib

from hub.casus.loket import oldest_cases, state_filter
from hub.casus.state import Betrokkenheid, CasusState, Status
from hub.events.vocab import Domein, Partner


def case(n: int, partner: Partner, opened: dt.date | None, status: Status = Status.OPEN) -> bytes:
    kind = hashlib.sha256(f"k{n}".encode()).hexdigest()
    betrokken = (Betrokkenheid(partner=partner, domein=Domein.VERZUIM, sinds=opened),)
    state = CasusState(
        kind=kind, pseudonymkid="p.v1", status=status, geopend=opened, betrokkenheden=betrokken
    )
    return state.model_dump_json().encode()


RAW = {
    b"a": case(1, Partner.LEERPLICHT, dt.date(2026, 10, 3)),
    b"b": case(2, Partner.JGZ, dt.date(2026, 9, 1)),
    b"c": case(3, Partner.LEERPLICHT, dt.date(2026, 11, 5)),
    b"d": case(4, Partner.LEERPLICHT, None, Status.GEEN),
    b"e": case(5, Partner.SWV, dt.date(2026, 9, 20)),
}


def test_the_oldest_come_first_and_the_rest_is_counted() -> None:
    shown, rest = oldest_cases(RAW, 2)
    assert [s.geopend for s in shown] == [dt.date(2026, 9, 1), dt.date(2026, 9, 20)]
    assert rest == 2


def test_only_the_shown_cases_are_decoded() -> None:
    # A state that is not shown is never parsed: an unreadable one further down does no harm.
    unreadable = {**RAW, b"z": b'{"geopend":"2027-01-01","status": not json'}
    shown, rest = oldest_cases(unreadable, 2)
    assert len(shown) == 2
    assert rest == 3


def test_partner_filter_keeps_their_cases_only() -> None:
    wanted = state_filter(partner="leerplicht")
    assert wanted is not None
    raw = {k: v for k, v in RAW.items() if wanted(k, v)}
    shown, _ = oldest_cases(raw, 10, "leerplicht")
    assert [s.geopend for s in shown] == [dt.date(2026, 10, 3), dt.date(2026, 11, 5)]
