"""Requests of parents under the AVG: bezwaar, verwijdering, inzage, toestemming."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from hub.events.envelope import Payload
from hub.events.fields import RecordRef
from hub.events.registry import register
from hub.events.vocab import KERNPARTNERS, Partner

BEZWAAR_INGEDIEND = "nl.onderwijsjeugd.privacy.bezwaar.ingediend.v1"
VERWIJDERING_VERZOCHT = "nl.onderwijsjeugd.privacy.verwijdering.verzocht.v1"
INZAGE_VERZOCHT = "nl.onderwijsjeugd.privacy.inzage.verzocht.v1"
TOESTEMMING_GEGEVEN = "nl.onderwijsjeugd.privacy.toestemming.gegeven.v1"
TOESTEMMING_INGETROKKEN = "nl.onderwijsjeugd.privacy.toestemming.ingetrokken.v1"

#: Where a parent can file a request: any kernpartner or school, or the hub's own loket.
_RECEIVERS = frozenset({*KERNPARTNERS, Partner.HUB})


class Doel(StrEnum):
    """The purpose a consent covers."""

    MULTIDISCIPLINAIR_OVERLEG = "multidisciplinair_overleg"
    DELEN_MET_PARTNERS = "delen_met_partners"
    TOELICHTING_DELEN = "toelichting_delen"


class _Verzoek(Payload):
    verzoek_id: RecordRef = Field(description="Reference of the request at the receiver.")
    datum: dt.date = Field(description="Date the request was received.")


@register
class BezwaarIngediend(_Verzoek):
    """A parent objects to sharing; sharing stops for the child (for the listed partners)."""

    event_type: ClassVar[str] = BEZWAAR_INGEDIEND
    producers: ClassVar[frozenset[Partner]] = _RECEIVERS
    example: ClassVar[dict[str, Any]] = {
        "verzoek_id": "BZ-2026-0012",
        "datum": "2026-11-20",
        "partners": [],
    }

    partners: tuple[Partner, ...] = Field(
        default=(), max_length=7, description="Audiences the objection covers; empty = all."
    )


@register
class VerwijderingVerzocht(_Verzoek):
    """A parent asks for erasure (AVG art. 17); the hub shreds the child's data key."""

    event_type: ClassVar[str] = VERWIJDERING_VERZOCHT
    producers: ClassVar[frozenset[Partner]] = _RECEIVERS
    example: ClassVar[dict[str, Any]] = {"verzoek_id": "VW-2026-0003", "datum": "2026-11-21"}


@register
class InzageVerzocht(_Verzoek):
    """A parent asks to see what is held and shared about the child (AVG art. 15)."""

    event_type: ClassVar[str] = INZAGE_VERZOCHT
    producers: ClassVar[frozenset[Partner]] = _RECEIVERS
    example: ClassVar[dict[str, Any]] = {"verzoek_id": "IZ-2026-0007", "datum": "2026-11-21"}


@register
class ToestemmingGegeven(_Verzoek):
    """A parent consented to a purpose, for the listed partners."""

    event_type: ClassVar[str] = TOESTEMMING_GEGEVEN
    producers: ClassVar[frozenset[Partner]] = _RECEIVERS
    example: ClassVar[dict[str, Any]] = {
        "verzoek_id": "TS-2026-0101",
        "datum": "2026-11-22",
        "doel": "multidisciplinair_overleg",
        "partners": ["school", "jgz", "buurtteam"],
        "geldig_tot": "2027-11-22",
    }

    doel: Doel
    partners: tuple[Partner, ...] = Field(min_length=1, max_length=7)
    geldig_tot: dt.date | None = None


@register
class ToestemmingIngetrokken(_Verzoek):
    """A parent withdrew a consent."""

    event_type: ClassVar[str] = TOESTEMMING_INGETROKKEN
    producers: ClassVar[frozenset[Partner]] = _RECEIVERS
    example: ClassVar[dict[str, Any]] = {
        "verzoek_id": "TS-2026-0144",
        "datum": "2026-12-01",
        "doel": "multidisciplinair_overleg",
    }

    doel: Doel
