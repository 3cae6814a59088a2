"""Leerplicht's feeds (JSON): thuiszitters, onderwijsaanbod, leerplichtzaken, DUO status."""

from __future__ import annotations

from typing import Any

from hub.adapters.jsonfeed import JsonFeed
from hub.events.betrokkenheid import BetrokkenheidBeeindigd, BetrokkenheidGestart
from hub.events.leerplicht import (
    LeerplichtzaakGeopend,
    LeerplichtzaakGesloten,
    OnderwijsaanbodGestart,
    ThuiszitterGemeld,
)
from hub.events.school import VerzuimmeldingStatusGewijzigd
from hub.events.vocab import Partner


def _feed(feed: str, model: Any, description: str, **extra: Any) -> JsonFeed:
    return JsonFeed(
        Partner.LEERPLICHT, feed, model, system="leerplicht", description=description, **extra
    )


ADAPTERS = (
    _feed("thuiszitter", ThuiszitterGemeld, "A child is a thuiszitter since a date."),
    _feed("onderwijsaanbod", OnderwijsaanbodGestart, "A thuiszitter has an offer again."),
    _feed("zaak-geopend", LeerplichtzaakGeopend, "The leerplichtambtenaar opened a case."),
    _feed("zaak-gesloten", LeerplichtzaakGesloten, "The leerplichtambtenaar closed the case."),
    _feed(
        "verzuimmelding-status",
        VerzuimmeldingStatusGewijzigd,
        "Leerplicht handles a DUO verzuimmelding (in behandeling, afgesloten, "
        "ter kennisgeving aangenomen).",
        example={"status": "in_behandeling"},
    ),
    _feed("betrokkenheid-gestart", BetrokkenheidGestart, "Leerplicht is involved."),
    _feed("betrokkenheid-beeindigd", BetrokkenheidBeeindigd, "Leerplicht's involvement ended."),
)
