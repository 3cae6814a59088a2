"""Contracts produced by the school (LAS): verzuim, DUO verzuimmelding, ziek, inschrijving, zorg."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from hub.events.envelope import Payload, partners
from hub.events.fields import Brin, EncryptedText, Geboortejaar, Lesuren, RecordRef, Vestiging
from hub.events.registry import register
from hub.events.sensitivity import DOMEIN_GEZONDHEID, SensitiveValue, Sensitivity
from hub.events.vocab import Domein, Partner, Urgentie

VERZUIM_GEREGISTREERD = "nl.onderwijsjeugd.school.verzuim.geregistreerd.v1"
VERZUIMMELDING_GEDAAN = "nl.onderwijsjeugd.school.verzuimmelding.gedaan.v1"
VERZUIMMELDING_STATUS_GEWIJZIGD = "nl.onderwijsjeugd.school.verzuimmelding.status_gewijzigd.v1"
ZIEKMELDING_GEDAAN = "nl.onderwijsjeugd.school.ziekmelding.gedaan.v1"
HERSTELMELDING_GEDAAN = "nl.onderwijsjeugd.school.herstelmelding.gedaan.v1"
INSCHRIJVING_GEREGISTREERD = "nl.onderwijsjeugd.school.inschrijving.geregistreerd.v1"
UITSCHRIJVING_GEREGISTREERD = "nl.onderwijsjeugd.school.uitschrijving.geregistreerd.v1"
ZORGSIGNAAL_AFGEGEVEN = "nl.onderwijsjeugd.school.zorgsignaal.afgegeven.v1"

_ENC_EXAMPLE = {"alg": "A256GCM", "kid": "dk-1", "iv": "AAECAwQFBgcICQoL", "ct": "q" * 40}


class VerzuimSoort(StrEnum):
    """Kind of absence as the LAS registers it."""

    ONGEOORLOOFD = "ongeoorloofd"
    GEOORLOOFD = "geoorloofd"
    ZIEK = "ziek"
    TE_LAAT = "te_laat"
    LUXE = "luxe"


class DuoVerzuimsoort(StrEnum):
    """The verzuimsoort of a DUO verzuimmelding."""

    ZESTIEN_UUR_4_WEKEN = "16_UUR_4_WEKEN"
    LRV = "LRV"
    RMC = "RMC"
    LUXE = "LUXE"
    OVERIG = "OVERIG"


class DuoStatus(StrEnum):
    """Status of a DUO verzuimmelding."""

    GEREGISTREERD = "geregistreerd"
    IN_BEHANDELING = "in_behandeling"
    AFGESLOTEN = "afgesloten"
    TER_KENNISGEVING_AANGENOMEN = "ter_kennisgeving_aangenomen"
    INGETROKKEN = "ingetrokken"


class Onderwijssoort(StrEnum):
    """Sector of the enrolment."""

    PO = "po"
    SBO = "sbo"
    SO = "so"
    VSO = "vso"
    VO = "vo"
    MBO = "mbo"


class UitschrijfReden(StrEnum):
    """Why a pupil leaves the school."""

    OVERSTAP = "overstap"
    VERHUIZING = "verhuizing"
    DIPLOMA = "diploma"
    VRIJSTELLING = "vrijstelling"
    EMIGRATIE = "emigratie"
    VERWIJDERING = "verwijdering"
    OVERIG = "overig"


class _SchoolPayload(Payload):
    brin: Brin | None = Field(default=None, description="BRIN of the school (not personal data).")
    vestiging: Vestiging | None = Field(default=None, description="Vestiging number.")


@register
class VerzuimGeregistreerd(_SchoolPayload):
    """The school registered absence of one pupil on one day."""

    event_type: ClassVar[str] = VERZUIM_GEREGISTREERD
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SCHOOL)
    sensitive_values: ClassVar[tuple[SensitiveValue, ...]] = (
        SensitiveValue("soort", "ziek", Sensitivity.GEZONDHEID),
    )
    example: ClassVar[dict[str, Any]] = {
        "datum": "2026-11-16",
        "lesuren": 2.5,
        "soort": "ongeoorloofd",
        "brin": "12AB",
        "vestiging": "00",
    }

    datum: dt.date = Field(description="The school day of the absence.")
    lesuren: Lesuren = Field(description="Lesuren missed that day (0-12).")
    soort: VerzuimSoort
    opmerking: EncryptedText | None = Field(default=None, description="Encrypted note.")


@register
class VerzuimmeldingGedaan(_SchoolPayload):
    """The school filed a verzuimmelding with DUO (Verzuimregister)."""

    event_type: ClassVar[str] = VERZUIMMELDING_GEDAAN
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SCHOOL)
    example: ClassVar[dict[str, Any]] = {
        "melding_id": "DUO-2026-000417",
        "verzuimsoort": "16_UUR_4_WEKEN",
        "datum": "2026-11-18",
        "periode_van": "2026-10-19",
        "periode_tot": "2026-11-13",
        "lesuren_ongeoorloofd": 17.5,
        "brin": "12AB",
    }

    melding_id: RecordRef = Field(description="The melding's reference (not personal data).")
    verzuimsoort: DuoVerzuimsoort
    datum: dt.date = Field(description="Date the melding was filed.")
    periode_van: dt.date | None = Field(default=None, description="First day of the period.")
    periode_tot: dt.date | None = Field(default=None, description="Last day of the period.")
    lesuren_ongeoorloofd: float | None = Field(
        default=None, ge=0, le=2000, allow_inf_nan=False, description="Unauthorised hours."
    )
    opmerking: EncryptedText | None = None


@register
class VerzuimmeldingStatusGewijzigd(Payload):
    """The status of a DUO verzuimmelding changed (school withdraws, leerplicht handles)."""

    event_type: ClassVar[str] = VERZUIMMELDING_STATUS_GEWIJZIGD
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SCHOOL, Partner.LEERPLICHT)
    example: ClassVar[dict[str, Any]] = {
        "melding_id": "DUO-2026-000417",
        "status": "ingetrokken",
        "datum": "2026-11-20",
    }

    melding_id: RecordRef
    status: DuoStatus
    datum: dt.date

    def producer_problem(self, partner: Partner) -> str | None:
        """The school registers and withdraws; the municipality (leerplicht) handles."""
        school = self.status in (DuoStatus.GEREGISTREERD, DuoStatus.INGETROKKEN)
        if (partner is Partner.SCHOOL) != school:
            owner = "school" if school else "leerplicht"
            return f"status {self.status.value} is set by {owner}, not by {partner.value}"
        return None


@register
class ZiekmeldingGedaan(_SchoolPayload):
    """The pupil was reported sick."""

    event_type: ClassVar[str] = ZIEKMELDING_GEDAAN
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SCHOOL)
    sensitivity: ClassVar[frozenset[Sensitivity]] = frozenset({Sensitivity.GEZONDHEID})
    example: ClassVar[dict[str, Any]] = {"ziek_vanaf": "2026-11-16", "brin": "12AB"}

    ziek_vanaf: dt.date = Field(description="First sick school day.")


@register
class HerstelmeldingGedaan(_SchoolPayload):
    """The pupil was reported recovered."""

    event_type: ClassVar[str] = HERSTELMELDING_GEDAAN
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SCHOOL)
    sensitivity: ClassVar[frozenset[Sensitivity]] = frozenset({Sensitivity.GEZONDHEID})
    example: ClassVar[dict[str, Any]] = {
        "ziek_vanaf": "2026-11-16",
        "hersteld_op": "2026-11-19",
        "brin": "12AB",
    }

    ziek_vanaf: dt.date | None = Field(default=None, description="Start of the sick episode.")
    hersteld_op: dt.date = Field(description="First school day back.")


@register
class InschrijvingGeregistreerd(_SchoolPayload):
    """The pupil was enrolled at a school."""

    event_type: ClassVar[str] = INSCHRIJVING_GEREGISTREERD
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SCHOOL)
    example: ClassVar[dict[str, Any]] = {
        "ingangsdatum": "2026-08-24",
        "onderwijssoort": "vo",
        "leerjaar": 2,
        "geboortejaar": 2013,
        "brin": "12AB",
        "vestiging": "01",
    }

    ingangsdatum: dt.date
    onderwijssoort: Onderwijssoort
    leerjaar: int | None = Field(default=None, ge=1, le=8, description="Year group.")
    geboortejaar: Geboortejaar | None = Field(
        default=None, description="Year of birth only, for the 18 and 23 year limits."
    )


@register
class UitschrijvingGeregistreerd(_SchoolPayload):
    """The pupil left the school."""

    event_type: ClassVar[str] = UITSCHRIJVING_GEREGISTREERD
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SCHOOL)
    example: ClassVar[dict[str, Any]] = {
        "datum": "2026-12-18",
        "reden": "overstap",
        "nieuwe_school_bekend": True,
        "brin": "12AB",
    }

    datum: dt.date = Field(description="Last day of enrolment.")
    reden: UitschrijfReden
    nieuwe_school_bekend: bool = Field(description="Whether the next school is known.")


@register
class ZorgsignaalAfgegeven(_SchoolPayload):
    """The school (intern begeleider) signals a worry about the pupil in one domain."""

    event_type: ClassVar[str] = ZORGSIGNAAL_AFGEGEVEN
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SCHOOL)
    sensitive_values: ClassVar[tuple[SensitiveValue, ...]] = (DOMEIN_GEZONDHEID,)
    example: ClassVar[dict[str, Any]] = {
        "datum": "2026-11-17",
        "domein": "gedrag",
        "urgentie": "normaal",
        "toelichting": _ENC_EXAMPLE,
    }

    datum: dt.date
    domein: Domein
    urgentie: Urgentie
    toelichting: EncryptedText | None = Field(default=None, description="Encrypted explanation.")
