"""Contracts produced by leerplicht: thuiszitters, onderwijsaanbod, leerplichtzaken."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from hub.events.envelope import Payload, partners
from hub.events.fields import Brin, Geboortejaar
from hub.events.registry import register
from hub.events.vocab import Partner

THUISZITTER_GEMELD = "nl.onderwijsjeugd.leerplicht.thuiszitter.gemeld.v1"
ONDERWIJSAANBOD_GESTART = "nl.onderwijsjeugd.leerplicht.onderwijsaanbod.gestart.v1"
LEERPLICHTZAAK_GEOPEND = "nl.onderwijsjeugd.leerplicht.leerplichtzaak.geopend.v1"
LEERPLICHTZAAK_GESLOTEN = "nl.onderwijsjeugd.leerplicht.leerplichtzaak.gesloten.v1"


class ThuiszitterSoort(StrEnum):
    """Why the child is at home without school."""

    ABSOLUUT_VERZUIM = "absoluut_verzuim"
    LANGDURIG_RELATIEF_VERZUIM = "langdurig_relatief_verzuim"
    VRIJSTELLING_5A = "vrijstelling_5a"
    VRIJSTELLING_5B = "vrijstelling_5b"
    VRIJSTELLING_5C = "vrijstelling_5c"
    VRIJSTELLING_15 = "vrijstelling_15"


class AanbodSoort(StrEnum):
    """The education offer that ends a thuiszitter period."""

    REGULIER = "regulier"
    SPECIAAL = "speciaal"
    MAATWERK = "maatwerk"
    DEELTIJD = "deeltijd"
    ONDERWIJSZORG = "onderwijszorg"


class ZaakAanleiding(StrEnum):
    """What opened a leerplichtzaak."""

    VERZUIMMELDING = "verzuimmelding"
    THUISZITTER = "thuiszitter"
    SIGNAAL = "signaal"
    OVERIG = "overig"


class ZaakUitkomst(StrEnum):
    """How a leerplichtzaak ended."""

    VERZUIM_GESTOPT = "verzuim_gestopt"
    ZORGTRAJECT = "zorgtraject"
    HALT = "halt"
    PROCES_VERBAAL = "proces_verbaal"
    VERHUISD = "verhuisd"
    OVERIG = "overig"


@register
class ThuiszitterGemeld(Payload):
    """Leerplicht records that the child is a thuiszitter; the 3-month clock starts at `sinds`."""

    event_type: ClassVar[str] = THUISZITTER_GEMELD
    producers: ClassVar[frozenset[Partner]] = partners(Partner.LEERPLICHT)
    example: ClassVar[dict[str, Any]] = {
        "soort": "langdurig_relatief_verzuim",
        "sinds": "2026-09-14",
    }

    soort: ThuiszitterSoort
    sinds: dt.date = Field(description="First day without education.")
    geboortejaar: Geboortejaar | None = Field(
        default=None, description="Year of birth only, for the 18 and 23 year limits."
    )


@register
class OnderwijsaanbodGestart(Payload):
    """The thuiszitter has an education offer again; the clock stops."""

    event_type: ClassVar[str] = ONDERWIJSAANBOD_GESTART
    producers: ClassVar[frozenset[Partner]] = partners(Partner.LEERPLICHT)
    example: ClassVar[dict[str, Any]] = {"datum": "2026-12-01", "soort": "maatwerk", "brin": "34CD"}

    datum: dt.date
    soort: AanbodSoort
    brin: Brin | None = None


@register
class LeerplichtzaakGeopend(Payload):
    """The leerplichtambtenaar opened a case."""

    event_type: ClassVar[str] = LEERPLICHTZAAK_GEOPEND
    producers: ClassVar[frozenset[Partner]] = partners(Partner.LEERPLICHT)
    example: ClassVar[dict[str, Any]] = {"datum": "2026-11-20", "aanleiding": "verzuimmelding"}

    datum: dt.date
    aanleiding: ZaakAanleiding


@register
class LeerplichtzaakGesloten(Payload):
    """The leerplichtambtenaar closed the case."""

    event_type: ClassVar[str] = LEERPLICHTZAAK_GESLOTEN
    producers: ClassVar[frozenset[Partner]] = partners(Partner.LEERPLICHT)
    example: ClassVar[dict[str, Any]] = {"datum": "2027-01-15", "uitkomst": "verzuim_gestopt"}

    datum: dt.date
    uitkomst: ZaakUitkomst
