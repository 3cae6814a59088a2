"""A reproducible stream of contract events for many children, and its expected casus outputs.

Each child's events come from one partner's topic, so their order is fixed, except for the
'pair' children: one event each from two partners, whose relative order Kafka does not fix;
for them both orders are modelled and either may be seen.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from hub.bus import cloudevents
from hub.casus.config import CasusConfig
from hub.casus.handler import envelop
from hub.casus.transition import transition
from hub.events import betrokkenheid as bt
from hub.events import buurtteam as bu
from hub.events import jgz, privacy, school, swv
from hub.events import leerplicht as lp
from hub.events.envelope import Event
from hub.events.topics import contract_topic
from hub.events.vocab import ContactRol, Domein, Urgentie
from tests.unit.casus.helpers import D, kind
from tests.unit.casus.helpers import ev as _ev


def ev(data: Any, partner: str, record: str, day: str, child: str) -> Event[Any]:
    """An event whose source record id is unique per child, as a real source's would be."""
    return _ev(data, partner, f"{child[:16]}-{record}", day, child)


@dataclass
class Child:
    """One child's events in sending order, and the orders in which they may be processed."""

    kind: str
    events: list[Event[Any]]
    orders: list[list[Event[Any]]] = field(default_factory=list)


def _school(c: str) -> list[Event[Any]]:
    days = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-09", "2026-11-10", "2026-11-11"]
    events = [
        ev(
            school.VerzuimGeregistreerd(
                datum=D(d), lesuren=3, soort=school.VerzuimSoort.ONGEOORLOOFD, brin="12AB"
            ),
            "school",
            f"vz-{d}",
            d,
            c,
        )
        for d in days
    ]
    events.append(
        ev(
            school.ZorgsignaalAfgegeven(
                datum=D("2026-11-12"), domein=Domein.LEREN, urgentie=Urgentie.NORMAAL
            ),
            "school",
            "zs",
            "2026-11-12",
            c,
        )
    )
    for d in ("2026-09-07", "2026-10-05", "2026-11-02", "2026-11-16"):
        events.append(ev(school.ZiekmeldingGedaan(ziek_vanaf=D(d)), "school", f"zk-{d}", d, c))
    return events


def _leerplicht(c: str) -> list[Event[Any]]:
    return [
        ev(
            lp.ThuiszitterGemeld(soort=lp.ThuiszitterSoort.ABSOLUUT_VERZUIM, sinds=D("2026-09-14")),
            "leerplicht",
            "tz",
            "2026-09-15",
            c,
        ),
        ev(
            lp.LeerplichtzaakGeopend(
                datum=D("2026-09-16"), aanleiding=lp.ZaakAanleiding.THUISZITTER
            ),
            "leerplicht",
            "zo",
            "2026-09-16",
            c,
        ),
        ev(
            bt.BetrokkenheidGestart(
                domein=Domein.VERZUIM, contactrol=ContactRol.CASUSREGISSEUR, sinds=D("2026-09-17")
            ),
            "leerplicht",
            "bg",
            "2026-09-17",
            c,
        ),
        ev(
            lp.OnderwijsaanbodGestart(datum=D("2026-11-02"), soort=lp.AanbodSoort.MAATWERK),
            "leerplicht",
            "ab",
            "2026-11-02",
            c,
        ),
        ev(
            lp.LeerplichtzaakGesloten(datum=D("2026-11-20"), uitkomst=lp.ZaakUitkomst.OVERIG),
            "leerplicht",
            "zg",
            "2026-11-20",
            c,
        ),
    ]


def _jgz(c: str) -> list[Event[Any]]:
    def start(day: str) -> Event[Any]:
        data = bt.BetrokkenheidGestart(
            domein=Domein.GEZONDHEID, contactrol=ContactRol.JEUGDARTS, sinds=D(day)
        )
        return ev(data, "jgz", f"bg-{day}", day, c)

    end = bt.BetrokkenheidBeeindigd(
        domein=Domein.GEZONDHEID,
        contactrol=ContactRol.JEUGDARTS,
        datum=D("2026-11-10"),
        reden=bt.EindeReden.AFGEROND,
    )
    return [
        start("2026-11-02"),
        ev(
            jgz.MazlConsultGehouden(datum=D("2026-11-05"), terugkoppeling_school=True),
            "jgz",
            "mc",
            "2026-11-05",
            c,
        ),
        ev(end, "jgz", "be", "2026-11-10", c),
        start("2026-11-18"),
    ]


