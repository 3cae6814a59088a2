"""Contracts about JGZ: M@ZL consults, facts only (health content stays in the JGZ dossier)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from hub.events.envelope import Payload, partners
from hub.events.registry import register
from hub.events.sensitivity import Sensitivity
from hub.events.vocab import Partner

MAZL_CONSULT_AANGEVRAAGD = "nl.onderwijsjeugd.jgz.mazl_consult.aangevraagd.v1"
MAZL_CONSULT_GEHOUDEN = "nl.onderwijsjeugd.jgz.mazl_consult.gehouden.v1"


class MazlAanleiding(StrEnum):
    """Why the consult was asked (the M@ZL criteria, or the school's own concern)."""

    VAAK = "4e_ziekmelding_in_12_lesweken"
    LANG = "7_lesdagen_aaneengesloten_ziek"
    ZORG_SCHOOL = "zorg_school"


@register
class MazlConsultAangevraagd(Payload):
    """A consult with the jeugdarts was requested because of worrying sick leave."""

    event_type: ClassVar[str] = MAZL_CONSULT_AANGEVRAAGD
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SCHOOL, Partner.JGZ)
    sensitivity: ClassVar[frozenset[Sensitivity]] = frozenset({Sensitivity.GEZONDHEID})
    example: ClassVar[dict[str, Any]] = {
        "datum": "2026-11-19",
        "aanleiding": "4e_ziekmelding_in_12_lesweken",
    }

    datum: dt.date
    aanleiding: MazlAanleiding


@register
class MazlConsultGehouden(Payload):
    """The jeugdarts held the M@ZL consult (fact only, no findings)."""

    event_type: ClassVar[str] = MAZL_CONSULT_GEHOUDEN
    producers: ClassVar[frozenset[Partner]] = partners(Partner.JGZ)
    sensitivity: ClassVar[frozenset[Sensitivity]] = frozenset({Sensitivity.GEZONDHEID})
    example: ClassVar[dict[str, Any]] = {"datum": "2026-11-26", "terugkoppeling_school": True}

    datum: dt.date
    terugkoppeling_school: bool = Field(
        description="Whether the school will get advice (with the parents' consent)."
    )
