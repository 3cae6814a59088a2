"""Contracts emitted by the hub's casus processor: one case per child, match, regie, clocks."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from hub.events.envelope import EventType, Part, Payload, partners
from hub.events.fields import Brin, Geboortejaar, Label
from hub.events.leerplicht import ThuiszitterSoort
from hub.events.registry import register
from hub.events.sensitivity import Sensitivity
from hub.events.vocab import ContactRol, Domein, Partner

CASUS_GEOPEND = "nl.onderwijsjeugd.casus.geopend.v1"
CASUS_GESLOTEN = "nl.onderwijsjeugd.casus.gesloten.v1"
PARTNER_AANGESLOTEN = "nl.onderwijsjeugd.casus.partner_aangesloten.v1"
MATCH_GEVONDEN = "nl.onderwijsjeugd.casus.match_gevonden.v1"
REGIE_VOORGESTELD = "nl.onderwijsjeugd.casus.regie.voorgesteld.v1"
REGIE_AANVAARD = "nl.onderwijsjeugd.casus.regie.aanvaard.v1"
REGIE_OVERGEDRAGEN = "nl.onderwijsjeugd.casus.regie.overgedragen.v1"
REGIE_ONTBREEKT = "nl.onderwijsjeugd.casus.regie.ontbreekt.v1"
THUISZITTER_TERMIJN_WAARSCHUWING = "nl.onderwijsjeugd.casus.thuiszitter_termijn.waarschuwing.v1"
THUISZITTER_TERMIJN_VERSTREKEN = "nl.onderwijsjeugd.casus.thuiszitter_termijn.verstreken.v1"
VERZUIMDREMPEL_OVERSCHREDEN = "nl.onderwijsjeugd.casus.verzuimdrempel.overschreden.v1"
ZORGWEKKEND_ZIEKTEVERZUIM = "nl.onderwijsjeugd.casus.zorgwekkend_ziekteverzuim.gesignaleerd.v1"
CASUS_GEARCHIVEERD = "nl.onderwijsjeugd.casus.gearchiveerd.v1"
CASUS_GEWIST = "nl.onderwijsjeugd.casus.gewist.v1"

_HUB = partners(Partner.HUB)

#: The thresholds of the verzuimdrempel, part of the contract.
DREMPEL_LESUREN = 16
DREMPEL_LESWEKEN = 4
MELDTERMIJN_WERKDAGEN = 5


class Betrokkene(Part):
    """An involved partner as another partner may see it: partner and contact role only."""

    partner: Partner
    contactrol: ContactRol


Adressaten = tuple[Partner, ...]


def _adressaten(description: str) -> Any:
    return Field(min_length=1, max_length=7, description=description)


class SluitReden(StrEnum):
    """Why a case was closed."""

    AFGEROND = "afgerond"
    GEEN_BETROKKENHEID = "geen_betrokkenheid"
    VERHUISD = "verhuisd"
    OVERIG = "overig"


class RegieRegel(StrEnum):
    """Which rule chose the proposed regisseur."""

    ROUTERINGSREGEL = "routeringsregel"
    RANGORDE = "rangorde"


class MazlCriterium(StrEnum):
    """The M@ZL pattern that was seen."""

    VAAK = "4e_ziekmelding_in_12_lesweken"
    LANG = "7_lesdagen_aaneengesloten_ziek"


class WisReden(StrEnum):
    """Why a case was erased."""

    VERWIJDERINGSVERZOEK = "verwijderingsverzoek"
    BEWAARTERMIJN_VERSTREKEN = "bewaartermijn_verstreken"
    LEEFTIJD_23 = "leeftijd_23"


_CHILD_A = {"partner": "school", "contactrol": "intern_begeleider"}
_CHILD_B = {"partner": "buurtteam", "contactrol": "gezinscoach"}


@register
class CasusGeopend(Payload):
    """The first signal about a child opened its case."""

    event_type: ClassVar[str] = CASUS_GEOPEND
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {
        "datum": "2026-11-17",
        "aanleiding": "nl.onderwijsjeugd.school.zorgsignaal.afgegeven.v1",
        "eerste_partner": "school",
        "geboortejaar": 2013,
    }

    datum: dt.date
    aanleiding: EventType = Field(description="Type of the event that opened the case.")
    eerste_partner: Partner
    geboortejaar: Geboortejaar | None = None


@register
class CasusGesloten(Payload):
    """The case was closed."""

    event_type: ClassVar[str] = CASUS_GESLOTEN
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {"datum": "2027-06-30", "reden": "afgerond"}

    datum: dt.date
    reden: SluitReden


@register
class PartnerAangesloten(Payload):
    """A partner joined the child's existing case (instead of a new intake)."""

    event_type: ClassVar[str] = PARTNER_AANGESLOTEN
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {
        "datum": "2026-11-18",
        "betrokkene": _CHILD_B,
        "domein": "gezin",
    }

    datum: dt.date
    betrokkene: Betrokkene
    domein: Domein | None = Field(
        default=None, description="Domain of the involvement (the sharing policy may drop it)."
    )


