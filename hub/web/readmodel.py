"""The loket's read model: one organisation's cases, folded from its own view records only.

Pure: `apply` takes a `ViewEvent` (what the policy let this audience see) and updates the case of
its subject, the audience pseudonym. Nothing here can show more than the view carries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.views.project import ViewEvent

PREFIX = "nl.onderwijsjeugd."
MATCH = PREFIX + "casus.match_gevonden.v1"
AANGESLOTEN = PREFIX + "casus.partner_aangesloten.v1"
VOORGESTELD = PREFIX + "casus.regie.voorgesteld.v1"
AANVAARD = PREFIX + "casus.regie.aanvaard.v1"
OVERGEDRAGEN = PREFIX + "casus.regie.overgedragen.v1"
WAARSCHUWING = PREFIX + "casus.thuiszitter_termijn.waarschuwing.v1"
VERSTREKEN = PREFIX + "casus.thuiszitter_termijn.verstreken.v1"
GEWIST = PREFIX + "casus.gewist.v1"
THUISZITTER_GEMELD = PREFIX + "leerplicht.thuiszitter.gemeld.v1"
AANBOD_GESTART = PREFIX + "leerplicht.onderwijsaanbod.gestart.v1"


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Betrokkene:
    """An involved partner as this organisation may know it: partner and contact role."""

    partner: str
    contactrol: str | None
    sinds: dt.date | None


@dataclass(frozen=True)
class Regie:
    """Who coordinates: proposed or accepted, since when."""

    partner: str
    status: str  # "voorgesteld" | "aanvaard"
    sinds: dt.date | None


@dataclass(frozen=True)
class Klok:
    """The thuiszitter clock as far as this organisation was told."""

    soort: str | None
    sinds: dt.date | None
    deadline: dt.date | None
    verstreken: bool

    def resterend(self, today: dt.date) -> int | None:
        """Days left until the deadline (negative: days past it)."""
        return (self.deadline - today).days if self.deadline is not None else None


@dataclass(frozen=True)
class Signaal:
    """One view record: its type, time, producer and the fields granted (nothing else)."""

    id: str
    type: str
    time: dt.datetime
    partner: str
    data: Mapping[str, Any]

    @property
    def soort(self) -> str:
        """The type without the common prefix and version."""
        return self.type.removeprefix(PREFIX).rsplit(".v", 1)[0]


@dataclass
class Casus:
    """One child's case as one organisation sees it, under its own pseudonym."""

    subject: str
    betrokkenen: dict[str, Betrokkene] = field(default_factory=dict)
    regie: Regie | None = None
    klok: Klok | None = None
    signalen: list[Signaal] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    @property
    def laatst(self) -> dt.datetime | None:
        """Time of the newest signal."""
        return self.signalen[-1].time if self.signalen else None

    def pagina(self, page: int, size: int) -> list[Signaal]:
        """Signals newest first, one page (0-based)."""
        newest_first = self.signalen[::-1]
        return newest_first[page * size : (page + 1) * size]


def _involve(casus: Casus, part: Any, since: dt.date | None) -> None:
    if not isinstance(part, Mapping) or "partner" not in part:
        return
    partner = str(part["partner"])
    known = casus.betrokkenen.get(partner)
    sinds = known.sinds if known is not None and known.sinds is not None else since
    rol = part.get("contactrol") or (known.contactrol if known else None)
    casus.betrokkenen[partner] = Betrokkene(partner, None if rol is None else str(rol), sinds)


def _fold(casus: Casus, view: ViewEvent) -> None:
    data = view.data
    day = _date(data.get("datum"))
    if view.type == MATCH:
        for part in data.get("betrokkenen", ()):
            _involve(casus, part, day)
        _involve(casus, data.get("nieuw"), day)
    elif view.type == AANGESLOTEN:
        _involve(casus, data.get("betrokkene"), day)
    elif view.type == VOORGESTELD and "partner" in data:
        if casus.regie is None or casus.regie.status != "aanvaard":
            casus.regie = Regie(str(data["partner"]), "voorgesteld", day)
    elif view.type == AANVAARD and "partner" in data:
        casus.regie = Regie(str(data["partner"]), "aanvaard", day)
    elif view.type == OVERGEDRAGEN and "naar" in data:
        casus.regie = Regie(str(data["naar"]), "aanvaard", day)
    elif view.type in (WAARSCHUWING, VERSTREKEN):
        casus.klok = Klok(
            soort=data.get("soort"),
            sinds=_date(data.get("sinds")),
            deadline=_date(data.get("deadline")),
            verstreken=view.type == VERSTREKEN,
        )
    elif view.type == THUISZITTER_GEMELD and casus.klok is None:
        casus.klok = Klok(data.get("soort"), _date(data.get("sinds")), None, False)
    elif view.type == AANBOD_GESTART:
        casus.klok = None


class ReadModel:
    """One audience's cases in memory, by audience pseudonym; fed by its view topic."""

    def __init__(self, audience: str) -> None:
        self.audience = audience
        self.cases: dict[str, Casus] = {}

    def apply(self, view: ViewEvent) -> bool:
        """Fold one view record in; False when it was not for this audience or seen before."""
        if view.audience != self.audience:
            return False
        if view.type == GEWIST:
            return self.cases.pop(view.subject, None) is not None
        casus = self.cases.setdefault(view.subject, Casus(view.subject))
        if view.id in casus.ids:
            return False
        casus.ids.add(view.id)
        signaal = Signaal(view.id, view.type, view.time, view.partner.value, dict(view.data))
        casus.signalen.append(signaal)
        if len(casus.signalen) > 1 and casus.signalen[-2].time > signaal.time:
            casus.signalen.sort(key=lambda s: s.time)
        _fold(casus, view)
        return True

    def get(self, subject: str) -> Casus | None:
        """The case under this audience's pseudonym, or None (also for another audience's)."""
        return self.cases.get(subject)

    def newest_first(self) -> Iterator[Casus]:
        """Every case, most recently changed first."""
        floor = dt.datetime.min.replace(tzinfo=dt.UTC)
        return iter(sorted(self.cases.values(), key=lambda c: c.laatst or floor, reverse=True))
