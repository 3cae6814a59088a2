"""The school's feeds: the absence CSV, and JSON for sick reports, DUO meldingen and zorg."""

from __future__ import annotations

from typing import Any

from hub.adapters.jsonfeed import JsonFeed
from hub.adapters.school.verzuimcsv import VerzuimCsv
from hub.events.betrokkenheid import BetrokkenheidBeeindigd, BetrokkenheidGestart
from hub.events.jgz import MazlConsultAangevraagd
from hub.events.school import (
    HerstelmeldingGedaan,
    InschrijvingGeregistreerd,
    UitschrijvingGeregistreerd,
    VerzuimmeldingGedaan,
    VerzuimmeldingStatusGewijzigd,
    ZiekmeldingGedaan,
    ZorgsignaalAfgegeven,
)
from hub.events.vocab import Partner

_SCHOOL = Partner.SCHOOL
#: A school's organisation id in `source` is its BRIN, in every feed (the vestiging is data).
_BRIN = ("brin",)


def _feed(feed: str, model: Any, description: str, **extra: Any) -> JsonFeed:
    return JsonFeed(
        _SCHOOL,
        feed,
        model,
        system="las",
        description=description,
        organisation_from=_BRIN,
        **extra,
    )


ADAPTERS = (
    VerzuimCsv(),
    _feed("ziekmelding", ZiekmeldingGedaan, "A pupil was reported sick."),
    _feed("herstelmelding", HerstelmeldingGedaan, "A pupil was reported recovered."),
    _feed("verzuimmelding", VerzuimmeldingGedaan, "A DUO verzuimmelding the school filed."),
    _feed(
        "verzuimmelding-status",
        VerzuimmeldingStatusGewijzigd,
        "The school registered or withdrew (ingetrokken) a DUO verzuimmelding.",
    ),
    _feed("zorgsignaal", ZorgsignaalAfgegeven, "The IB'er signals a worry in one domain."),
    _feed(
        "inschrijving",
        InschrijvingGeregistreerd,
        "A pupil was enrolled (only the birth year travels).",
    ),
    _feed("uitschrijving", UitschrijvingGeregistreerd, "A pupil left the school."),
    _feed("mazl", MazlConsultAangevraagd, "The school asks the jeugdarts for an M@ZL consult."),
    _feed("betrokkenheid-gestart", BetrokkenheidGestart, "The school's care team is involved."),
    _feed("betrokkenheid-beeindigd", BetrokkenheidBeeindigd, "The involvement ended."),
)
