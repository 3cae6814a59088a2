"""Contracts produced by the samenwerkingsverband: arrangementen, TLV, thuiszitter overleg."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from hub.events.envelope import Payload, partners
from hub.events.fields import Brin
from hub.events.registry import register
from hub.events.vocab import Partner

ARRANGEMENT_TOEGEKEND = "nl.onderwijsjeugd.swv.arrangement.toegekend.v1"
ARRANGEMENT_BEEINDIGD = "nl.onderwijsjeugd.swv.arrangement.beeindigd.v1"
TLV_AFGEGEVEN = "nl.onderwijsjeugd.swv.toelaatbaarheidsverklaring.afgegeven.v1"
THUISZITTER_OVERLEG_GEHOUDEN = "nl.onderwijsjeugd.swv.thuiszitter_overleg.gehouden.v1"


class ArrangementSoort(StrEnum):
    """Kind of extra support."""

    ONDERSTEUNING = "ondersteuningsarrangement"
    ONDERWIJSZORG = "onderwijszorgarrangement"
    MAATWERK = "maatwerk"
    THUISZITTER = "thuiszitterarrangement"


class ArrangementEinde(StrEnum):
    """Why an arrangement ended."""

    AFGEROND = "afgerond"
    VERVANGEN = "vervangen"
    UITSCHRIJVING = "uitschrijving"
    OVERIG = "overig"


class TlvCategorie(StrEnum):
    """Funding category of a TLV."""

    LAAG = "laag"
    MIDDEN = "midden"
    HOOG = "hoog"


class TlvOnderwijstype(StrEnum):
    """School type a TLV admits to."""

    SBO = "sbo"
    SO = "so"
    VSO = "vso"


@register
class ArrangementToegekend(Payload):
    """The SWV granted an arrangement."""

    event_type: ClassVar[str] = ARRANGEMENT_TOEGEKEND
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SWV)
    example: ClassVar[dict[str, Any]] = {
        "soort": "maatwerk",
        "van": "2026-12-01",
        "tot": "2027-07-16",
        "brin": "12AB",
    }

    soort: ArrangementSoort
    van: dt.date
    tot: dt.date | None = None
    brin: Brin | None = Field(default=None, description="The school that carries it out.")


@register
class ArrangementBeeindigd(Payload):
    """An arrangement ended."""

    event_type: ClassVar[str] = ARRANGEMENT_BEEINDIGD
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SWV)
    example: ClassVar[dict[str, Any]] = {"datum": "2027-07-16", "reden": "afgerond"}

    datum: dt.date
    reden: ArrangementEinde


@register
class ToelaatbaarheidsverklaringAfgegeven(Payload):
    """The SWV issued a toelaatbaarheidsverklaring (TLV)."""

    event_type: ClassVar[str] = TLV_AFGEGEVEN
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SWV)
    example: ClassVar[dict[str, Any]] = {
        "datum": "2026-11-25",
        "geldig_tot": "2028-07-31",
        "onderwijstype": "so",
        "categorie": "laag",
    }

    datum: dt.date
    geldig_tot: dt.date
    onderwijstype: TlvOnderwijstype
    categorie: TlvCategorie


@register
class ThuiszitterOverlegGehouden(Payload):
    """The SWV held a thuiszitter meeting for the child (who attended, not what was said)."""

    event_type: ClassVar[str] = THUISZITTER_OVERLEG_GEHOUDEN
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SWV)
    example: ClassVar[dict[str, Any]] = {
        "datum": "2026-11-24",
        "deelnemers": ["school", "leerplicht", "swv"],
        "vervolg_op": "2026-12-08",
    }

    datum: dt.date
    deelnemers: tuple[Partner, ...] = Field(min_length=1, max_length=7)
    vervolg_op: dt.date | None = Field(default=None, description="Date of the next meeting.")