@register
class MatchGevonden(Payload):
    """Two or more partners are involved with the same child; each is told who the others are."""

    event_type: ClassVar[str] = MATCH_GEVONDEN
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {
        "datum": "2026-11-18",
        "nieuw": _CHILD_B,
        "betrokkenen": [_CHILD_A, _CHILD_B],
        "adressaten": ["school", "buurtteam"],
    }

    datum: dt.date
    nieuw: Betrokkene = Field(description="The partner whose signal made the match.")
    betrokkenen: tuple[Betrokkene, ...] = Field(min_length=2, max_length=12)
    adressaten: Adressaten = _adressaten("Partners told of the match.")


@register
class RegieVoorgesteld(Payload):
    """The hub proposes a regisseur by the routing rule."""

    event_type: ClassVar[str] = REGIE_VOORGESTELD
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {
        "datum": "2026-11-18",
        "partner": "buurtteam",
        "regel": "routeringsregel",
        "domeinen": ["gezin"],
        "toelichting": "routeringsregel: gezin → buurtteam",
        "adressaten": ["school", "buurtteam"],
    }

    datum: dt.date
    partner: Partner = Field(description="The proposed regisseur.")
    regel: RegieRegel
    domeinen: tuple[Domein, ...] = Field(default=(), max_length=6)
    toelichting: Label | None = Field(default=None, description="The rule in words.")
    adressaten: Adressaten = _adressaten("Involved partners.")


@register
class RegieAanvaard(Payload):
    """A partner accepted regie."""

    event_type: ClassVar[str] = REGIE_AANVAARD
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {"datum": "2026-11-19", "partner": "buurtteam"}

    datum: dt.date
    partner: Partner


@register
class RegieOvergedragen(Payload):
    """Regie moved from one partner to another."""

    event_type: ClassVar[str] = REGIE_OVERGEDRAGEN
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {"datum": "2027-02-01", "van": "buurtteam", "naar": "swv"}

    datum: dt.date
    van: Partner
    naar: Partner


@register
class RegieOntbreekt(Payload):
    """No partner accepted regie within the configured time after the match."""

    event_type: ClassVar[str] = REGIE_ONTBREEKT
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {
        "sinds": "2026-11-18",
        "termijn_dagen": 10,
        "voorgesteld": "buurtteam",
        "adressaten": ["school", "buurtteam"],
    }

    sinds: dt.date = Field(description="Date of the match (regie needed since).")
    termijn_dagen: int = Field(ge=1, le=365, description="The configured waiting time.")
    voorgesteld: Partner | None = None
    adressaten: Adressaten = _adressaten("Involved partners.")


