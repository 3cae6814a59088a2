"""The state of one child's case, as kept in the compacted `casus.state.v1` topic."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from hub.casus.mazl import Ziekteverloop
from hub.casus.termijn import Termijnklok
from hub.casus.verzuimdrempel import VerzuimTeller
from hub.events.vocab import ContactRol, Domein, Partner


class Status(StrEnum):
    """Where the case stands."""

    #: Only raw registrations (counters) or a bezwaar: no case was opened (data minimisation).
    GEEN = "geen"
    OPEN = "open"
    GESLOTEN = "gesloten"
    GEARCHIVEERD = "gearchiveerd"


class Betrokkenheid(BaseModel):
    """One partner involved in one domain: the fact and the contact role, never content."""

    model_config = ConfigDict(frozen=True)

    partner: Partner
    domein: Domein
    contactrol: ContactRol | None = None
    sinds: dt.date | None = Field(default=None, description="None: the start was never seen.")
    tot: dt.date | None = Field(default=None, description="End date; set means not involved.")

    @property
    def actief(self) -> bool:
        """Involved now: started and not ended after that start."""
        return self.sinds is not None and (self.tot is None or self.tot < self.sinds)


class Regie(BaseModel):
    """Who coordinates: the rule's proposal and the partner that accepted."""

    model_config = ConfigDict(frozen=True)

    nodig_sinds: dt.date | None = Field(default=None, description="Since the match (2+ partners).")
    voorgesteld: Partner | None = None
    regel: str | None = None
    toelichting: str | None = None
    aanvaard: Partner | None = None
    aanvaard_op: dt.date | None = None
    ontbreekt_gemeld: bool = False


class Thuiszitten(BaseModel):
    """The running thuiszitter clock and the last education offer seen."""

    model_config = ConfigDict(frozen=True)

    klok: Termijnklok | None = None
    aanbod_sinds: dt.date | None = None


class Bezwaar(BaseModel):
    """A parent's objection to sharing, for the listed audiences (empty = all)."""

    model_config = ConfigDict(frozen=True)

    verzoek_id: str
    datum: dt.date
    partners: tuple[Partner, ...] = ()


class Signaal(BaseModel):
    """A signal the casus gave, for the loket: which kind and when."""

    model_config = ConfigDict(frozen=True)

    soort: str
    datum: dt.date


class CasusState(BaseModel):
    """One child's case: involvement, match, regie, clocks, counters, privacy requests."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="The child's hub pseudonym (the record key).")
    pseudonymkid: str
    status: Status = Status.GEEN
    geopend: dt.date | None = None
    gesloten: dt.date | None = None
    betrokkenheden: tuple[Betrokkenheid, ...] = ()
    #: Partner pairs already told of each other, as "a|b" with a < b.
    gematcht: tuple[str, ...] = ()
    regie: Regie = Regie()
    thuiszitten: Thuiszitten = Thuiszitten()
    verzuim: VerzuimTeller = VerzuimTeller()
    ziekte: Ziekteverloop = Ziekteverloop()
    brin: str | None = None
    geboortejaar: int | None = None
    bezwaren: tuple[Bezwaar, ...] = ()
    signalen: tuple[Signaal, ...] = ()
    laatste_signaal: dt.date | None = None
    leeg_sinds: dt.date | None = Field(
        default=None, description="Since no partner is involved and no clock runs."
    )
    bewaren_tot: dt.date | None = Field(default=None, description="Set when archived.")
    bijgewerkt: dt.datetime | None = None
    #: The last input event ids applied (bounded): a duplicate has no second effect.
    gezien: tuple[str, ...] = ()

    def actieve_partners(self) -> list[Partner]:
        """Involved partners in order of joining (earliest start first)."""
        active = sorted(
            (b for b in self.betrokkenheden if b.actief),
            key=lambda b: (b.sinds or dt.date.min, b.partner.value),
        )
        seen: list[Partner] = []
        for b in active:
            if b.partner not in seen:
                seen.append(b.partner)
        return seen

    def actieve_domeinen(self) -> list[Domein]:
        """Domains with an involved partner."""
        return sorted({b.domein for b in self.betrokkenheden if b.actief})