def _buurtteam(c: str) -> list[Event[Any]]:
    return [
        ev(
            bu.HulptrajectGestart(datum=D("2026-11-02"), domein=Domein.GEZIN),
            "buurtteam",
            "hs",
            "2026-11-02",
            c,
        ),
        ev(
            bt.BetrokkenheidGestart(
                domein=Domein.OPVOEDEN, contactrol=ContactRol.CASUSREGISSEUR, sinds=D("2026-11-04")
            ),
            "buurtteam",
            "bg",
            "2026-11-04",
            c,
        ),
        ev(
            bu.HulptrajectBeeindigd(datum=D("2026-11-25"), reden=bu.TrajectEinde.AFGEROND),
            "buurtteam",
            "he",
            "2026-11-25",
            c,
        ),
    ]


def _swv(c: str) -> list[Event[Any]]:
    return [
        ev(
            swv.ArrangementToegekend(soort=swv.ArrangementSoort.MAATWERK, van=D("2026-11-02")),
            "swv",
            "ar1",
            "2026-11-02",
            c,
        ),
        ev(
            privacy.BezwaarIngediend(verzoek_id="BZ-1", datum=D("2026-11-03")),
            "swv",
            "bz",
            "2026-11-03",
            c,
        ),
        ev(
            privacy.VerwijderingVerzocht(verzoek_id="VW-1", datum=D("2026-11-04")),
            "swv",
            "vw",
            "2026-11-04",
            c,
        ),
        ev(
            swv.ArrangementToegekend(soort=swv.ArrangementSoort.MAATWERK, van=D("2026-11-09")),
            "swv",
            "ar2",
            "2026-11-09",
            c,
        ),
    ]


_BUILDERS = {
    "school": _school,
    "leerplicht": _leerplicht,
    "jgz": _jgz,
    "buurtteam": _buurtteam,
    "swv": _swv,
}


def _pair(c: str) -> list[Event[Any]]:
    a = ev(
        bt.BetrokkenheidGestart(
            domein=Domein.GEZIN, contactrol=ContactRol.GEZINSCOACH, sinds=D("2026-11-02")
        ),
        "buurtteam",
        "pair-bt",
        "2026-11-02",
        c,
    )
    b = ev(
        school.ZorgsignaalAfgegeven(
            datum=D("2026-11-02"), domein=Domein.GEDRAG, urgentie=Urgentie.HOOG
        ),
        "school",
        "pair-zs",
        "2026-11-02",
        c,
    )
    return [a, b]


def children(count: int, pairs: int, run: str = "") -> list[Child]:
    """`count` single-partner children (every 5th with a duplicate) and `pairs` pair children."""
    result: list[Child] = []
    for i, partner in zip(range(count), itertools.cycle(_BUILDERS), strict=False):
        c = kind(f"{run}single-{i}")
        events = _BUILDERS[partner](c)
        if i % 5 == 0:
            events.append(events[0])  # the same event (same id) again: no second effect
        result.append(Child(c, events, [events]))
    for i in range(pairs):
        c = kind(f"{run}pair-{i}")
        events = _pair(c)
        result.append(Child(c, events, [events, events[::-1]]))
    return result


def interleave(kids: list[Child]) -> list[Event[Any]]:
    """Round-robin over the children, each child's events in its own order."""
    queues = [list(k.events) for k in kids]
    out: list[Event[Any]] = []
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def expected_ids(order: list[Event[Any]], config: CasusConfig) -> list[str]:
    """The ids of the casus outputs for one child's events in this order."""
    state = None
    ids: list[str] = []
    for event in order:
        state, uit = transition(state, event, config)
        ids += [envelop(u, event.subject, event.pseudonymkid, config).id for u in uit]
    return ids


def topic_of(event: Event[Any], prefix: str) -> str:
    """The physical contract topic an event travels on."""
    return prefix + contract_topic(event.partner)


def record_of(event: Event[Any]) -> cloudevents.KafkaRecord:
    """The binary-mode record of an event."""
    return cloudevents.encode(event)