@register
class ThuiszitterTermijnWaarschuwing(Payload):
    """The 3-month thuiszitter deadline is near and there is no education offer yet."""

    event_type: ClassVar[str] = THUISZITTER_TERMIJN_WAARSCHUWING
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {
        "soort": "langdurig_relatief_verzuim",
        "sinds": "2026-09-14",
        "deadline": "2026-12-14",
        "resterende_dagen": 21,
        "adressaten": ["leerplicht", "swv"],
    }

    soort: ThuiszitterSoort
    sinds: dt.date
    deadline: dt.date
    resterende_dagen: int = Field(ge=0, le=366)
    adressaten: Adressaten = _adressaten("Partners who must act.")


@register
class ThuiszitterTermijnVerstreken(Payload):
    """The 3-month thuiszitter deadline passed without an education offer (escalation)."""

    event_type: ClassVar[str] = THUISZITTER_TERMIJN_VERSTREKEN
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {
        "soort": "langdurig_relatief_verzuim",
        "sinds": "2026-09-14",
        "deadline": "2026-12-14",
        "dagen_over": 0,
        "adressaten": ["leerplicht", "swv", "gemeente"],
    }

    soort: ThuiszitterSoort
    sinds: dt.date
    deadline: dt.date
    dagen_over: int = Field(ge=0, le=36500)
    adressaten: Adressaten = _adressaten("Partners who must act, and escalation.")


@register
class VerzuimdrempelOverschreden(Payload):
    """More than 16 lesuren unauthorised absence in 4 lesweken: the school must file the DUO
    verzuimmelding within 5 working days (by `melden_uiterlijk`)."""

    event_type: ClassVar[str] = VERZUIMDREMPEL_OVERSCHREDEN
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {
        "periode_van": "2026-10-19",
        "periode_tot": "2026-11-13",
        "lesuren_ongeoorloofd": 17.5,
        "melden_uiterlijk": "2026-11-20",
        "brin": "12AB",
        "adressaten": ["school", "leerplicht"],
    }

    periode_van: dt.date
    periode_tot: dt.date
    lesuren_ongeoorloofd: float = Field(ge=0, le=2000, allow_inf_nan=False)
    melden_uiterlijk: dt.date = Field(description="Last day for the DUO verzuimmelding.")
    brin: Brin | None = None
    adressaten: Adressaten = _adressaten("The school and leerplicht.")


@register
class ZorgwekkendZiekteverzuim(Payload):
    """The M@ZL pattern was seen: the school should involve the jeugdarts."""

    event_type: ClassVar[str] = ZORGWEKKEND_ZIEKTEVERZUIM
    producers: ClassVar[frozenset[Partner]] = _HUB
    sensitivity: ClassVar[frozenset[Sensitivity]] = frozenset({Sensitivity.GEZONDHEID})
    example: ClassVar[dict[str, Any]] = {
        "criterium": "4e_ziekmelding_in_12_lesweken",
        "datum": "2026-11-16",
        "adressaten": ["school", "jgz"],
    }

    criterium: MazlCriterium
    datum: dt.date = Field(description="The school day the pattern was reached.")
    adressaten: Adressaten = _adressaten("The school and JGZ.")


@register
class CasusGearchiveerd(Payload):
    """The case is no longer active (2 years) and was archived."""

    event_type: ClassVar[str] = CASUS_GEARCHIVEERD
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {"datum": "2028-11-18", "bewaren_tot": "2031-11-18"}

    datum: dt.date
    bewaren_tot: dt.date = Field(description="Destroyed at the latest on this day.")


@register
class CasusGewist(Payload):
    """The case and the child's data key were destroyed (crypto-shredding)."""

    event_type: ClassVar[str] = CASUS_GEWIST
    producers: ClassVar[frozenset[Partner]] = _HUB
    example: ClassVar[dict[str, Any]] = {"datum": "2026-11-23", "reden": "verwijderingsverzoek"}

    datum: dt.date
    reden: WisReden
