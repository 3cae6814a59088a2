"""The samenwerkingsverband's feeds (JSON): arrangementen, TLV, thuiszitter overleg."""

from __future__ import annotations

from typing import Any

from hub.adapters.jsonfeed import JsonFeed
from hub.events.betrokkenheid import BetrokkenheidBeeindigd, BetrokkenheidGestart
from hub.events.swv import (
    ArrangementBeeindigd,
    ArrangementToegekend,
    ThuiszitterOverlegGehouden,
    ToelaatbaarheidsverklaringAfgegeven,
)
from hub.events.vocab import Partner


def _feed(feed: str, model: Any, description: str) -> JsonFeed:
    return JsonFeed(Partner.SWV, feed, model, system="swv", description=description)


ADAPTERS = (
    _feed("arrangement-toegekend", ArrangementToegekend, "The SWV granted an arrangement."),
    _feed("arrangement-beeindigd", ArrangementBeeindigd, "An arrangement ended."),
    _feed("tlv", ToelaatbaarheidsverklaringAfgegeven, "The SWV issued a TLV."),
    _feed("thuiszitter-overleg", ThuiszitterOverlegGehouden, "A thuiszitter meeting was held."),
    _feed("betrokkenheid-gestart", BetrokkenheidGestart, "The SWV consultant is involved."),
    _feed("betrokkenheid-beeindigd", BetrokkenheidBeeindigd, "The involvement ended."),
)
